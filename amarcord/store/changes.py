"""Writing the change feed. Every mutation calls `record` in its own transaction, so the
audit trail and the data never disagree."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Change

Action = Literal["created", "updated", "deleted"]
_INSERT = insert(Change)


def utcnow() -> datetime:
    return datetime.now(UTC)


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields whose values differ, as (before, after) dictionaries. Nested dictionaries
    (attributi) are compared key by key, so only the attributi that changed appear."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key in before.keys() | after.keys():
        a, b = before.get(key), after.get(key)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            inner_old, inner_new = changed_fields(a, b)
            if inner_old or inner_new:
                old[key], new[key] = inner_old, inner_new
        elif a != b:
            old[key], new[key] = a, b
    return old, new


async def record(
    session: AsyncSession,
    *,
    beamtime_id: int,
    actor: str,
    entity: str,
    entity_id: int,
    action: Action,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    # A Core insert, not an ORM object: every write request records a change, and the unit
    # of work's bookkeeping for an object nobody reads again cost more than the insert.
    connection = await session.connection()
    await connection.execute(
        _INSERT,
        {
            "beamtime_id": beamtime_id,
            "at": utcnow(),
            "actor": actor,
            "entity": entity,
            "entity_id": entity_id,
            "action": action,
            "before": before,
            "after": after,
        },
    )


async def record_update(
    session: AsyncSession,
    *,
    beamtime_id: int,
    actor: str,
    entity: str,
    entity_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> bool:
    """Records only the fields that changed; nothing when nothing changed."""
    old, new = changed_fields(before, after)
    if not old and not new:
        return False
    await record(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        action="updated",
        before=old,
        after=new,
    )
    return True
