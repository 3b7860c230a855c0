"""JSON responses encoded by orjson.

Quart's provider (through quart-schema's subclass) encodes with the standard library, sorted
keys and ASCII escapes: a run with its attributi took about as long to encode as its
database read. `install` keeps that provider for everything but the encoding: the same sorted
keys, the same fallback (`default`) for types JSON lacks, with orjson's UTF-8 output.
Request bodies are still parsed by the standard library, which reads `NaN` and `Infinity`:
those must reach validation and be answered 422 at their field, not 400."""

from __future__ import annotations

from typing import Any

import orjson
from quart import Quart

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def install(app: Quart) -> None:
    base: Any = type(app.json)

    class OrjsonProvider(base):  # type: ignore[misc]
        def dumps(self, obj: Any, **kwargs: Any) -> str:
            if kwargs:  # a caller's own json.dumps arguments (indentation, say)
                return str(super().dumps(obj, **kwargs))
            return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()

    app.json = OrjsonProvider(app)
