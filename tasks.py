"""This course's invoke tasks: diapo's collection (`invoke --list`); add the course's own here."""

from diapo.tasks import ns  # noqa: F401  (invoke finds the collection named `ns`)
