"""The MkDocs plugin `diapo`: every deck in docs/ becomes a reading page and a presentation view.

Hooks, in build order:
- `on_config`: checks the site layout, enables the Markdown extensions reading pages need,
  reads the verify report;
- `on_files`: parses every deck (cached across rebuilds; an invalid deck fails here), adds
  the generated home page and the CSS; a full build on several cores then starts the helper
  process that scans the decks, renders reading pages and writes the presentation views
  (`diapo.site.helper`);
- `on_nav`: every file known, lets the helper render pages only if its files and Markdown
  settings are still the ones it has;
- `on_page_markdown` / `on_page_content`: a deck's page becomes its reading page, whose
  table of contents lists the slides; a page the helper rendered is adopted, not rendered
  again (`diapo.site.page_share`);
- `on_env`: every page read, checks links, anchors and images (strict: one error naming every
  broken place) before anything is written;
- `on_post_build`: writes each deck's presentation view (`diapo.site.presentation`), or waits
  for the helper's.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from concurrent.futures import Future
from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils import get_relative_url

from diapo.config import DiapoConfig
from diapo.deck import home as home_deck
from diapo.deck.model import Deck
from diapo.demo import report as report_mod
from diapo.demo.report import Report
from diapo.errors import DeckError, DiapoError, DiapoWarning, Location
from diapo.site import badges, changes, decks, helper, home, links, page_share, reading
from diapo.site.decks import SiteDeck
from diapo.site.failures import SiteError, handle
from diapo.site.markdown_ext import DeckLinksExtension, LinkRewriter
from diapo.site.template_cache import TEMPLATE_BYTECODE

log = get_plugin_logger("diapo")


ASSETS = Path(__file__).parent / "assets"
READING_CSS = "assets/diapo/reading.css"
# Extensions a reading page relies on (added when mkdocs.yml does not list them).
REQUIRED_EXTENSIONS = ("attr_list", "md_in_html", "admonition", "pymdownx.details",
                       "pymdownx.superfences", "pymdownx.highlight")


class DiapoPlugin(BasePlugin[DiapoConfig]):
    """Builds the course site from the decks in docs/."""

    def __init__(self) -> None:
        self.report: Report | None = None
        self.decks: dict[str, SiteDeck] = {}  # by src_uri ("kubernetes.md")
        self.files: Files | None = None
        self.dirty = False
        self.report_path = Path(".diapo/verify.json")
        self._report_stamp: int | None = None  # report mtime the last (dirty) build used
        self._stale: set[str] = set()  # decks whose pages a dirty rebuild must redo
        self._links = DeckLinksExtension()
        self._helper: helper.Helper | None = None  # second process of a full build
        self._readings: dict[str, Callable[[], str]] = {}  # reading Markdown it writes, by deck
        self._forked: list[Hashable] = []  # the helper's files and Markdown settings
        self._config: MkDocsConfig | None = None  # the configuration the helper has

    # ------------------------------------------------------------------ configuration

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.dirty = dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        config.markdown_extensions.append(self._links)
        if READING_CSS not in config.extra_css:
            config.extra_css.append(READING_CSS)
        self.report = self._load_report(config)
        return config

    def _root(self, config: MkDocsConfig) -> Path:
        return Path(config.config_file_path or ".").resolve().parent

    def _load_report(self, config: MkDocsConfig) -> Report | None:
        self.report_path = path = self._root(config) / self.config.report
        try:
            found = report_mod.load(path)
        except DiapoError as exc:
            raise SiteError(exc.message, exc.location, exc.hint) from None
        if found is None:
            log.info("pas de rapport de vérification %s : les démos sont affichées non vérifiées",
                     path)
        return found

    # ------------------------------------------------------------------ decks and checks

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        problems: list[DiapoWarning] = []
        self.decks = {}
        for file in files.documentation_pages():
            if file.generated_by:
                continue
            path = Path(file.abs_src_path)  # type: ignore[arg-type]  # a page has a source
            try:
                loaded = decks.load(path, file.src_uri[: -len(".md")])
            except DeckError as exc:
                if file.src_uri == "index.md" and not home_deck.marp_front_matter(path):
                    continue  # a hand-written home page, not a deck
                problems.append(DiapoWarning(exc.message, exc.location or _location(file)))
                continue
            if file.src_uri == "index.md" and not home_deck.is_home_deck(loaded.deck):
                continue  # a hand-written home page (with or without the deck list)
            _reading_page_at(file, loaded.deck.name)
            self.decks[file.src_uri] = loaded
        for loaded in self.decks.values():
            for warning in loaded.deck.warnings:
                log.warning(str(warning))
        handle(problems, strict=self.config.strict, log=log)  # before anything is rendered
        if self.dirty:
            self._refresh_after_verify(files)
        for loaded in self.decks.values():  # after a version matrix: what changed
            if changes.changes(loaded.deck, self.report) is not None:
                files.append(File.generated(config, changes.page_path(loaded.deck.name),
                                            content=changes.render(loaded.deck, self.report)))  # type: ignore[arg-type]
        if files.get_file_from_path("index.md") is None:
            files.append(File.generated(config, "index.md", content=home.render(
                config.site_name, self.deck_list(), self.report, self.config.home_deck)))
        files.append(File.generated(config, READING_CSS,
                                    abs_src_path=str(ASSETS / "reading.css")))
        self.files = files
        if self.config.presentation and helper.wanted(list(self.decks.values()),
                                                      dirty=self.dirty):
            self._start_helper(config, files)
        return files

    def _start_helper(self, config: MkDocsConfig, files: Files) -> None:
        """Fork the helper process of a full build (`diapo.site.helper`), files all known."""
        names = [loaded.deck.name for loaded in self.decks.values()]
        share = page_share.shareable(config, own=[self._links])
        self._config, self._forked = config, page_share.signature(config, files)
        self._helper = helper.Helper.start(inputs=helper.Inputs(
            decks={d.deck.name: d.deck for d in self.decks.values()},
            site_dir=Path(config.site_dir), config=self.config, report=self.report,
            render=self._render_page if share else None,
            claims=page_share.Claims(names) if share else None))
        # The first deck's page is made here while the helper process starts: waiting for
        # the fork would cost more than scanning one deck.
        self._readings = self._helper.scan(list(self.decks.values())[1:])
        self._helper.render_pages(names[1:])
        self._helper.write_views()

    def _render_page(self, name: str, slides: str) -> page_share.Rendered:
        """In the helper: the reading page of deck `name`, its slides' Markdown given, as
        MkDocs renders it (`on_page_markdown`, then `Page.render`)."""
        files, config = self.files, self._config
        assert files is not None and config is not None
        uri, loaded = next((uri, d) for uri, d in self.decks.items() if d.deck.name == name)

        def markdown(page: Page) -> str:
            self._links.rewriter = self._rewriter(name, page, files)
            return reading.page(self._summary(loaded), slides)

        return page_share.render(files.src_uris[uri], config, files, markdown)

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        # Every page is read (and the scans are known): check links, anchors and images, with
        # one error naming every broken place, before any page is written.
        handle(links.check(self._site(files)), strict=self.config.strict, log=log)
        # Theme templates compile once per process: live-reload rebuilds reuse the bytecode.
        env.bytecode_cache = TEMPLATE_BYTECODE
        return env

    def _refresh_after_verify(self, files: Files) -> None:
        """A new verify report changes every deck's badges: dirty rebuilds must redo them all.

        MkDocs rebuilds a page when its output is older than its source; removing the outputs
        (in the dev server's own temporary site) makes it rebuild them.
        """
        stamp = _mtime(self.report_path)
        if stamp == self._report_stamp:
            return
        for file in files.documentation_pages():
            loaded = self.decks.get(file.src_uri)
            if loaded is not None:
                Path(file.abs_dest_path).unlink(missing_ok=True)
                self._stale.add(loaded.deck.name)
        self._report_stamp = stamp

    def deck_names(self) -> frozenset[str]:
        """The names of the site's decks."""
        return frozenset(loaded.deck.name for loaded in self.decks.values())

    def deck_list(self) -> list[Deck]:
        """The decks of the site, by name."""
        return sorted((d.deck for d in self.decks.values()), key=lambda deck: deck.name)

    def _site(self, files: Files) -> links.Site:
        by_name = {loaded.deck.name: loaded for loaded in self.decks.values()}
        return links.Site(
            scans={name: loaded.scan for name, loaded in by_name.items()},
            slide_counts={name: len(loaded.deck.slides) for name, loaded in by_name.items()},
            files={file.src_uri for file in files},
            home_deck=self.config.home_deck,
        )

    # ------------------------------------------------------------------ pages

    @event_priority(-100)  # after the other plugins' on_nav
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        # Every file is known and no page rendered yet: the helper renders pages only with
        # the files and Markdown settings this process has.
        if self._helper is not None and (
                page_share.signature(config, files) != self._forked
                or not page_share.shareable(config, own=[self._links])):
            self._helper.keep_pages()
        return nav

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        loaded = self.decks.get(page.file.src_uri)
        if loaded is None:
            if page.file.src_uri == "index.md" and not page.file.generated_by:
                return home.fill(markdown, self.deck_list(), self.report, self.config.home_deck)
            return markdown
        deck = loaded.deck
        page.meta["title"] = deck.title
        if deck.description:
            page.meta.setdefault("description", deck.description)
        self._links.rewriter = self._rewriter(deck.name, page, files)
        pending = self._readings.pop(deck.name, None)
        slides = decks.from_helper(pending) if pending is not None else None
        if slides is None:
            slides = reading.render(deck, loaded.scan, badges.proofs(deck, self.report))
        rendered = self._helper.page(deck.name) if self._helper is not None else None
        if rendered is not None:
            page.__dict__["render"] = _adopting(page, rendered)
        return reading.page(self._summary(loaded), slides)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str:
        self._links.rewriter = None
        loaded = self.decks.get(page.file.src_uri)
        if loaded is None:
            return html
        page.toc = slide_toc(loaded)
        if page.present_anchor_ids is not None:  # the slide bars' ids, for MkDocs' checks
            page.present_anchor_ids.update(str(s.number) for s in loaded.deck.slides)
        return reading.finish(html, loaded.deck, notes=self.config.reading_notes)

    def _summary(self, loaded: SiteDeck) -> str:
        """The bar above the slides: present button, size, proof."""
        deck = loaded.deck
        url = reading.presentation_url(deck.name)
        count = len(deck.slides)
        facts = [f"{count} diapositive{'s' if count > 1 else ''}",
                 home.proof_line(deck, self.report)]
        if self.report is not None and badges.visible(deck.demos):
            facts.append(f"vérification {badges.run_detail(self.report)}")
        description = (f'<p class="diapo-description">{escape(deck.description)}</p>'
                       if deck.description else "")
        return (
            f'<div class="diapo-deck-bar">{description}<p{badges.SEARCH_EXCLUDE}>'
            f'<a class="md-button md-button--primary diapo-present-deck" href="{url}">'
            f"Présenter</a> "
            f'<span class="diapo-facts">{escape(" · ".join(facts))}</span></p></div>'
        )

    def _rewriter(self, deck_name: str, page: Page, files: Files) -> LinkRewriter:
        names = {loaded.deck.name for loaded in self.decks.values()}
        home_deck = self.config.home_deck

        def raw_href(url: str) -> str | None:
            found = links.target_source(url, deck_name, names, home_deck)
            if found is None:
                return None
            source, fragment = found
            target = files.get_file_from_path(source)
            if target is None:
                return None
            href = get_relative_url(target.url, page.file.url)
            return href + (f"#{fragment}" if fragment else "")

        return LinkRewriter(
            markdown_href=lambda url: links.reading_href(url, deck_name, names, home_deck),
            raw_href=raw_href,
        )

    # ------------------------------------------------------------------ presentation view

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.presentation:
            return
        try:
            from diapo.site import presentation
        except ImportError:
            log.warning("vue de présentation indisponible : pas de module diapo.site.presentation")
            return
        if self._helper is not None:
            running, self._helper = self._helper, None
            try:
                if decks.from_helper(running.wait) is not None:
                    return
            except DiapoError as exc:  # e.g. an unknown theme: fail cleanly, also in the CLI
                raise SiteError(exc.message, exc.location, exc.hint) from None
            log.info("processus auxiliaire arrêté : vues de présentation écrites ici")
        site_dir = Path(config.site_dir)
        for loaded in self.decks.values():
            deck = loaded.deck
            if (self.dirty and deck.name not in self._stale
                    and _up_to_date(site_dir / f"{deck.name}.html", deck.path)):
                continue
            try:
                presentation.write(deck, site_dir=site_dir, config=self.config,
                                   report=self.report, files=self.files,
                                   deck_names=self.deck_names())
            except SiteError:
                raise
            except DiapoError as exc:  # e.g. an unknown theme: fail cleanly, also in the CLI
                raise SiteError(exc.message, exc.location, exc.hint) from None
        self._stale.clear()

    def on_build_error(self, *, error: Exception) -> None:
        if self._helper is not None:
            running, self._helper = self._helper, None
            running.stop()

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        # The report is replaced atomically (a rename), so watch its folder, not recursively:
        # .diapo/cluster/ next to it changes all the time while the cluster runs.
        folder = self.report_path.parent
        folder.mkdir(parents=True, exist_ok=True)
        server.watch(str(folder), recursive=False)
        return server


def _adopting(page: Page, rendered: Future[page_share.Rendered | None],
              ) -> Callable[[MkDocsConfig, Files], None]:
    """`page.render` for a page the helper renders: adopt its rendering, or render here when
    the helper failed or the page's Markdown is not the one it rendered (a later plugin
    changed it)."""

    def render(config: MkDocsConfig, files: Files) -> None:
        del page.__dict__["render"]  # back to MkDocs' own
        try:
            done = rendered.result()
        except Exception:  # noqa: BLE001 - rendering here raises the real error, if any
            done = None
        if done is not None and done.markdown == page.markdown:
            page_share.adopt(page, done, files)
        else:
            page.render(config, files)

    return render


def _reading_page_at(file: File, name: str) -> None:
    """Put a deck's reading page at `<name>/` whatever `use_directory_urls` says, so that
    `<name>.html` stays the presentation view, as marp-cli names it (`index.md` too: its
    presentation is the site's root `index.html`, its reading page `index/`)."""
    file.dest_uri = f"{name}/index.html"
    for derived in ("url", "abs_dest_path"):  # cached from dest_uri
        file.__dict__.pop(derived, None)


def _location(file: File) -> Location:
    """The first line of a docs file, for errors that carry no line."""
    return Location(decks.display_path(Path(file.abs_src_path)), 1)  # type: ignore[arg-type]


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _up_to_date(output: Path, source: Path) -> bool:
    """True when `output` exists and is newer than `source` (dirty rebuilds skip it)."""
    try:
        return output.stat().st_mtime_ns >= Path(source).stat().st_mtime_ns
    except OSError:
        return False


def slide_toc(loaded: SiteDeck) -> TableOfContents:
    """The page's table of contents: one entry per slide, grouped under its section heading.

    A slide whose first heading is above a second one (`## Introduction` then `### Swarm`)
    is listed as "Swarm" under "Introduction"; consecutive slides of a section share it.
    """
    items: list[AnchorLink] = []
    group: AnchorLink | None = None
    for slide, scan in zip(loaded.deck.slides, loaded.scan.slides):
        anchor = str(slide.number)
        heads = [h for h in scan.headings if h.title]
        titles = [escape(h.title, quote=False) for h in heads]
        if len(heads) >= 2 and heads[0].level < heads[1].level:
            section, title = titles[0], titles[1]
        else:
            section, title = None, (titles[0] if titles else f"Diapositive {slide.number}")
        entry = AnchorLink(f"{slide.number}. {title}", anchor, 3)
        if section is None:
            group = None
            items.append(AnchorLink(entry.title, anchor, 2))
        elif group is not None and group.title == section:
            group.children.append(entry)
        else:
            group = AnchorLink(section, anchor, 2)
            group.children.append(entry)
            items.append(group)
    return TableOfContents(items)
