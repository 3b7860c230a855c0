"""Keys in URLs and cursors of lists ordered by several columns (name, then id), and the
checks that keep impossible URL values (too large a number, a NUL character) from queries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quart import request
from werkzeug.exceptions import NotFound

from amarcord.api.http import decode_cursor, encode_cursor
from amarcord.domain.errors import FieldError, ValidationFailed
from amarcord.domain.limits import MAX_ID

# Ids are 32-bit integers; a larger one in a URL is an unknown resource (404), not a
# database error (PostgreSQL refuses to compare an INTEGER column with it).
ID = f"int(max={MAX_ID})"


def reject_numbers_beyond_columns(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A URL whose id or run number exceeds the 32-bit columns names nothing: 404, before
    access control or a handler sends it to the database (PostgreSQL would answer with an
    error). Installed for every route by `create_app`."""
    if values and any(isinstance(value, int) and value > MAX_ID for value in values.values()):
        raise NotFound("no resource has such a large id or number")


def reject_nul_characters(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """NUL characters in the URL (`%00`): in a path they name nothing (404), in a query
    parameter they are a 422 at it. PostgreSQL cannot compare text with them. Installed for
    every route by `create_app`, like the check above."""
    if values and any(isinstance(value, str) and "\x00" in value for value in values.values()):
        raise NotFound("no resource has a name with a NUL character")
    errors = [
        FieldError(("query", name), "NUL characters (%00) are not allowed")
        for name, value in request.args.items(multi=True)
        if "\x00" in value or "\x00" in name
    ]
    if errors:
        raise ValidationFailed(errors[0].msg, errors)


def _fits(value: object, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID
    return isinstance(value, kind)


def cursor_position(cursor: str | None, keys: Mapping[str, type]) -> tuple[Any, ...] | None:
    """The position a cursor of this list encodes, in the order of `keys`; 422 for a cursor
    this list never issued."""
    if not cursor:
        return None
    position = decode_cursor(cursor, tuple(keys))
    if not all(_fits(position[key], kind) for key, kind in keys.items()):
        raise ValidationFailed.single(("query", "cursor"), "cursor does not belong to this list")
    return tuple(position[key] for key in keys)


def next_cursor(has_more: bool, position: Mapping[str, Any]) -> str | None:
    return encode_cursor(dict(position)) if has_more and position else None
