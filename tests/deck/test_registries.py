"""Each table of the tag language is the whole definition: a row added here, in one place,
is parsed, validated, suggested and named in the errors like the built-in ones."""

from __future__ import annotations

import pytest

from diapo.deck import demos, directives, parse
from diapo.deck.model import DemoKind
from diapo.demo import match
from diapo.errors import DeckError

DECK = """---
marp: true
---

<!-- transition: fade -->

# Un

---

<!-- _transition: none -->

# Deux

---

<!-- transtion: cover -->

# Trois
"""

FENCES = """---
marp: true
---

# Un

```bash demo=attente delai=5
kubectl get pods
```

```yaml apply delai=2
apiVersion: v1
kind: ConfigMap
metadata: {name: x}
```
"""


def test_a_directive_is_one_row_of_the_table(monkeypatch):
    before = parse("cours.md", text=DECK)  # not a directive yet: a presenter's note
    assert [n.text for n in before.slides[0].notes] == ["transition: fade"]
    assert "transition" not in before.slides[0].directives

    monkeypatch.setitem(directives.DIRECTIVES, "transition",
                        directives.DirectiveSpec(directives.LOCAL))
    deck = parse("cours.md", text=DECK)
    assert [s.directives.get("transition") for s in deck.slides] == ["fade", "none", "fade"]
    assert deck.slides[0].notes == []
    assert [(w.location.line, w.message) for w in deck.warnings] == [
        (17, "directive inconnue 'transtion' (vouliez-vous dire 'transition' ?) : ce "
             "commentaire reste une note du présentateur")]


def test_a_suggestion_follows_the_scope_the_table_gives_now(monkeypatch):
    # `_transtion` is suggested with its spot prefix only while `transition` is local; the
    # suggestion is not kept from an earlier answer.
    monkeypatch.setitem(directives.DIRECTIVES, "transition",
                        directives.DirectiveSpec(directives.LOCAL))
    keys = ("paginate", "transition")  # the same names both times: one cache key
    assert directives.suggest("_transtion", keys) == "_transition"
    monkeypatch.setitem(directives.DIRECTIVES, "transition",
                        directives.DirectiveSpec(directives.GLOBAL))
    assert directives.suggest("_transtion", keys) == "transition"


def test_a_fence_option_is_one_row_of_the_table(monkeypatch):
    with pytest.raises(DeckError, match="balise de démo inconnue 'delai'") as unknown:
        parse("cours.md", text=FENCES)
    assert "delai" not in (unknown.value.hint or "")

    def record(demo, values, where):
        demo.timeout = float(values[0])

    monkeypatch.setitem(demos.OPTION_SPECS, "delai",
                        demos.OptionSpec("delai", steps=(DemoKind.RUN,), record=record))
    with pytest.raises(DeckError, match=r"delai= demande une étape shell \(demo\), pas un "
                                        r"bloc apply ou file=") as refused:
        parse("cours.md", text=FENCES)
    assert refused.value.location.line == 11

    deck = parse("cours.md", text=FENCES.replace(" delai=2", ""))
    assert [(d.id, d.timeout) for d in deck.demos] == [("attente", 5.0), ("1-2", None)]
    with pytest.raises(DeckError) as twice:
        parse("cours.md", text=FENCES.replace("delai=5", "delai=5 delai=6"))
    assert "'delai' écrit deux fois" in twice.value.message
    with pytest.raises(DeckError) as unknown_now:
        parse("cours.md", text=FENCES.replace("delai=5", "delais=5"))
    assert "delai" in (unknown_now.value.hint or "")  # the known options, the new one too


EXPECT = """---
marp: true
---

```bash demo
echo Bonjour
```
```text expect match=casse
BONJOUR
...
```
"""


def test_a_matcher_is_one_row_of_the_table(monkeypatch):
    with pytest.raises(DeckError) as unknown:
        parse("cours.md", text=EXPECT)
    assert unknown.value.message == ("match='casse' invalide : attendu exact, ellipsis, regex "
                                     "ou table")
    assert unknown.value.location.line == 8

    def whole(expect, actual):
        return match.MatchResult(match.ellipsis_match(expect.text.lower(), actual.lower()))

    monkeypatch.setitem(match.MATCHERS, "casse", match.Matcher(
        whole, lambda want, got: want.lower() == got.lower(), None))
    expect = parse("cours.md", text=EXPECT).demos[0].expect
    assert expect is not None and expect.match == "casse"
    assert match.match(expect, "bonjour\nle monde\n").ok
    assert not match.match(expect, "salut\n").ok
    assert match.differing_lines(expect, "bonjour\n") == (set(), set())
    assert match.updated_text(expect, "salut\n") is None  # no update rule: left as written
    with pytest.raises(DeckError) as misspelt:
        parse("cours.md", text=EXPECT.replace("casse", "case"))
    assert misspelt.value.message.endswith("attendu exact, ellipsis, regex, table ou casse")
