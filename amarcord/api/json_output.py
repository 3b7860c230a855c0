"""JSON responses encoded by orjson.

Quart's provider (through quart-schema's subclass) encodes with the standard library, sorted
keys and ASCII escapes: a run with its attributi took about as long to encode as its
database read. `install` keeps that provider for everything but the encoding: the same sorted
keys, the same fallback (`default`) for types JSON lacks, with orjson's UTF-8 output. Every
JSON response passes `separators=(",", ":")`, which is orjson's output already; only other
arguments (indentation in debug mode, say) go to the standard library.
Request bodies are still parsed by the standard library, which reads `NaN` and `Infinity`:
those must reach validation and be answered 422 at their field, not 400."""

from __future__ import annotations

from typing import Any

import orjson
from quart import Quart

# Datetimes and dataclasses go to the provider's `default` as before, so they keep its format
# (pydantic's: "2026-11-20T08:00:00Z", where orjson would write "+00:00").
_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


# What `response()` passes for compact output; orjson's output is compact anyway.
_COMPACT = {"separators": (",", ":")}


def install(app: Quart) -> None:
    base: Any = type(app.json)

    class OrjsonProvider(base):  # type: ignore[misc]
        def dumps(self, obj: Any, **kwargs: Any) -> str:
            if kwargs and kwargs != _COMPACT:  # a caller's own json.dumps arguments
                return str(super().dumps(obj, **kwargs))
            return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()

    app.json = OrjsonProvider(app)
