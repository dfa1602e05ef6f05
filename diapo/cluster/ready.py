"""The Ready condition of a Kubernetes object (node, pod), read from its raw form."""

from __future__ import annotations

from typing import Any


def is_ready(obj: dict[str, Any]) -> bool:
    """True when the object's `Ready` condition has status "True"."""
    return any(cond.get("type") == "Ready" and cond.get("status") == "True"
               for cond in (obj.get("status") or {}).get("conditions") or [])
