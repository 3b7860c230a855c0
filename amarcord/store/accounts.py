"""User accounts: created by the CLI (local mode) or on first sight (proxy mode)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import UserAccount
from amarcord.domain.accounts import username_key, username_problem
from amarcord.domain.errors import Conflict, NotFound, ValidationFailed
from amarcord.store.changes import utcnow


async def by_username(session: AsyncSession, username: str) -> UserAccount | None:
    query = select(UserAccount).where(UserAccount.username_key == username_key(username))
    return await session.scalar(query)


async def get_by_username(session: AsyncSession, username: str) -> UserAccount:
    user = await by_username(session, username)
    if user is None:
        raise NotFound(f"user {username!r} does not exist")
    return user


async def by_id(session: AsyncSession, user_id: int) -> UserAccount | None:
    return await session.get(UserAccount, user_id)


async def get(session: AsyncSession, user_id: int) -> UserAccount:
    user = await by_id(session, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


async def create(
    session: AsyncSession,
    username: str,
    *,
    display_name: str | None = None,
    password_hash: str | None = None,
    admin: bool = False,
) -> UserAccount:
    problem = username_problem(username)
    if problem is not None:
        raise ValidationFailed.single(("body", "username"), problem)
    if await by_username(session, username) is not None:
        raise Conflict(f"user {username!r} exists already")
    user = UserAccount(
        username=username,
        username_key=username_key(username),
        display_name=display_name or username,
        password_hash=password_hash,
        admin=admin,
        disabled=False,
        created_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    return user


async def ensure(session: AsyncSession, username: str, display_name: str | None) -> UserAccount:
    """The account of a user the proxy vouches for, created on first sight. Two processes
    may see a new user at once: the loser of the insert reads the winner's row."""
    user = await by_username(session, username)
    if user is not None:
        return user
    try:
        async with session.begin_nested():
            return await create(session, username, display_name=display_name)
    except IntegrityError:
        return await get_by_username(session, username)


async def all_users(session: AsyncSession) -> list[UserAccount]:
    return list(await session.scalars(select(UserAccount).order_by(UserAccount.username_key)))


async def count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(UserAccount)) or 0


async def update(session: AsyncSession, username: str, **values: object) -> UserAccount:
    """Sets `password_hash`, `admin`, `disabled` or `display_name` of an account."""
    user = await get_by_username(session, username)
    for name, value in values.items():
        if name not in {"password_hash", "admin", "disabled", "display_name"}:
            msg = f"an account has no changeable field {name!r}"
            raise ValueError(msg)
        setattr(user, name, value)
    return user
