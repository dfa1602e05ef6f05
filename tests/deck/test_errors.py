"""Bad input gives a DeckError naming file and line (never a traceback); unknown directives
are warnings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from diapo.deck import parse
from diapo.errors import DeckError

from .conftest import deck, error


def test_malformed_front_matter_yaml_points_at_the_bad_line() -> None:
    err = error("""\
        ---
        paginate: true
        theme: [unclosed
        ---

        # x
        """)
    assert err.location.path == "t.md"
    assert err.location.line in (3, 4)
    assert "front-matter YAML" in err.message
    assert str(err).startswith("t.md:")


def test_duplicate_front_matter_key_is_an_error() -> None:
    err = error("---\npaginate: true\npaginate: false\n---\n")
    assert "duplicated" in err.message and err.location.line == 3


def test_unclosed_front_matter() -> None:
    err = error("---\npaginate: true\n\n# Titre\n")
    assert err.location.line == 1 and "never closed" in err.message


def test_unterminated_fence_names_its_opening_line() -> None:
    err = error("# a\n\n---\n\ntexte\n\n```bash\necho ---\n---\n")
    assert err.location.line == 7
    assert "never closed" in err.message


def test_unterminated_comment() -> None:
    err = error("# a\n\n<!-- oubli\n\n---\n\n## b\n")
    assert err.location.line == 3 and "-->" in err.message


@pytest.mark.parametrize("where", ["front", "comment"])
def test_invalid_paginate_value(where: str) -> None:
    text = ("---\npaginate: maybe\n---\n\n# a\n" if where == "front"
            else "# a\n\n<!-- paginate: maybe -->\n")
    err = error(text)
    assert err.location.line == (2 if where == "front" else 3)
    assert "paginate" in err.message and "maybe" in err.message


@pytest.mark.parametrize("value", ["7", "zero", "[1, 9]"])
def test_invalid_heading_divider(value: str) -> None:
    err = error(f"---\nheadingDivider: {value}\n---\n")
    assert "headingDivider" in err.message and err.location.line == 2


def test_non_text_header_is_an_error() -> None:
    err = error("# a\n\n<!--\nheader:\n  a: b\n-->\n")
    assert "header" in err.message and err.location.line == 3


def test_invalid_math_value() -> None:
    assert "math" in error("---\nmath: latex\n---\n").message


def test_unknown_directives_are_warnings_with_line_and_suggestion() -> None:
    d = deck("""\
        ---
        paginate: true
        pagnate: false
        ---

        # a

        <!-- paginate: false
        colour: red -->

        ---

        <!-- bakgroundColor: red -->
        """)
    messages = [(w.location.line, w.message) for w in d.warnings]
    expected = ("unknown directive 'pagnate' in the front-matter ignored (did you mean "
                "'paginate'?)")
    assert (3, expected) in messages
    assert any(line == 8 and "'colour'" in m and "'color'" in m for line, m in messages)
    assert any(line == 13 and "'bakgroundColor'" in m and "presenter note" in m
               for line, m in messages)
    # Marp's behaviour is kept: the misspelt comment stays a note, the bad key is ignored.
    assert [n.text for n in d.slides[1].notes] == ["bakgroundColor: red"]
    assert d.slides[0].directives["paginate"] is False


def test_plain_notes_with_a_colon_are_not_warned_about() -> None:
    d = deck("# a\n\n<!-- Remarque : insister sur le Pod -->\n")
    assert d.warnings == [] and d.slides[0].notes[0].text == "Remarque : insister sur le Pod"


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("# Titre\n\nligne deux\nd\xe9j\xe0\n".encode("latin-1"))
    with pytest.raises(DeckError) as info:
        parse(path)
    assert info.value.location == (str(path), 4) or info.value.location.line == 4
    assert "UTF-8" in info.value.message


def test_missing_file_is_a_deck_error(tmp_path: Path) -> None:
    with pytest.raises(DeckError):
        parse(tmp_path / "absent.md")


@pytest.mark.parametrize(("info", "message"), [
    ("bash demo colour=red", "unknown demo attribute 'colour'"),
    ("bash demo=a/b", "invalid demo id"),
    ("bash demo exit=zero", "invalid exit='zero'"),
    ("bash demo timeout=-1", "positive number"),
    ("bash demo timeout=soon", "invalid timeout"),
    ("bash demo only=always", "invalid only='always'"),
    ("bash demo needs=gpu", "invalid needs='gpu'"),
    ("bash demo hidden=yes", "'hidden' takes no value"),
    ("bash demo wait=", "'wait' needs a value"),
    ("bash demo match=regex", "match= belongs on the expect block"),
    ("bash hidden", "need a demo, apply or file= tag"),
    ("bash demo apply", "cannot be combined"),
    ("bash apply", "apply needs a YAML or JSON block"),
    ("yaml file=/etc/passwd", "must be a relative path"),
    ("yaml file=../../x.yaml", "escapes the run's work directory"),
    ("yaml file=a/../../x.yaml", "escapes the run's work directory"),
    ('bash demo wait="deployment/x Available', "invalid fence attributes"),
])
def test_bad_demo_tags(info: str, message: str) -> None:
    err = error(f"# a\n\ntexte\n\n```{info}\nkubectl get pods\n```\n")
    assert message in str(err)
    assert err.location.line == 5


def test_duplicate_demo_ids_name_both_lines() -> None:
    err = error("# a\n\n```bash demo=x\nls\n```\n\n---\n\n```bash demo=x\npwd\n```\n")
    assert err.location.line == 9 and "first used at line 3" in err.message


def test_generated_id_collision_is_reported() -> None:
    err = error("```bash demo=1-2\nls\n```\n\n```bash demo\npwd\n```\n")
    assert "duplicate demo id '1-2'" in err.message


@pytest.mark.parametrize(("text", "message"), [
    ("```text expect\nx\n```\n", "must follow a demo step"),
    ("```bash\nls\n```\n```text expect\nx\n```\n", "must follow a demo step"),
    ("```yaml file=a.yaml\nx: 1\n```\n```text expect\nx\n```\n", "cannot follow a file="),
    ("```bash demo\nls\n```\n```text expect\na\n```\n```text expect\nb\n```\n",
     "already has an expect block at line 4"),
    ("```bash demo\nls\n```\n```text expect match=fuzzy\nx\n```\n", "invalid match='fuzzy'"),
    ("```bash demo\nls\n```\n```text expect exit=1\nx\n```\n", "not allowed on an expect"),
])
def test_bad_expect_blocks(text: str, message: str) -> None:
    assert message in str(error(text))


def test_invoke_inspect_reports_errors_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("# a\n\n<!-- paginate: maybe -->\n", encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-m", "invoke", "inspect", str(bad)], cwd=root,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert f"{bad}:3: invalid value 'maybe' for paginate" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
