"""The presentation view of a deck: one standalone HTML page, `<site>/<deck>.html`.

The page holds every slide as Marp would render it (`<section>` with Marp's data attributes,
`<header>` / `<footer>`, pagination in `section::after`, backgrounds), the deck's theme scoped to
the slides, the presenter notes (hidden, shown in the presenter window) and the demo badges from
the verify report. `assets/presentation.js` (no framework) does the rest in the browser:
keyboard, swipe, fragments, overview, go-to, fullscreen, deep links, presenter window.

    write(deck, site_dir=Path("site"), config=config, report=report) -> Path

Shared assets (JS, CSS, the scoped themes) go to `<site>/assets/diapo/`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from markdown_it.common.normalize_url import normalizeLink

from diapo.deck.attributes import section_attributes
from diapo.deck.model import Deck, Fence, Image, Slide
from diapo.demo.report import Report
from diapo.errors import Location
from diapo.site import badges, keymap, links, notes, themes
from diapo.site.slides_html import RenderedSlide, SlideRenderer, css_filters, escape, pygments_css

ASSETS = "assets/diapo"
CONTAINER = "div.diapo-frame"
_STATIC = ("presentation.js", "presentation.css", "reading.css")  # emoji, math: reading.css
# Marp's background / colour directives -> CSS property on the section
_STYLE_DIRECTIVES = {
    "backgroundColor": "background-color",
    "backgroundImage": "background-image",
    "backgroundPosition": "background-position",
    "backgroundRepeat": "background-repeat",
    "backgroundSize": "background-size",
    "color": "color",
}


def write(deck: Deck, *, site_dir: Path, config: Any = None, report: Report | None = None,
          files: Any = None, deck_names: Collection[str] = ()) -> Path:
    """Write the presentation view of `deck` to `<site_dir>/<deck.name>.html` (and the shared
    assets); returns the page's path. `config` is the plugin's `DiapoConfig` (theme default,
    project root); `files` (MkDocs' Files) is accepted for the plugin's convenience;
    `deck_names` are the site's decks, whose `.md` links become their presentation views."""
    site_dir = Path(site_dir)
    root = _project_root(config)
    name = str(deck.directives.get("theme") or _option(config, "theme", "default"))
    theme = themes.load(name, _size(deck), project_root=root, container=CONTAINER,
                        where=Location(str(deck.path), deck.directive_lines.get("theme", 1)))
    depth = deck.name.count("/")
    assets = "../" * depth + ASSETS
    write_assets(site_dir, theme)
    page = site_dir / f"{deck.name}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    _write_if_changed(page, render_page(deck, theme, report, assets=assets, depth=depth,
                                        deck_names=deck_names))
    return page


