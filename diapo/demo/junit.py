"""JUnit XML from a verify report: one test suite per deck (and per Kubernetes version of a
matrix), one test case per demo; a warning is a property and `system-err` of its case, or a
failure of type "warning" with `--strict-warnings`."""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from diapo.demo.report import FAILED, SKIPPED, WARNED, Report

MAX_TEXT = 20_000  # characters of output kept per test case


def to_junit(report: Report, *, strict_warnings: bool = False) -> ET.Element:
    """The report as a `<testsuites>` element (CI servers show it as tests)."""
    suites = ET.Element("testsuites", name="diapo verify")
    totals: dict[str, float] = {"tests": 0, "failures": 0, "skipped": 0, "time": 0.0}
    runs = [report, *report.matrix]
    for run, deck in ((r, d) for r in runs for d in r.decks):
        counts = deck.counts()
        failures = counts[FAILED] + (counts[WARNED] if strict_warnings else 0)
        version = run.cluster.kubernetes_version
        name = f"{deck.deck} @ {version}" if len(runs) > 1 else deck.deck
        suite = ET.SubElement(suites, "testsuite", name=name, tests=str(len(deck.demos)),
                              failures=str(failures), errors="0",
                              skipped=str(counts[SKIPPED]), time=f"{deck.duration:.3f}",
                              timestamp=run.date, file=deck.path)
        props = ET.SubElement(suite, "properties")
        for name, value in (("namespace", deck.namespace or ""),
                            ("context", run.cluster.context),
                            ("kubernetes_version", version)):
            ET.SubElement(props, "property", name=name, value=value)
        for demo in deck.demos:
            case = ET.SubElement(suite, "testcase", classname=deck.deck,
                                 name=f"diapo {demo.slide} · {demo.id}",
                                 file=deck.path, line=str(demo.line), time=f"{demo.duration:.3f}")
            if demo.status == FAILED:
                failure = ET.SubElement(case, "failure", message=demo.reason or "échec",
                                        type="demo")
                failure.text = _clip(demo.diagnostics or demo.diff or demo.output)
            elif demo.status == SKIPPED:
                ET.SubElement(case, "skipped", message=demo.reason or "")
            elif demo.status == WARNED and strict_warnings:
                failure = ET.SubElement(case, "failure", message=demo.reason or "avertissement",
                                        type="warning")
                failure.text = _clip("\n".join(f"Warning: {w}" for w in demo.warnings))
            if demo.warnings:
                case_props = ET.SubElement(case, "properties")
                for warning in demo.warnings:
                    ET.SubElement(case_props, "property", name="warning", value=_clip(warning))
            if demo.output:
                ET.SubElement(case, "system-out").text = _clip(demo.output)
            if demo.warnings:
                ET.SubElement(case, "system-err").text = _clip(
                    "\n".join(f"Warning: {w}" for w in demo.warnings))
        totals["tests"] += len(deck.demos)
        totals["failures"] += failures
        totals["skipped"] += counts[SKIPPED]
        totals["time"] += deck.duration
    for key, total in totals.items():
        suites.set(key, f"{total:.3f}" if key == "time" else str(total))
    return suites


def write_junit(report: Report, path: str | Path, *, strict_warnings: bool = False) -> Path:
    """Write the JUnit XML atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(to_junit(report, strict_warnings=strict_warnings))
    ET.indent(tree)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".junit-", suffix=".xml")
    with os.fdopen(fd, "wb") as handle:
        tree.write(handle, encoding="utf-8", xml_declaration=True)
    os.replace(tmp, path)
    return path


def _clip(text: str) -> str:
    # XML 1.0 cannot carry most control characters: drop them.
    text = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 32)
    return text if len(text) <= MAX_TEXT else "[...]\n" + text[-MAX_TEXT:]
