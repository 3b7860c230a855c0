"""Failed logins, counted per key (a digest of user name and client address) in the database,
so that the limit holds however many server processes answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import LoginAttempt


async def failures_since(session: AsyncSession, key: str, since: datetime) -> int:
    query = select(func.count()).where(LoginAttempt.key == key, LoginAttempt.at >= since)
    return await session.scalar(query) or 0


async def record_failure(session: AsyncSession, key: str, at: datetime) -> None:
    session.add(LoginAttempt(key=key, at=at))


async def clear(session: AsyncSession, key: str) -> None:
    """Forgets the key's failures, after a successful login."""
    await session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))


async def purge(session: AsyncSession, *, before: datetime) -> None:
    """Drops failures too old to count, so that the table stays small."""
    await session.execute(delete(LoginAttempt).where(LoginAttempt.at < before))
