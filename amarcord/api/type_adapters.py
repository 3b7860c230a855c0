"""One pydantic `TypeAdapter` per type for quart-schema.

quart-schema (0.25) builds a new `TypeAdapter` for every request body it validates and for
every dict or list a view returns (`quart_schema.conversion.model_load` / `model_dump`).
Building one costs about 0.3 ms here, several times per request, for types that never change
while the server runs. `install` makes that module build each adapter once; adapters are
immutable and safe to share."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import quart_schema.conversion
from pydantic import TypeAdapter

# Body, response and header types of every route, plus generic aliases built from them.
_MAX_TYPES = 1024


@lru_cache(maxsize=_MAX_TYPES)
def _cached(type_: Any) -> TypeAdapter[Any]:
    return TypeAdapter(type_)


def shared_type_adapter(type_: Any, *args: Any, **kwargs: Any) -> TypeAdapter[Any]:
    if args or kwargs:
        return TypeAdapter(type_, *args, **kwargs)
    try:
        return _cached(type_)
    except TypeError:  # an unhashable type expression
        return TypeAdapter(type_)


def install() -> None:
    quart_schema.conversion.TypeAdapter = shared_type_adapter  # type: ignore[attr-defined,assignment]
