"""What the database says about its own schema."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession


async def current_revision(session: AsyncSession) -> str | None:
    """The alembic revision the database is at; None for a database never migrated."""
    try:
        async with session.begin_nested():
            result = await session.execute(text("SELECT version_num FROM alembic_version"))
            return result.scalar_one_or_none()
    except DBAPIError:
        return None
