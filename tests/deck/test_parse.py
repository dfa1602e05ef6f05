"""The parsed model: slides, content, notes, titles, demos, names, JSON form, inspect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diapo.deck import inspect as inspect_mod, load_decks, parse, to_dict
from diapo.deck.model import DemoKind

from .conftest import deck

DEMO_DECK = """\
---
paginate: true
---

# Démo

```bash demo
kubectl get nodes
```
```text expect
NAME     STATUS   ROLES    AGE   VERSION
...
```

```yaml file=k8s/whoami.yaml
apiVersion: apps/v1
kind: Deployment
```

```bash demo=deploy timeout=30 wait="deployment/whoami Available" wait='pod/x Ready'
kubectl apply -f k8s/whoami.yaml
```

---

## Vérifications

```yaml apply file=./k8s/svc.yaml
apiVersion: v1
kind: Service
```

```bash demo hidden only=ci needs=node exit=1
kubectl logs deploy/whoami | grep erreur
```
```text expect match=regex
^$
```

```python title="exemple.py"
print("pas une démo")
```
"""


def test_demo_tags_become_typed_steps() -> None:
    d = deck(DEMO_DECK)
    demos = d.demos
    assert [x.id for x in demos] == ["1-1", "1-2", "deploy", "2-1", "2-2"]
    first, file_, deploy, apply_, hidden = demos
    assert first.kind is DemoKind.RUN and first.code == "kubectl get nodes\n"
    assert first.location.line == 7 and first.slide == 1
    assert first.expect is not None and first.expect.match == "ellipsis"
    assert first.expect.text.startswith("NAME") and first.expect.location.line == 10
    assert first.expect.end_line == 13
    assert file_.kind is DemoKind.FILE and file_.path == "k8s/whoami.yaml"
    assert deploy.timeout == 30.0
    assert deploy.wait == ["deployment/whoami Available", "pod/x Ready"]
    assert apply_.kind is DemoKind.APPLY and apply_.path == "k8s/svc.yaml"
    assert hidden.hidden and hidden.only == "ci" and hidden.needs == "node"
    assert hidden.exit == 1 and hidden.expect.match == "regex"
    assert d.demo("deploy") is deploy
    with pytest.raises(KeyError):
        d.demo("absent")


def test_plain_fences_keep_their_attributes_without_a_demo() -> None:
    d = deck(DEMO_DECK)
    fence = d.slides[1].fences[-1]
    assert fence.lang == "python" and fence.attrs == {"title": "exemple.py"}
    assert fence.info == 'python title="exemple.py"'
    assert all(demo.fence is not fence for demo in d.demos)


def test_content_drops_comments_and_hidden_demos_only() -> None:
    text = """\
        ---
        paginate: true
        ---

        # Titre <!-- note en ligne -->

        <!-- _class: lead -->
        <!-- Une note -->
        Texte **gras**   avec espaces.

        ```bash demo hidden
        echo caché
        ```
        ```text expect
        caché
        ```
        ```bash demo
        echo visible
        ```
        """
    d = deck(text)
    slide = d.slides[0]
    assert slide.content == (
        "\n# Titre \n\nTexte **gras**   avec espaces.\n\n"
        "```bash demo\necho visible\n```\n")
    assert [n.text for n in slide.notes] == ["note en ligne", "Une note"]
    assert [n.location.line for n in slide.notes] == [5, 8]
    assert slide.directives == {"paginate": True, "class": "lead"}
    assert slide.source.startswith("\n# Titre <!-- note en ligne -->")
    assert len(slide.demos) == 2 and slide.demos[0].hidden


def test_slide_lines_titles_and_pagination() -> None:
    d = deck("""\
        ---
        paginate: true
        ---

        # Un

        ---

        Deux
        ====

        ---
        <!-- _paginate: skip -->
        ## `Trois` et [lien](x.md) ![img](a.png)
        """)
    assert [s.location.line for s in d.slides] == [4, 8, 13]
    assert [s.title for s in d.slides] == ["Un", "Deux", "Trois et lien"]
    assert [s.page for s in d.slides] == [1, 2, None]
    assert all(s.total == 2 for s in d.slides)
    assert d.title == "Un"
    assert [s.number for s in d.slides] == [1, 2, 3]


def test_title_directive_wins_over_headings() -> None:
    d = deck("<!-- title: Mon cours -->\n<!-- description: Résumé -->\n# Autre\n")
    assert d.title == "Mon cours" and d.description == "Résumé"
    assert d.slides[0].notes == []


def test_crlf_and_bom_keep_line_numbers() -> None:
    text = "\ufeff---\r\npaginate: true\r\n---\r\n\r\n# A\r\n\r\n<!-- n -->\r\n---\r\n## B\r\n"
    d = parse("crlf.md", text=text)
    assert [s.location.line for s in d.slides] == [4, 9]
    assert d.slides[0].notes[0].location.line == 7
    assert "\r" not in d.slides[0].content


def test_fragments_counted() -> None:
    d = deck("* a\n* b\n\n- c\n\n1) d\n2) e\n\n1. f\n")
    assert d.slides[0].fragments == 4


def test_images_with_marp_keywords() -> None:
    d = deck('![bg left:40% sepia](fond.png)\n\n![Logo w:120 blur:2px](logo.svg "ENSG")\n')
    bg, logo = d.slides[0].images
    assert bg.background and bg.split == "left" and bg.split_size == "40%"
    assert bg.filters == {"sepia": "1"} and bg.location.line == 1
    assert logo.alt == "Logo" and logo.width == "120px" and logo.filters == {"blur": "2px"}
    assert logo.title == "ENSG" and logo.location.line == 3


def test_heading_divider_from_a_late_comment_applies_to_the_whole_deck() -> None:
    d = deck("# A\n\n## B\n\n## C\n\n<!-- headingDivider: 2 -->\n")
    assert [s.title for s in d.slides] == ["A", "B", "C"]
    assert d.directives["headingDivider"] == 2


def test_front_matter_only_and_empty_decks() -> None:
    assert len(deck("---\ntheme: gaia\n---\n").slides) == 1
    empty = deck("")
    assert len(empty.slides) == 1 and empty.slides[0].content == ""


def test_load_decks_names_and_skips_index(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "annexe" / "kubernetes").mkdir(parents=True)
    (docs / "index.md").write_text("# Accueil\n", encoding="utf-8")
    (docs / "kubernetes.md").write_text("# K8s\n", encoding="utf-8")
    (docs / "annexe" / "kubernetes" / "stockage.md").write_text("# S\n", encoding="utf-8")
    (docs / "annexe" / "index.md").write_text("# Annexes\n", encoding="utf-8")
    names = [d.name for d in load_decks(docs)]
    assert names == ["annexe/index", "annexe/kubernetes/stockage", "kubernetes"]
    assert parse(docs / "annexe" / "kubernetes" / "stockage.md").name == \
        "annexe/kubernetes/stockage"


def test_to_dict_is_stable_json() -> None:
    d = deck(DEMO_DECK)
    data = to_dict(d)
    text = json.dumps(data, sort_keys=True)
    assert json.loads(text) == data
    assert data["schema"] == 1 and len(data["slides"]) == 2
    assert data["slides"][0]["demos"][0]["expect"]["match"] == "ellipsis"
    assert data["slides"][0]["directives"] == {"paginate": True}


def test_inspect_human_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cours.md"
    path.write_text(DEMO_DECK, encoding="utf-8")
    assert inspect_mod.run(str(path), as_json=True) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["number"] for s in data["slides"]] == [1, 2]
    assert inspect_mod.run(str(path), as_json=False) == 0
    out = capsys.readouterr().out
    assert "#2" in out and "Vérifications" in out and "démo deploy" in out


def test_seed_deck_parses() -> None:
    seed = Path(__file__).parents[1] / "golden" / "fixtures" / "seed_kubernetes.md"
    d = parse(seed)
    assert len(d.slides) == 37 and d.directives == {"theme": "marp-ensg"}
    assert d.slides[0].title == "DevOps avec Kubernetes"
    assert all(s.page == s.number and s.total == 37 for s in d.slides)
    assert d.warnings == []


def test_content_keeps_fit_and_magic_comments() -> None:
    d = deck("# <!-- fit --> Grand titre\n\n<!-- prettier-ignore -->\n| a |\n|---|\n\n"
             "Texte <!-- une note --> fin.\n")
    slide = d.slides[0]
    assert slide.content == ("# <!-- fit --> Grand titre\n\n<!-- prettier-ignore -->\n"
                             "| a |\n|---|\n\nTexte  fin.\n")
    assert [n.text for n in slide.notes] == ["une note"]
    assert slide.title == "Grand titre"


def test_load_decks_counts_index_only_when_it_is_a_home_deck(tmp_path: Path) -> None:
    """verify and pdf see the same decks as the site: a marp-cli home deck, not a home page."""
    from diapo.deck import load_decks

    (tmp_path / "cours.md").write_text("# Cours\n", encoding="utf-8")
    index = tmp_path / "index.md"
    index.write_text("# Bienvenue\n\n<!-- diapo:decks -->\n", encoding="utf-8")
    assert [d.name for d in load_decks(tmp_path)] == ["cours"]
    index.write_text("---\nmarp: true\n---\n\n# Accueil\n\n---\n\n## Suite\n", encoding="utf-8")
    assert [d.name for d in load_decks(tmp_path)] == ["cours", "index"]
    index.write_text("Un texte d'accueil, sans directive.\n", encoding="utf-8")
    assert [d.name for d in load_decks(tmp_path)] == ["cours"]


def test_a_link_reference_definition_is_not_paragraph_text() -> None:
    """markdown-it takes `[x]: url` lines out before paragraphs: a `---` right under one is a
    slide break (not a setext underline), and it gives headingDivider no visible token."""
    broken = deck("[logo]: img/logo.png\n---\n\n# Deux\n")
    assert [s.title for s in broken.slides] == [None, "Deux"]
    divided = deck("---\nheadingDivider: 2\n---\n\n[a]: a.md\n## Un\n\nTexte\n\n## Deux\n")
    assert [s.title for s in divided.slides] == ["Un", "Deux"]
    assert [s.location.line for s in divided.slides] == [4, 10]


def test_every_content_line_knows_its_source_line() -> None:
    """`content` loses notes, directive comments and hidden demos; `source_line` still puts each
    of its lines where it was written, inside a paragraph that lost a comment spanning lines
    too (the presentation view pairs code blocks and images by it)."""
    text = ("# Titre\n<!-- _class: a -->\n\nx <!-- une\nnote --> suite\ntexte ![w:10](i.png)\n"
            "<!--\nnote\n-->\n```bash demo hidden\nls\n```\n\n```bash\nls\n```\n")
    slide = deck(text).slides[0]
    source = text.split("\n")
    content = slide.content.splitlines()
    assert len(content) < len(source) - 1
    for index, line in enumerate(content):
        written = source[slide.source_line(index) - 1]
        assert line == written or (line, written) == ("x  suite", "x <!-- une"), index
    assert [slide.source_line(i) for i, line in enumerate(content) if "![" in line] == [6]


@pytest.mark.parametrize(("text", "slides", "labels"), [
    ("[x]: javascript:alert(1)\n---\n\nb\n", 1, []),  # a URL markdown-it refuses: text
    ('[x]: /u\n"titre"\n---\n\n[t][x]\n', 2, ["X"]),  # the title on the next line
    ("[m]:\n/url\n---\n\n[t][m]\n", 2, ["M"]),  # the URL on the next line
    ("[m]:\n---\n", 1, []),  # no URL: a paragraph, and `---` its underline
])
def test_reference_definitions_read_as_markdown_it_reads_them(
        text: str, slides: int, labels: list[str]) -> None:
    parsed = deck(text)
    assert len(parsed.slides) == slides
    assert list(parsed.references) == labels


def test_images_are_those_markdown_it_draws() -> None:
    """Not in an inline comment, not by reference when `(` follows the alt text; one in
    another's alt text is marked nested (markdown-it draws it as alt text)."""
    parsed = deck("x <!-- ![w:5](c.png) --> ![w:6](c.png)\n\n[bg]: l.png\n\n![bg](oops more\n\n"
                  "![bg ![w:1](a.png)](b.png)\n")
    assert [(i.src, i.width, i.nested) for i in parsed.slides[0].images] == [
        ("c.png", "6px", False), ("b.png", None, False), ("a.png", "1px", True)]


def test_a_style_block_is_marpit_s_hidden_token() -> None:
    """Marpit's `<style>` rule ends at `</style>` only, and gives headingDivider no visible
    token (checked against marp-core 5.0.2)."""
    assert len(deck("<style>\nx\n</pre>\n---\ny</style>\n\n# A\n").slides) == 1
    divided = deck("---\nheadingDivider: 2\n---\n<style scoped>h2 { margin: 0; }</style>\n"
                   "## Un\n\n## Deux\n")
    assert [s.title for s in divided.slides] == ["Un", "Deux"]
