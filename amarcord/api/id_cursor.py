"""Lists ordered by id: the cursor is the last id of the previous page."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from amarcord.api.http import decode_cursor, encode_cursor
from amarcord.domain.errors import ValidationFailed
from amarcord.store.id_pages import IdPage

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


def page_fields(page: IdPage[Any], item_model: type[BaseModel]) -> dict[str, Any]:
    """`items`, `total` and `next_cursor` of a list response; items have an `id`."""
    last = page.items[-1].id if page.items else None
    return {
        "items": [item_model.model_validate(item) for item in page.items],
        "total": page.total,
        "next_cursor": next_cursor(page.has_more, last),
    }
