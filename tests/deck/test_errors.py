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
    assert "YAML du front-matter invalide" in err.message
    assert str(err).startswith("t.md:")


def test_duplicate_front_matter_key_is_an_error() -> None:
    err = error("---\npaginate: true\npaginate: false\n---\n")
    assert "clé 'paginate' en double" in err.message and err.location.line == 3


def test_unclosed_front_matter() -> None:
    err = error("---\npaginate: true\n\n# Titre\n")
    assert err.location.line == 1 and "n'est jamais fermé par une ligne '---'" in err.message


def test_unterminated_fence_names_its_opening_line() -> None:
    err = error("# a\n\n---\n\ntexte\n\n```bash\necho ---\n---\n")
    assert err.location.line == 7
    assert "ce bloc de code (```) n'est jamais fermé" in err.message
    assert err.hint == "fermez-le par une ligne ```"
    assert str(err).endswith(":7: ce bloc de code (```) n'est jamais fermé\n"
                             "  conseil : fermez-le par une ligne ```"), str(err)


def test_unterminated_comment() -> None:
    err = error("# a\n\n<!-- oubli\n\n---\n\n## b\n")
    assert err.location.line == 3 and "jamais fermé par '-->'" in err.message


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
    expected = ("directive inconnue 'pagnate' dans le front-matter, ignorée (vouliez-vous "
                "dire 'paginate' ?)")
    assert (3, expected) in messages
    assert (8, "directive inconnue 'colour' ignorée (vouliez-vous dire 'color' ?)") in messages
    assert any(line == 13 and "'bakgroundColor'" in m and "reste une note du présentateur" in m
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
    assert "n'est pas en UTF-8 valide" in info.value.message


def test_missing_file_is_a_deck_error(tmp_path: Path) -> None:
    with pytest.raises(DeckError):
        parse(tmp_path / "absent.md")


@pytest.mark.parametrize(("info", "message"), [
    ("bash demo colour=red", "balise de démo inconnue 'colour'"),
    ("bash demo=a/b", "identifiant de démo invalide 'a/b'"),
    ("bash demo exit=zero", "exit='zero' invalide : un entier est attendu"),
    ("bash demo timeout=-1", "un nombre de secondes positif est attendu"),
    ("bash demo timeout=soon", "timeout='soon' invalide : un nombre de secondes est attendu"),
    ("bash demo only=always", "only='always' invalide : attendu live ou ci"),
    ("bash demo needs=gpu", "needs='gpu' invalide : attendu node"),
    ("bash demo hidden=yes", "'hidden' ne prend pas de valeur"),
    ("bash demo wait=", "'wait' demande une valeur"),
    ("bash demo match=regex", "match= se met sur le bloc expect"),
    ("bash hidden", "demandent une balise demo, apply ou file="),
    ("bash demo apply", "'demo' ne se combine pas avec apply"),
    ("bash apply", "apply demande un bloc YAML ou JSON, pas 'bash'"),
    ("yaml file=/etc/passwd", "doit être un chemin relatif"),
    ("yaml file=../../x.yaml", "sort du répertoire de travail de l'exécution"),
    ("yaml file=a/../../x.yaml", "sort du répertoire de travail de l'exécution"),
    ('bash demo wait="deployment/x Available',
     "attributs de bloc invalides 'demo wait=\"deployment/x Available' : guillemet fermant "
     "manquant"),
    ("yaml file=a.yaml wait=deployment/x", "wait= demande une étape (demo ou apply)"),
    ("yaml file=a.yaml warn=obsolète", "warn= demande une étape (demo ou apply)"),
    ("yaml apply interactive", "'interactive' demande une étape shell (demo), pas un bloc apply"),
    ("yaml file=a.yaml input=clavier.txt", "input= demande une étape shell (demo)"),
    ("bash demo exit=1 exit=2", "'exit' écrit deux fois sur le même bloc"),
    ("bash demo hidden hidden", "'hidden' écrit deux fois sur le même bloc"),
])
def test_bad_demo_tags(info: str, message: str) -> None:
    err = error(f"# a\n\ntexte\n\n```{info}\nkubectl get pods\n```\n")
    assert message in str(err)
    assert err.location.line == 5


def test_repeatable_options_keep_every_value_in_order() -> None:
    parsed = deck('# a\n\n```bash demo wait="pod/a Ready" warn=x wait=http://a.localhost\n'
                'ls\n```\n')
    assert parsed.demos[0].wait == ["pod/a Ready", "http://a.localhost"]
    assert parsed.demos[0].warn == ["x"]


def test_duplicate_demo_ids_name_both_lines() -> None:
    err = error("# a\n\n```bash demo=x\nls\n```\n\n---\n\n```bash demo=x\npwd\n```\n")
    assert err.location.line == 9 and "(déjà utilisé ligne 3)" in err.message


def test_generated_id_collision_is_reported() -> None:
    err = error("```bash demo=1-2\nls\n```\n\n```bash demo\npwd\n```\n")
    assert "identifiant de démo '1-2' en double" in err.message


@pytest.mark.parametrize(("text", "message"), [
    ("```text expect\nx\n```\n", "doit suivre une étape de démo"),
    ("```bash\nls\n```\n```text expect\nx\n```\n", "doit suivre une étape de démo"),
    ("```yaml file=a.yaml\nx: 1\n```\n```text expect\nx\n```\n",
     "ne peut pas suivre un bloc file="),
    ("```bash demo\nls\n```\n```text expect\na\n```\n```text expect\nb\n```\n",
     "la démo '1-1' a déjà un bloc expect (ligne 4)"),
    ("```bash demo\nls\n```\n```text expect match=fuzzy\nx\n```\n",
     "match='fuzzy' invalide : attendu exact, ellipsis, regex ou table"),
    ("```bash demo\nls\n```\n```text expect exit=1\nx\n```\n",
     "'exit' n'est pas permis sur un bloc expect"),
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
    assert f"{bad}:3: valeur 'maybe' invalide pour paginate" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
