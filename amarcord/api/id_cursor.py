"""Cursors of lists ordered by id: the cursor is the last id of the previous page."""

from __future__ import annotations

from amarcord.api.http import decode_cursor, encode_cursor
from amarcord.domain.errors import ValidationFailed

_KEYS = ("id",)


def after_id(cursor: str | None) -> int | None:
    if not cursor:
        return None
    last = decode_cursor(cursor, _KEYS)["id"]
    if not isinstance(last, int) or isinstance(last, bool):
        raise ValidationFailed.single(("query", "cursor"), "cursor does not belong to this list")
    return last


def next_cursor(has_more: bool, last_id: int | None) -> str | None:
    if not has_more or last_id is None:
        return None
    return encode_cursor({"id": last_id})
