"""Each table of the tag language is the whole definition: a row added here, in one place,
is parsed, validated, suggested and named in the errors like the built-in ones."""

from __future__ import annotations

import pytest

from diapo.deck import demos, directives, parse
from diapo.deck.model import DemoKind
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
