"""The beamtime that owns a resource addressed without one in its path (`/api/files/{id}`),
for access control."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import File


async def of_file(session: AsyncSession, file_id: int) -> int | None:
    return await session.scalar(select(File.beamtime_id).where(File.id == file_id))
