"""Writing the change feed. Every mutation calls `record` in its own transaction, so the
audit trail and the data never disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


# (entity, entity_id, action, before, after): one change-feed row of a beamtime and actor.
ChangeEntry = tuple[str, int, Action, dict[str, Any] | None, dict[str, Any] | None]


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
    await record_many(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entries=[(entity, entity_id, action, before, after)],
    )


async def record_many(
    session: AsyncSession, *, beamtime_id: int, actor: str, entries: Sequence[ChangeEntry]
) -> None:
    """Change-feed rows in one (bulk) Core insert, in the order given, so their seqs follow
    the calls. Not ORM objects: every write request records a change, and the unit of work's
    bookkeeping for objects nobody reads again cost more than the insert."""
    if not entries:
        return
    at = utcnow()
    rows = [
        {
            "beamtime_id": beamtime_id,
            "at": at,
            "actor": actor,
            "entity": entity,
            "entity_id": entity_id,
            "action": action,
            "before": before,
            "after": after,
        }
        for entity, entity_id, action, before, after in entries
    ]
    connection = await session.connection()
    await connection.execute(_INSERT, rows)


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
