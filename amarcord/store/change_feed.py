"""Reading the change feed (the writer side is `store.changes`).

Ordering guarantee that readers rely on: every write transaction of a beamtime takes the
beamtime lock first (`store.beamtimes.lock`), so the writers of one beamtime are serialised
and their `seq` values commit in increasing order. A reader that has seen seq N of a beamtime
will therefore never later see a newly committed seq < N of that beamtime, and "everything
with seq > N" is a complete resume point. (Across beamtimes there is no such order, which is
why every query here is per beamtime.)

A deleted beamtime's rows survive (the change table has no foreign key), ending with the
beamtime's own `deleted` row, so its audit trail stays readable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from amarcord.db.models import Beamtime, Change, LiveStreamImage
from amarcord.domain.errors import NotFound
from amarcord.store import core
from amarcord.store.beamtimes import ENTITY as BEAMTIME_ENTITY


@dataclass(frozen=True)
class Poll:
    """What one tick of the change stream found: new rows and the live-stream frame time."""

    changes: Sequence[Change]
    live_stream_updated_at: datetime | None


def ends_beamtime(change: Change) -> bool:
    """Whether this row records the deletion of its own beamtime (the feed's last row)."""
    return (
        change.entity == BEAMTIME_ENTITY
        and change.action == "deleted"
        and change.entity_id == change.beamtime_id
    )


async def beamtime_exists(session: AsyncSession, beamtime_id: int) -> bool:
    return bool(await session.scalar(select(exists().where(Beamtime.id == beamtime_id))))


async def check_known(session: AsyncSession, beamtime_id: int) -> None:
    """NotFound unless the beamtime exists or once existed (its feed survives deletion)."""
    known = exists().where(Beamtime.id == beamtime_id) | exists().where(
        Change.beamtime_id == beamtime_id
    )
    if not await session.scalar(select(known)):
        raise NotFound(f"beamtime {beamtime_id} does not exist")


async def latest_seq(session: AsyncSession | AsyncConnection, beamtime_id: int) -> int:
    """The beamtime's highest seq, 0 when it has none."""
    result = await core.execute(session, _LATEST_SEQ, {"beamtime_id": beamtime_id})
    seq: int | None = result.scalar()
    return seq or 0


_LATEST_SEQ = select(func.max(Change.seq)).where(Change.beamtime_id == bindparam("beamtime_id"))


async def highest_seq(session: AsyncSession) -> int:
    """The highest seq of the whole database: nobody can have seen a larger one, unless the
    database was restored from an older backup since."""
    return await session.scalar(select(func.max(Change.seq))) or 0


async def page(
    session: AsyncSession,
    beamtime_id: int,
    *,
    after: int,
    limit: int,
    entity: str | None = None,
    entity_id: int | None = None,
) -> Sequence[Change]:
    """Up to `limit` rows with seq > `after`, ascending; only those of `entity` (and
    `entity_id`) when given, which an index answers without reading the rest of the feed."""
    query = select(Change).where(Change.beamtime_id == beamtime_id, Change.seq > after)
    if entity is not None:
        query = query.where(Change.entity == entity)
    if entity_id is not None:
        query = query.where(Change.entity_id == entity_id)
    return (await session.scalars(query.order_by(Change.seq).limit(limit))).all()


async def poll(session: AsyncSession, beamtime_id: int, *, after: int, limit: int) -> Poll:
    """One tick of the change stream. A quiet tick (the usual case) costs one indexed
    statement: the newest seq beyond `after` and the frame time come back together, and the
    rows themselves are only fetched when there are some."""
    frame_time = (
        select(LiveStreamImage.updated_at)
        .where(LiveStreamImage.beamtime_id == beamtime_id)
        .scalar_subquery()
    )
    newest = select(func.max(Change.seq), frame_time).where(
        Change.beamtime_id == beamtime_id, Change.seq > after
    )
    highest, updated_at = (await session.execute(newest)).one()
    rows = await page(session, beamtime_id, after=after, limit=limit) if highest else ()
    return Poll(changes=rows, live_stream_updated_at=updated_at)