def render_page(deck: Deck, theme: themes.SlideTheme, report: Report | None, *, assets: str,
                depth: int, deck_names: Collection[str] = ()) -> str:
    """The whole HTML page of the presentation view."""
    names = frozenset(deck_names)
    renderer = SlideRenderer(
        deck, href=lambda url: links.presentation_href(url, deck.name, names) if names else None)
    proof = _Proof(deck, report)
    slots, deck_css = [], [_option_css(deck)]
    for slide in deck.slides:
        rendered = renderer.render(slide, decorate=proof.decorator(slide))
        for css, scoped in rendered.styles:
            selector = f'section[data-diapo-scope="{slide.number}"]' if scoped else "section"
            deck_css.append(themes.scope_deck_css(css, CONTAINER, selector))
        slots.append(_slot(slide, rendered, renderer, proof))
    lang = escape(deck.directives.get("lang") or "fr")
    title = escape(deck.title)
    home = "../" * depth or "./"
    reading = escape(deck.name.rsplit("/", 1)[-1] + "/")
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="diapo">
<link rel="icon" href="data:,">
<title>{title} — présentation</title>
<link rel="stylesheet" href="{assets}/presentation.css">
<link rel="stylesheet" href="{assets}/reading.css">
<link rel="stylesheet" href="{assets}/pygments.css">
<link rel="stylesheet" href="{assets}/theme-{_safe(theme.name)}.css">
<style id="diapo-deck-style">
{CONTAINER} {{ width: {theme.width}px; height: {theme.height}px; }}
{CONTAINER} > section {{ width: {theme.width}px; height: {theme.height}px; }}
{chr(10).join(c for c in deck_css if c)}
</style>
</head>
<body class="diapo" data-deck="{escape(deck.name)}" data-width="{theme.width}" data-height="{theme.height}">
<main id="diapo-stage" class="marpit" aria-label="Diapositives">
{chr(10).join(slots)}
</main>
<nav id="diapo-bar" aria-label="Navigation">
<a class="diapo-link" href="{home}" title="Accueil du cours">Accueil</a>
<a class="diapo-link" href="{reading}" title="Version lecture de ce cours">Lecture</a>
<button type="button" data-action="prev" title="Précédente (←)" aria-label="Diapositive précédente">‹</button>
<span id="diapo-counter" aria-live="polite">1/{len(deck.slides)}</span>
<button type="button" data-action="next" title="Suivante (→)" aria-label="Diapositive suivante">›</button>
<button type="button" data-action="overview" title="Vue d'ensemble (o)">Vue d'ensemble</button>
<button type="button" data-action="presenter" title="Mode présentateur (p)">Présentateur</button>
<button type="button" data-action="fullscreen" title="Plein écran (f)">Plein écran</button>
<button type="button" data-action="help" title="Raccourcis clavier (?)">?</button>
</nav>
<form id="diapo-goto" hidden>
<label for="diapo-goto-input">Aller à la diapositive</label>
<input id="diapo-goto-input" type="number" min="1" max="{len(deck.slides)}" inputmode="numeric">
<span>/ {len(deck.slides)}</span>
</form>
{keymap.help_html()}
{keymap.script()}
<script src="{assets}/presentation.js"></script>
</body>
</html>
"""


def _slot(slide: Slide, rendered: RenderedSlide, renderer: SlideRenderer, proof: _Proof) -> str:
    """One slide: its frame (background layer + section) and its hidden notes."""
    d = slide.directives
    # marp-core's data-* attributes, from the function the golden tests check against it
    attrs = [("data-diapo-scope", str(slide.number)),
             *section_attributes(renderer.deck, slide).items()]
    classes = str(d.get("class") or "").strip()
    if classes:
        attrs.append(("class", classes))
    styles = [f"{prop}:{d[directive]}" for directive, prop in _STYLE_DIRECTIVES.items()
              if d.get(directive)]
    if d.get("backgroundColor") and not d.get("backgroundImage"):
        styles.append("background-image:none")  # as Marpit: no theme image over the colour
    frame_style, layer = "", ""
    backgrounds = rendered.backgrounds
    if backgrounds:
        # as Marpit, the last `bg left` / `bg right` image sets the split and its size
        split = next((b for b in reversed(backgrounds) if b.split), None)
        if split:
            attrs.append(("data-diapo-split", split.split))  # type: ignore[arg-type]  # truthy
            frame_style = f' style="--diapo-split:{escape(split.split_size or "50%")}"'
        layer_attrs = "".join(f' {k}="{escape(v)}"' for k, v in attrs
                              if k in ("class", "data-class", "data-diapo-split"))
        layer_style = f' style="{escape(";".join(styles))}"' if styles else ""
        layer = (f'<section data-diapo-layer="background"{layer_attrs}{layer_style}>'
                 f"{_background(backgrounds)}</section>\n")
    attr_html = "".join(f' {k}="{escape(v)}"' for k, v in attrs)
    style_html = f' style="{escape(";".join(styles))}"' if styles else ""
    header = f"<header>{renderer.inline(d['header'])}</header>\n" if d.get("header") else ""
    footer = f"\n<footer>{renderer.inline(d['footer'])}</footer>" if d.get("footer") else ""
    return (
        f'<div class="diapo-slot" data-index="{slide.index}" data-fragments="{rendered.fragments}">\n'
        f'<div class="diapo-frame"{frame_style}>\n{layer}'
        f"<section{attr_html}{style_html}>\n{header}{rendered.html}{footer}\n</section>\n</div>\n"
        f'<aside class="diapo-notes" hidden>{_notes(slide, proof)}</aside>\n</div>'
    )


def _background(images: list[Image]) -> str:
    """Marp's advanced backgrounds: the `bg` images side by side (or stacked if `vertical`)."""
    vertical = any(b.vertical for b in images)
    figures = []
    for image in images:
        style = [f'background-image:url("{_css_url(image.src)}")']
        size = {"fit": "contain"}.get(image.size or "", image.size)
        if image.width or image.height:
            size = f"{image.width or 'auto'} {image.height or 'auto'}"
        if size:
            style.append(f"background-size:{size}")
        if image.filters:
            style.append(f"filter:{css_filters(image)}")
        caption = f"<figcaption>{escape(image.alt)}</figcaption>" if image.alt else ""
        figures.append(f'<figure style="{escape(";".join(style))}">{caption}</figure>')
    direction = ' data-direction="vertical"' if vertical else ""
    return f'<div class="diapo-bg"{direction}>{"".join(figures)}</div>'


