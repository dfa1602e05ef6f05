"""JUnit XML from a verify report: one test suite per deck, one test case per demo."""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from diapo.demo.report import FAILED, SKIPPED, Report

MAX_TEXT = 20_000  # characters of output kept per test case


def to_junit(report: Report) -> ET.Element:
    """The report as a `<testsuites>` element (CI servers show it as tests)."""
    suites = ET.Element("testsuites", name="diapo verify")
    totals = {"tests": 0, "failures": 0, "skipped": 0, "time": 0.0}
    for deck in report.decks:
        counts = deck.counts()
        suite = ET.SubElement(suites, "testsuite", name=deck.deck, tests=str(len(deck.demos)),
                              failures=str(counts[FAILED]), errors="0",
                              skipped=str(counts[SKIPPED]), time=f"{deck.duration:.3f}",
                              timestamp=report.date, file=deck.path)
        props = ET.SubElement(suite, "properties")
        for name, value in (("namespace", deck.namespace or ""),
                            ("context", report.cluster.context),
                            ("kubernetes_version", report.cluster.kubernetes_version)):
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
            if demo.output:
                ET.SubElement(case, "system-out").text = _clip(demo.output)
        totals["tests"] += len(deck.demos)
        totals["failures"] += counts[FAILED]
        totals["skipped"] += counts[SKIPPED]
        totals["time"] += deck.duration
    for key, value in totals.items():
        suites.set(key, f"{value:.3f}" if key == "time" else str(value))
    return suites


def write_junit(report: Report, path: str | Path) -> Path:
    """Write the JUnit XML atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(to_junit(report))
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
