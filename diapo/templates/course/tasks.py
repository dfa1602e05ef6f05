"""Les tâches invoke du cours (`invoke --list`) : celles de diapo, et celles du cours."""

from diapo.tasks import ns  # noqa: F401  (invoke trouve la collection nommée `ns`)
