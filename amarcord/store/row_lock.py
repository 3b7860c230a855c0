"""The beamtime lock of `amarcord.store.beamtimes.lock` for hot write paths.

The same statement (SELECT ... FOR UPDATE on the beamtime's row, so writers of a beamtime
are serialised exactly as there), but it selects only the id: building the ORM object of the
beamtime cost as much CPU as the rest of a live-stream frame's transaction."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Beamtime
from amarcord.domain.errors import NotFound

_LOCK = (
    select(Beamtime.__table__.c.id)
    .where(Beamtime.__table__.c.id == bindparam("beamtime_id"))
    .with_for_update()
)


async def lock_beamtime(session: AsyncSession, beamtime_id: int) -> None:
    """Locks the beamtime's row for the transaction; NotFound when there is none."""
    connection = await session.connection()
    if await connection.scalar(_LOCK, {"beamtime_id": beamtime_id}) is None:
        raise NotFound(f"beamtime {beamtime_id} does not exist")
