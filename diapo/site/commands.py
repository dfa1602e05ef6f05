"""`invoke build`, `invoke serve` and `invoke pdf`: the site commands, through MkDocs' Python API.

Every failure becomes a `DiapoError` with a one-line (or one-per-problem) message naming the
file and line: broken decks, links and images (from the plugin), invalid mkdocs.yml, and
MkDocs' own strict-mode warnings.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException

from diapo.errors import DiapoError
from diapo.project import Project


class _WarningCollector(logging.Handler):
    """Keeps MkDocs' warnings so a strict-mode abort can say what they were."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _console_logging() -> None:
    """Show MkDocs' messages the way `mkdocs build` does (once; the CLI sets its own)."""
    logger = logging.getLogger("mkdocs")
    if logger.handlers:
        return
    from mkdocs.__main__ import ColorFormatter

    handler = logging.StreamHandler()
    handler.setFormatter(ColorFormatter())
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def _load(root: Path | None, *, strict: bool, **overrides: object) -> MkDocsConfig:
    """mkdocs.yml of the project at or above `root`, with diapo's strictness applied."""
    path = Project.find(root).mkdocs_yml
    try:
        config = load_config(config_file=str(path), strict=strict, **overrides)  # type: ignore[arg-type]
    except ConfigurationError as exc:
        raise DiapoError(f"{path}: {exc}") from None
    plugin = config.plugins.get("diapo")
    if plugin is None:
        raise DiapoError(f"{path}: le plugin « diapo » n'est pas activé (plugins: - diapo)")
    plugin.config.strict = strict  # `invoke build --no-strict` reports without failing
    return config


_KINDS = {"warning": "avertissement", "error": "erreur"}


def _aborted(message: str) -> str:
    """MkDocs' abort message (`Aborted with 2 warnings in strict mode!`), in French."""
    if message == "Aborted with a BuildError!":
        return "construction interrompue par une erreur (BuildError)"
    found = re.fullmatch(r"Aborted with (.+) in strict mode!", message)
    if found is None:
        return message
    counts = [(int(n), _KINDS.get(kind, kind))
              for n, kind in re.findall(r"(\d+) (\w+?)s\b", found.group(1))]
    if not counts:
        return message
    listed = ", ".join(f"{n} {word}{'s' if n > 1 else ''}" for n, word in counts)
    return f"construction interrompue en mode strict : {listed}"


def build(strict: bool = True, clean: bool = False, *, root: Path | None = None,
          dirty: bool = False) -> int:
    """Build the site into `site_dir`; 0 on success, a `DiapoError` otherwise.

    `clean` removes the output directory first (MkDocs otherwise empties it without removing
    hidden files); `dirty` rebuilds only the pages whose source changed (live reload).
    """
    _console_logging()
    config = _load(root, strict=strict)
    if clean and Path(config.site_dir).exists():
        shutil.rmtree(config.site_dir)
    collector = _WarningCollector()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collector)
    config.plugins.on_startup(command="build", dirty=dirty)  # as `mkdocs build` does
    try:
        mkdocs_build(config, dirty=dirty)
    except DiapoError:
        raise
    except Abort as exc:
        details = "\n".join(f"  {message}" for message in collector.messages)
        raise DiapoError(f"{_aborted(exc.message)}\n{details}".rstrip()) from None
    except MkDocsException as exc:
        raise DiapoError(exc.format_message()) from None
    finally:
        mkdocs_log.removeHandler(collector)
        config.plugins.on_shutdown()
    return 0


def serve(addr: str = "127.0.0.1:8000", *, root: Path | None = None) -> int:
    """Serve the site with live reload; a deck edit rebuilds only that deck's pages."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    path = Project.find(root).mkdocs_yml
    _console_logging()
    _load(root, strict=False)  # fail early, with a clean message, on a broken mkdocs.yml
    try:
        mkdocs_serve(config_file=str(path), dev_addr=addr, livereload=True, build_type="dirty",
                     strict=False)
    except MkDocsException as exc:
        raise DiapoError(exc.format_message()) from None
    return 0
