"""Compiled Jinja templates kept in memory for the whole process.

MkDocs builds a new Jinja environment on every build, so `invoke serve` would recompile the
Material templates on each live reload; the plugin gives every environment this cache instead.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class MemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept in memory, keyed by template name and source checksum."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        """Forget every compiled template (benchmarks of a first build)."""
        self._code.clear()


TEMPLATE_BYTECODE = MemoryBytecodeCache()
