"""Secrets that every server process must agree on, generated once and kept in the database."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import ServerSecret
from amarcord.store.changes import utcnow


async def get_or_create(session: AsyncSession, name: str, generate: Callable[[], str]) -> str:
    """The secret called `name`; the first process to ask creates it. When two processes
    race, the insert of the second fails on the primary key and it reads the first's value."""
    existing = await session.get(ServerSecret, name)
    if existing is not None:
        return existing.value
    try:
        async with session.begin_nested():
            session.add(ServerSecret(name=name, value=generate(), created_at=utcnow()))
    except IntegrityError:
        pass
    stored = await session.get(ServerSecret, name, populate_existing=True)
    if stored is None:
        msg = f"server secret {name!r} vanished while it was created"
        raise RuntimeError(msg)
    return stored.value
