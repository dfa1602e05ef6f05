"""The presentation HTML without a browser: the renderer agrees with the deck parser on every
golden fixture deck (fragments, images), and the page has Marp's DOM."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from diapo.deck import parse
from diapo.site.slides_html import SlideRenderer

FIXTURES = sorted((Path(__file__).parents[1] / "golden" / "fixtures").glob("*.md"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_renderer_agrees_with_deck_parser(path: Path):
    deck = parse(path, name=path.stem)
    renderer = SlideRenderer(deck)
    for slide in deck.slides:
        rendered = renderer.render(slide)
        where = f"{path.name} slide {slide.number}"
        assert rendered.fragments == slide.fragments, where
        assert rendered.html.count("data-marpit-fragment=") == slide.fragments, where
        backgrounds = [image for image in slide.images if image.background]
        assert rendered.backgrounds == backgrounds, where
        inline = re.findall(r"<img [^>]*>", rendered.html)
        nested = {i.src for i in slide.images for j in slide.images if f"]({i.src})" in j.alt}
        sources = [i.src.replace(" ", "%20") for i in slide.images
                   if not i.background and i.src not in nested]
        for src in sources:  # every inline image of the parser is rendered
            assert any(f'src="{src}"' in tag for tag in inline), (where, src)
        for image in slide.images:  # with its size keywords
            if not image.background and image.width:
                tag = next(t for t in inline if f'src="{image.src}"' in t)
                assert f"width:{image.width}" in tag, (where, tag)


def test_page_has_marp_dom(tmp_path: Path):
    from diapo.site import presentation

    text = (
        "---\npaginate: true\nheader: '**En-tête**'\nfooter: Pied\n---\n\n# Un\n\n* a\n* b\n\n"
        "---\n\n<!-- _class: lead invert -->\n<!-- _paginate: false -->\n\n## Deux\n\n"
        "<!-- une note <b>gras</b> -->\n"
    )
    deck = parse(tmp_path / "cours.md", text=text, name="cours")
    html = presentation.write(deck, site_dir=tmp_path).read_text(encoding="utf-8")
    sections = re.findall(r"<section([^>]*)>", html)
    assert len(sections) == 2
    first, second = sections
    for attr in ('data-paginate="true"', 'data-marpit-pagination="1"',
                 'data-marpit-pagination-total="2"', 'data-marpit-fragments="2"',
                 'data-header="**En-tête**"', 'data-footer="Pied"'):
        assert attr in first, attr
    assert 'class="lead invert"' in second and 'data-class="lead invert"' in second
    assert "data-marpit-pagination" not in second
    assert "<header><strong>En-tête</strong></header>" in html
    assert "<footer>Pied</footer>" in html
    assert '<li data-marpit-fragment="1">a</li>' in html
    # notes are escaped text, hidden from the audience
    assert '<aside class="diapo-notes" hidden><p>une note &lt;b&gt;gras&lt;/b&gt;</p></aside>' in html
    assert '<html lang="fr">' in html and "<title>Un — présentation</title>" in html


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_shown_fence_is_paired_with_its_own_block(path: Path):
    """The renderer pairs the n-th code block it draws with the parser's n-th shown Fence."""
    deck = parse(path, name=path.stem)
    renderer = SlideRenderer(deck)
    for slide in deck.slides:
        paired: list = []
        renderer.render(slide, decorate=lambda fence, code: paired.append(fence) or code)  # noqa: B023 - called at once
        assert paired == [f for f in slide.fences if f.shown], f"{path.name} #{slide.number}"


def test_a_hidden_demo_between_two_alike_blocks_leaves_each_badge_in_place(tmp_path: Path):
    text = ("# Démos\n\n```bash demo=a\necho x\n```\n\n```bash demo=cachee hidden\necho x\n```\n"
            "```text expect\nx\n```\n\n```bash demo=b\necho x\n```\n")
    deck = parse(tmp_path / "d.md", text=text, name="d")
    paired: list = []
    SlideRenderer(deck).render(deck.slides[0],
                               decorate=lambda fence, code: paired.append(fence) or code)
    assert [f.location.line for f in paired] == [3, 14]  # demo=a, demo=b; not the hidden one
    assert [d.id for d in deck.demos if not d.hidden] == ["a", "b"]


def test_fences_are_paired_by_line_past_removed_comments(tmp_path: Path):
    """Directive comments and notes leave `content` shorter than the source: each code block
    still gets the Fence that opens on its line."""
    text = ("# Démos\n\n<!-- _class: lead -->\n<!--\nune note\nsur trois lignes\n-->\n\n"
            "Texte <!-- note\nen ligne --> suite.\n\n```bash demo=a\necho a\n```\n\n"
            "```bash demo=b\necho b\n```\n")
    deck = parse(tmp_path / "d.md", text=text, name="d")
    slide = deck.slides[0]
    assert slide.content.count("\n") < text.count("\n")
    paired: list = []
    SlideRenderer(deck).render(slide, decorate=lambda fence, code: paired.append(fence) or code)
    assert [f.location.line for f in paired] == [12, 16]
    assert [slide.source_line(i) for i, line in enumerate(slide.content.splitlines())
            if line.startswith("```bash")] == [12, 16]


def test_images_keep_the_keywords_of_their_own_paragraph(tmp_path: Path):
    """A reference-style image (which the deck parser does not read) does not take the
    keywords of another paragraph's image of the same file."""
    text = "# Logo\n\n![Logo][l]\n\n![bg](logo.png)\n\n[l]: logo.png\n"
    deck = parse(tmp_path / "d.md", text=text, name="d")
    rendered = SlideRenderer(deck).render(deck.slides[0])
    assert [image.src for image in rendered.backgrounds] == ["logo.png"]
    assert '<img src="logo.png" alt="Logo"' in rendered.html


def test_style_blocks_are_taken_as_marpit_takes_them(tmp_path: Path):
    """An HTML block opening with `<style` is Marp's, whatever its attributes and even
    unclosed: never drawn raw on the page, where its CSS would escape the slide (checked
    against marp-core 5.0.2)."""
    text = ('<style media="screen">\nh1 { color: red; }\n</style>\n\n# A\n\n---\n\n'
            '<style scoped class="x">h1 { color: blue; }</style> après\n\n# B\n\n---\n\n'
            "# C\n\n<style>\nh1 { color: green; }\n")
    deck = parse(tmp_path / "d.md", text=text, name="d")
    renderer = SlideRenderer(deck)
    first, second, third = (renderer.render(slide) for slide in deck.slides)
    assert first.styles == [("h1 { color: red; }", False)]
    assert second.styles == [("h1 { color: blue; }", True)]
    assert third.styles == []
    for rendered in (first, second, third):
        assert "<style" not in rendered.html and "après" not in rendered.html


def test_images_pair_past_a_comment_spanning_lines_and_skip_nested_ones(tmp_path: Path):
    text = ("a <!-- une note\nsur deux lignes --> ![bg](fond.png)\n\n"
            "![bg ![w:1](a.png)](b.png) ![w:2](a.png)\n")
    deck = parse(tmp_path / "d.md", text=text, name="d")
    rendered = SlideRenderer(deck).render(deck.slides[0])
    assert [image.src for image in rendered.backgrounds] == ["fond.png", "b.png"]
    assert re.findall(r"<img [^>]*>", rendered.html) == [
        '<img src="a.png" alt="" style="width:2px" />']