def _notes(slide: Slide, proof: _Proof) -> str:
    """Presenter notes as paragraphs (escaped), then the demos' captured output, folded."""
    parts = notes.paragraphs(slide)
    parts.extend(proof.outputs(slide))
    return "\n".join(parts)


class _Proof:
    """What the verify report says about the deck's demos (`diapo.site.badges`), shown as a
    small badge on each demo block and, for the presenter, the captured output folded."""

    def __init__(self, deck: Deck, report: Report | None):
        self.proofs = badges.proofs(deck, report)

    def decorator(self, slide: Slide):
        """The `decorate(fence, code_html)` callback for this slide's code blocks."""

        def decorate(fence: Fence | None, code: str) -> str:
            demo = next((d for d in slide.demos if fence is not None and d.fence is fence), None)
            if demo is None:
                if fence is not None and any(
                        d.expect and d.expect.location == fence.location for d in slide.demos):
                    return f'<div class="diapo-code" data-diapo-expect="1">{code}</div>'
                return code
            proof = self.proofs[demo.id]
            badge = (f'<span class="diapo-badge" data-status="{proof.status}" '
                     f'title="{escape(proof.detail)}">{escape(proof.label)}</span>')
            return (f'<div class="diapo-demo" data-demo="{escape(demo.id)}" '
                    f'data-status="{proof.status}">{badge}{code}</div>')

        return decorate

    def outputs(self, slide: Slide) -> Iterable[str]:
        """Folded captured output of the slide's verified demos (for the presenter)."""
        for demo in slide.demos:
            proof = self.proofs.get(demo.id)
            if proof and proof.status == badges.WARNING:  # the badge's tooltip is not enough
                yield (f'<p class="diapo-warning">Avertissement ({escape(demo.id)}) : '
                       f"{escape(proof.detail)}</p>")
            if proof and proof.result and proof.result.output:
                yield (f'<details class="diapo-output"><summary>Sortie capturée '
                       f"({escape(demo.id)}, {escape(proof.label)})</summary>"
                       f"<pre>{escape(proof.result.output)}</pre></details>")


def write_assets(site_dir: Path, theme: themes.SlideTheme) -> None:
    """Copy the presentation JS/CSS and write the scoped theme and code styles."""
    out = site_dir / ASSETS
    out.mkdir(parents=True, exist_ok=True)
    for name in _STATIC:
        _write_if_changed(out / name, (themes.ASSETS_DIR / name).read_text(encoding="utf-8"))
    _write_if_changed(out / "pygments.css", pygments_css(CONTAINER))
    _write_if_changed(out / f"theme-{_safe(theme.name)}.css", theme.css)


def _write_if_changed(path: Path, text: str) -> None:
    """Write `text` unless the file already holds it (keeps live reload quiet)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.write_text(text, encoding="utf-8")


def _option(config: Any, key: str, default: Any) -> Any:
    try:
        value = config[key] if config is not None else None
    except (KeyError, TypeError):
        value = None
    return default if value is None else value


def _project_root(config: Any) -> Path | None:
    path = getattr(config, "config_file_path", None)
    return Path(path).resolve().parent if path else None


def _size(deck: Deck) -> str | None:
    size = deck.directives.get("size")
    return str(size).strip() if size else None


def _option_css(deck: Deck) -> str:
    """The deck's global `style` directive, scoped like the theme."""
    style = deck.directives.get("style")
    return themes.scope_deck_css(str(style), CONTAINER) if style else ""


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def _css_url(src: str) -> str:
    """A background's URL as Marp writes it: percent-encoded as markdown-it does its links,
    then escaped for a CSS string."""
    return normalizeLink(src).replace("\\", "\\\\").replace('"', '\\"')
