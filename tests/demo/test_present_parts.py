"""Parts of `invoke present` that need no cluster: ANSI to HTML, the differing lines, the
recorded banner, the commands the hub refuses."""

from __future__ import annotations

import pytest

from diapo.deck.model import Expect
from diapo.demo import match, present_hub
from diapo.demo.live_keys import RemoteKeys
from diapo.demo.present_ansi import AnsiHtml
from diapo.demo.present_hub import Hub, Refusal, banner, minor, short_date
from diapo.demo.report import DemoResult
from diapo.errors import Location
from tests.deck.conftest import deck


def test_output_is_escaped_and_colours_become_styles_across_chunks():
    converter = AnsiHtml()
    pieces = [b"<script>alert(1)</script> \x1b[1;3", b"1mrouge\x1b[0m \xc3", b"\xa9t\xc3\xa9",
              b" \x1b[38;5;208morange\x1b[39m \x1b[38;2;1;2;3mrvb\x1b[m\x1b[?2004h fin\r\n"]
    html = "".join(converter.feed(p) for p in pieces) + converter.close()
    assert html == ('&lt;script&gt;alert(1)&lt;/script&gt; '
                    '<span style="color:#cd3131;font-weight:bold">rouge</span> été '
                    '<span style="color:#ff8700">orange</span> '
                    '<span style="color:#010203">rvb</span> fin\n')


def test_lines_keep_their_colour_and_balance_their_spans():
    lines = AnsiHtml().lines(b"a\x1b[32mvert\r\nencore\x1b[0m fin\nplain & <b>")
    assert lines == ['a<span style="color:#0dbc79">vert</span>',
                     '<span style="color:#0dbc79">encore</span> fin',
                     'plain &amp; &lt;b&gt;']


def _expect(text: str, mode: str = "ellipsis") -> Expect:
    return Expect(text=text, match=mode, location=Location("t.md", 1), end_line=3)


@pytest.mark.parametrize(("want", "got", "mode", "marks"), [
    ("a\nb\nc\n", "a\nb\nc\n", "ellipsis", (set(), set())),
    ("a\nb\nc\n", "a\nB\nc\n", "ellipsis", ({1}, {1})),
    ("début\n...\nfin\n", "début\nx\ny\nFIN\n", "ellipsis", ({3}, {2})),
    ("a\n", "a\nen plus\n", "exact", ({1}, set())),
    ("NAME   AGE\nweb    5s\n", "NAME   AGE\napi    9s\n", "table", ({1}, {1})),
])
def test_differing_lines_follow_the_match_rule(want, got, mode, marks):
    assert match.differing_lines(_expect(want, mode), got) == marks


def test_banner_names_the_date_and_the_minor_version():
    class Recorded:
        date = "2026-12-01T17:45:00+00:00"
        version = "v1.37.2"

    assert banner(Recorded()) == "sortie enregistrée le 01/12/2026, Kubernetes 1.37"
    assert short_date("pas une date") == "pas une date"
    assert minor("v1.33.13") == "1.33"


def _hub(fd: int) -> Hub:
    class Recorded:
        date = None
        version = ""
        results: dict = {}

    d = deck("""\
        # Un

        ```bash demo=visible
        echo oui
        ```

        ```bash demo=cache hidden
        echo non
        ```
        """)
    return Hub(d, d.demos, RemoteKeys(fd), Recorded(), None)


def test_the_hub_runs_only_the_decks_visible_demos_and_sends_keys_only_to_one(tmp_path):
    with open(tmp_path / "stdin", "w+b") as stdin:
        _check_refusals(_hub(stdin.fileno()))


def _check_refusals(hub: Hub) -> None:
    for demo_id in ("inconnue", "cache", None, ["visible"]):
        with pytest.raises(Refusal) as refused:
            hub.command("run", {"demo": demo_id})
        assert refused.value.status == 404
    with pytest.raises(Refusal) as refused:
        hub.command("keys", {"data": "rm -rf /\r"})
    assert refused.value.status == 409
    with pytest.raises(Refusal) as refused:
        hub.command("exec", {"command": "id"})
    assert refused.value.status == 404
    with pytest.raises(Refusal):
        hub.command("slide", {"slide": 99})
    assert hub.command("run", {"demo": "visible"}) == {"ok": True}
    assert hub.keys.pop() == ("run", "visible", False)
    assert [d["id"] for d in hub.state()["demos"]] == ["visible"]  # hidden ones are not listed


def test_a_second_click_before_the_step_starts_is_refused(tmp_path, monkeypatch):
    with open(tmp_path / "stdin", "w+b") as stdin:
        hub = _hub(stdin.fileno())
        visible = hub.demos[0]
        assert hub.command("run", {"demo": "visible"}) == {"ok": True}
        for kind, body in (("run", {"demo": "visible"}), ("skip", {})):  # still in pre-flight
            with pytest.raises(Refusal) as refused:
                hub.command(kind, body)
            assert refused.value.status == 409
        assert hub.keys.pop() == ("run", "visible", False)
        assert not hub.keys._commands  # the refused ones were never queued
        hub.observe("start", {"demo": visible})
        hub.observe("end", {"demo": visible, "result": DemoResult(
            id="visible", slide=1, line=3, kind="run", status="passed", command="echo oui")})
        assert hub.command("run", {"demo": "visible"}) == {"ok": True}  # free again
        # A run the lecture dropped does not block the buttons for good.
        monkeypatch.setattr(present_hub, "ASKED_FOR", 0.0)
        assert hub.command("run", {"demo": "visible"}) == {"ok": True}
