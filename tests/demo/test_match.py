"""Matchers: each mode passing and failing, with a readable diff."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from diapo.deck.model import Expect
from diapo.demo.match import clean_output, ellipsis_match, match, table_rows, updated_text
from diapo.errors import DeckError, at


def expect(text: str, mode: str = "ellipsis") -> Expect:
    return Expect(text, mode, at("docs/cours.md", 12), 15)


def test_exact_passes_and_fails_with_diff():
    assert match(expect("a\nb", "exact"), "a\nb\n").ok
    result = match(expect("a\nb", "exact"), "a\nc\n")
    assert not result.ok
    assert result.diff.splitlines() == ["--- attendu", "+++ obtenu", "@@ ligne 1 de la sortie @@",
                                        " a", "-b", "+c"]


def test_exact_keeps_trailing_spaces_significant():
    assert not match(expect("a  ", "exact"), "a\n").ok


def test_ellipsis_matches_any_text_and_ignores_trailing_whitespace():
    assert match(expect("Client Version: v1...\n...\nfin"), "Client Version: v1.32.4   \n"
                                                            "x\ny\nfin\n\n").ok
    assert match(expect("pod/whoami-... created"), "pod/whoami-abc12 created").ok


def test_ellipsis_failure_diff_hides_lines_matched_by_ellipsis():
    result = match(expect("début\n...\nfin"), "début\n1\n2\n3\n4\n5\n6\n7\nFIN\n")
    assert not result.ok
    lines = result.diff.splitlines()
    assert lines[-2:] == ["-fin", "+FIN"]
    assert not any(line.startswith(("-", "+")) and line[1:] in "1234567" for line in lines[2:])


def test_update_keeps_the_ellipses_and_lines_that_still_match():
    old = expect("Version: v1...\nnœuds: 2\n...\nfin")
    assert updated_text(old, "Version: v1.33.1\nnœuds: 3\nx\ny\nfin\n") == \
        "Version: v1...\nnœuds: 3\n...\nfin"
    assert updated_text(expect("a\nb", "exact"), "a\nc  \n") == "a\nc"


def test_regex_passes_fails_and_rejects_bad_patterns():
    assert match(expect(r"deployment\.apps/\w+ created", "regex"),
                 "deployment.apps/whoami created\n").ok
    result = match(expect(r"^\d+ pods?$", "regex"), "trois pods\n")
    assert not result.ok and "+trois pods" in result.diff
    with pytest.raises(DeckError) as err:
        match(expect("(", "regex"), "x")
    assert "docs/cours.md:12" in str(err.value)


TABLE = """\
NAME                      READY   STATUS    RESTARTS      AGE
whoami-7d9c8b6f5-x2x4z    1/1     Running   0             12s
whoami-7d9c8b6f5-bq8zk    1/1     Running   3 (5m ago)    3d
"""


def test_table_ignores_age_restarts_and_pod_hashes():
    actual = """\
NAME                     READY   STATUS    RESTARTS   AGE
whoami-5f6b8d9c7-zzkq4   1/1     Running   0          1s
whoami-5f6b8d9c7-h2dmw   1/1     Running   0          1s
"""
    assert match(expect(TABLE, "table"), actual).ok


def test_table_failure_diff_names_the_changed_cells():
    actual = """\
NAME                     READY   STATUS    RESTARTS   AGE
whoami-5f6b8d9c7-zzkq4   0/1     Pending   0          1s
whoami-5f6b8d9c7-h2dmw   1/1     Running   0          1s
"""
    result = match(expect(TABLE, "table"), actual)
    assert not result.ok
    changed = [line for line in result.diff.splitlines()[2:] if line[:1] in "-+"]
    assert changed == ["-whoami-xxxxx-xxxxx   1/1     Running",
                       "+whoami-xxxxx-xxxxx   0/1     Pending"]


def test_table_rows_keep_values_with_spaces():
    rows = table_rows("NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
                      "web    ClusterIP   10.96.0.12   <none>        80/TCP    2m")
    assert rows == [("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)"),
                    ("web", "ClusterIP", "10.96.0.12", "<none>", "80/TCP")]


def test_clean_output_strips_colours_and_carriage_returns():
    assert clean_output(b"\x1b[32mvert\x1b[0m\r\n10%\r100%\n") == "vert\n100%\n"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
       st.integers(0, 60), st.integers(0, 60))
def test_ellipsis_over_any_slice_still_matches(text: str, a: int, b: int):
    a, b = sorted((min(a, len(text)), min(b, len(text))))
    assert ellipsis_match(text[:a] + "..." + text[b:], text)
    assert ellipsis_match(text, text)


def test_update_leaves_a_regex_block_alone():
    assert updated_text(expect("^a$", "regex"), "b\n") is None  # --update leaves a regex
