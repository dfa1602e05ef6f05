"""Slide themes: find Marp theme files, resolve `@import 'name'`, scope them to the slides.

A theme is a CSS file whose comment declares `@theme NAME` (Marp's metadata), optionally
`@size NAME WIDTHpx HEIGHTpx` presets. Like marp-cli's `--theme-set`, every such file anywhere
under the course's `theme/` or `docs/` folder is a theme, with no configuration; a course's
theme overrides a built-in one of the same name (`default`, `gaia`, `uncover`, shipped in the
package's `assets/themes/`). Two course files declaring the same name are an error naming
both. A theme written for Marp works unchanged: its `@import 'default'` resolves to the
built-in default theme and its selectors are scoped like Marpit scopes them.

The rules the built-in themes share live once, in files beside them whose name starts with `_`
(`_slide.css`...): a built-in theme's `@import '_slide.css'` is replaced by that file's rules,
like an imported theme's, so the resolved CSS holds them. Those files are no themes (no
`@theme` comment), and a course's theme cannot import them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from diapo.config import docs_dir
from diapo.errors import DiapoError, Location
from diapo.site import css_scope

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
BUILTIN_DIR = ASSETS_DIR / "themes"  # built-in themes, shipped as package data
SCAFFOLD = """
section { width: 1280px; height: 720px; box-sizing: border-box; overflow: hidden;
  position: relative; -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
section::after { bottom: 0; content: attr(data-marpit-pagination); padding: inherit;
  pointer-events: none; position: absolute; right: 0; }
section:not([data-marpit-pagination])::after { display: none; }
:where(h1) { font-size: 2em; margin-block: 0.67em; }
div.highlight { display: contents; }
.highlight [class] { color: inherit; font-weight: inherit; font-style: inherit; background: none; }
""" + "\n".join(  # code tokens (Pygments classes) take the colours a theme gives Marp's roles
    f"{', '.join(f'.highlight .{c}' for c in classes.split())} {{ color: var(--hl-{role}, inherit); }}"
    for role, classes in {
        "keyword": "k kd kn kr kp ow",
        "literal": "kc",
        "title": "nf fm nc ne nd",
        "builtin": "nb bp kt",
        "string": "s s1 s2 sb sd se sh si sx sr ss sc sa dl l-Scalar-Plain",
        "comment": "c c1 cm cs ch cp cpf",
        "number": "m mi mf mh mo il",
        "attr": "nt na",
        "variable": "nv vi vg vc",
    }.items()) + """
.highlight .c, .highlight .c1, .highlight .cm, .highlight .cs, .highlight .ch {
  font-style: var(--hl-comment-style, normal); }
.highlight .err { border: 0; }
"""
DEFAULT_SIZES = {"16:9": (1280, 720), "4:3": (960, 720)}
COURSE_THEMES = "theme"  # a course's own themes; its decks folder (docs_dir) is searched too

_META_RE = re.compile(r"/\*(.*?)\*/", re.S)
_THEME_RE = re.compile(r"@theme\s+([^\s*]+)")
_SIZE_RE = re.compile(r"@size\s+(\S+)\s+(\d+)px\s+(\d+)px")
_AUTO_SCALING_RE = re.compile(r"@auto-scaling\s+([\w,\s]+?)\s*(?:\*|$|@)", re.M)
_IMPORT_RE = re.compile(r"""^@import(?:-theme)?\s+(?:url\(\s*)?(["'])(.*?)\1""")
_SECTION_SIZE_RE = re.compile(r"(?:^|[\s,}])section\s*\{([^}]*)\}")
_SHARED_RE = re.compile(r"_[\w-]+\.css")  # rules shared by the built-in themes: `_slide.css`


@dataclass
class Theme:
    """One theme file."""

    name: str
    path: Path
    css: str
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    auto_scaling: str = ""  # Marp's `@auto-scaling` metadata ("true", "code,math"...)


def _read(path: Path) -> Theme | None:
    """The theme in `path`, or None if the file has no `@theme` metadata."""
    css = path.read_text(encoding="utf-8", errors="replace")
    comments = " ".join(_META_RE.findall(css))
    match = _THEME_RE.search(comments)
    if not match:
        return None
    sizes = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in _SIZE_RE.finditer(comments)}
    scaling = _AUTO_SCALING_RE.search(comments)
    return Theme(match.group(1), path, css, sizes, scaling.group(1).strip() if scaling else "")


def theme_dirs(project_root: Path | None) -> list[Path]:
    """The course's folders searched (recursively) for theme files: `theme/`, then the decks
    folder (mkdocs.yml's `docs_dir`: `docs/`, or a marp-cli course's own folder)."""
    if project_root is None:
        return []
    return [d for d in (project_root / COURSE_THEMES, docs_dir(project_root)) if d.is_dir()]


def theme_files(project_root: Path | None) -> list[Path]:
    """Every CSS file of the course that may be a theme (hidden folders and node_modules
    skipped), in a stable order."""
    found: list[Path] = []
    for folder in theme_dirs(project_root):
        for path in sorted(folder.rglob("*.css")):
            parts = path.relative_to(folder).parts
            if path.is_file() and not any(p.startswith(".") or p == "node_modules" for p in parts):
                found.append(path)
    return found


def builtins() -> dict[str, Theme]:
    """diapo's own themes (package data only: never a path outside the package)."""
    found = {}
    for path in sorted(BUILTIN_DIR.glob("*.css")):
        theme = _read(path)
        if theme:
            found[theme.name] = theme
    return found


def available(project_root: Path | None) -> dict[str, Theme]:
    """All themes by name; a course's theme overrides a built-in one of the same name.

    Raises DiapoError (naming both files) when two course files declare the same theme."""
    course: dict[str, Theme] = {}
    for path in theme_files(project_root):
        theme = _read(path)
        if theme is None:
            continue
        if theme.name in course:
            first = course[theme.name].path
            raise DiapoError(
                f"le thème « {theme.name} » est déjà déclaré dans "
                f"{first}:{_theme_line(course[theme.name])}",
                Location(str(path), _theme_line(theme)),
                hint="renommez l'un des deux (commentaire /* @theme NOM */)")
        course[theme.name] = theme
    return {**builtins(), **course}


def _theme_line(theme: Theme) -> int:
    """Line of the `@theme` declaration in the theme's file."""
    match = re.search(r"@theme\s", theme.css)
    return theme.css.count("\n", 0, match.start()) + 1 if match else 1


def resolve_css(name: str, themes: dict[str, Theme], _seen: tuple[str, ...] = ()) -> str:
    """The theme's CSS with every `@import 'other-theme'` replaced by that theme's CSS (and, in
    a built-in theme, every `@import '_slide.css'` by that file's rules), imports first.

    Imports of anything else (e.g. a web font URL) are dropped: the site works offline.
    """
    if name in _seen:
        raise DiapoError(f"cycle d'imports de thèmes : {' -> '.join((*_seen, name))}",
                         Location(str(themes[name].path), 1))
    theme = themes[name]
    imported, rest = [], []
    for stmt in css_scope.statements(css_scope.strip_comments(theme.css)):
        match = _IMPORT_RE.match(stmt.prelude) if stmt.body is None else None
        if match:
            shared = _shared_file(theme, match.group(2))
            if shared:
                imported.append(_rules(shared.read_text(encoding="utf-8")))
            elif match.group(2) in themes:
                imported.append(resolve_css(match.group(2), themes, (*_seen, name)))
            continue
        rest.append(_statement(stmt))
    return "\n".join(imported + rest)


def _shared_file(theme: Theme, target: str) -> Path | None:
    """The file of rules shared by the built-in themes that `@import '<target>'` names, when
    `theme` is a built-in one (package data only: a course's theme cannot reach it)."""
    if theme.path.parent != BUILTIN_DIR or not _SHARED_RE.fullmatch(target):
        return None
    path = BUILTIN_DIR / target
    return path if path.is_file() else None


def _rules(css: str) -> str:
    """CSS as `resolve_css` writes it: comments dropped, one statement a line."""
    return "\n".join(_statement(s) for s in css_scope.statements(css_scope.strip_comments(css)))


def _statement(stmt: css_scope.Statement) -> str:
    return f"{stmt.prelude};" if stmt.body is None else f"{stmt.prelude} {{{stmt.body}}}"


@dataclass
class SlideTheme:
    """A theme ready for the presentation view."""

    name: str
    css: str  # scoped to the slide container
    width: int
    height: int


def load(name: str, size: str | None, *, project_root: Path | None, container: str,
         where: Location) -> SlideTheme:
    """Resolve theme `name` and slide `size` (e.g. "4:3"); errors name `where` (the deck).

    Cached until a theme file changes (live reload picks up theme edits)."""
    files = tuple((str(p), p.stat().st_mtime_ns)
                  for p in [*theme_files(project_root), *sorted(BUILTIN_DIR.glob("*.css"))])
    try:
        return _load(name, size, project_root, container, files)
    except _Unknown as exc:
        raise DiapoError(str(exc), where) from None


class _Unknown(Exception):
    """A theme or size the deck asks for does not exist (`load` adds the deck's location)."""


@lru_cache(maxsize=64)
def _load(name: str, size: str | None, project_root: Path | None, container: str,
          _files: tuple) -> SlideTheme:
    themes = available(project_root)
    if name not in themes:
        raise _Unknown(f"thème inconnu « {name} » (thèmes disponibles : "
                       f"{', '.join(sorted(themes)) or 'aucun'})")
    raw = resolve_css(name, themes)
    width, height = _section_size(raw)
    if size:
        sizes = dict(DEFAULT_SIZES)
        for theme_name in _import_chain(name, themes):
            sizes.update(themes[theme_name].sizes)
        if size not in sizes:
            raise _Unknown(f"taille de diapositive inconnue « {size} » (tailles disponibles : "
                           f"{', '.join(sorted(sizes))})")
        width, height = sizes[size]
    css = css_scope.scope(SCAFFOLD + "\n" + raw + _auto_scaling(name, themes), container)
    return SlideTheme(name, css, width, height)


def _auto_scaling(name: str, themes: dict[str, Theme]) -> str:
    """The rule telling the presentation view to shrink overflowing code, when the theme (or
    one it imports, as Marpit looks its metadata up) declares `@auto-scaling` true or code."""
    for theme_name in reversed(_import_chain(name, themes)):
        value = themes[theme_name].auto_scaling
        if value:
            wanted = value == "true" or "code" in value.split(",")
            return "\nsection { --diapo-auto-scaling: code; }" if wanted else ""
    return ""


def _import_chain(name: str, themes: dict[str, Theme]) -> list[str]:
    """`name` and the themes it imports, imported ones first (their presets are overridden)."""
    chain: list[str] = []

    def visit(current: str) -> None:
        if current in chain:
            return
        for stmt in css_scope.statements(css_scope.strip_comments(themes[current].css)):
            match = _IMPORT_RE.match(stmt.prelude) if stmt.body is None else None
            if match and match.group(2) in themes:
                visit(match.group(2))
        chain.append(current)

    visit(name)
    return chain


def _section_size(css: str) -> tuple[int, int]:
    """The slide size a theme sets on `section` (the last declaration wins), else 1280x720."""
    width, height = DEFAULT_SIZES["16:9"]
    for body in _SECTION_SIZE_RE.findall(css_scope.strip_comments(css)):
        if m := re.search(r"(?<![\w-])width\s*:\s*(\d+)px", body):
            width = int(m.group(1))
        if m := re.search(r"(?<![\w-])height\s*:\s*(\d+)px", body):
            height = int(m.group(1))
    return width, height


def scope_deck_css(css: str, container: str, slide: str = "section") -> str:
    """Scope a deck's own CSS (`style` directive, `<style>` blocks) like a theme's."""
    return css_scope.scope(css, container, slide)
