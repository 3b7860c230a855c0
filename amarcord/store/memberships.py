"""Who may do what in a beamtime: members with the role viewer, editor or owner."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Beamtime, BeamtimeMember, UserAccount
from amarcord.domain.accounts import Role
from amarcord.domain.errors import Conflict, NotFound
from amarcord.store import changes
from amarcord.store.beamtimes import lock

ENTITY = "member"


async def role_of(session: AsyncSession, beamtime_id: int, user_id: int) -> str | None:
    query = select(BeamtimeMember.role).where(
        BeamtimeMember.beamtime_id == beamtime_id, BeamtimeMember.user_id == user_id
    )
    return await session.scalar(query)


def visible_beamtime_ids(user_id: int | None, token_beamtime_id: int | None) -> Select[int]:
    """The beamtimes a person is a member of, or the one beamtime of a token, as a subquery
    for listings."""
    if user_id is not None:
        return select(BeamtimeMember.beamtime_id).where(BeamtimeMember.user_id == user_id)
    return select(Beamtime.id).where(Beamtime.id == token_beamtime_id)


async def roles_of_user(session: AsyncSession, user_id: int) -> list[tuple[int, str]]:
    rows = await session.execute(
        select(BeamtimeMember.beamtime_id, BeamtimeMember.role)
        .where(BeamtimeMember.user_id == user_id)
        .order_by(BeamtimeMember.beamtime_id)
    )
    return [(beamtime_id, role) for beamtime_id, role in rows]


async def of_beamtime(session: AsyncSession, beamtime_id: int) -> list[tuple[UserAccount, str]]:
    rows = await session.execute(
        select(UserAccount, BeamtimeMember.role)
        .join(BeamtimeMember, BeamtimeMember.user_id == UserAccount.id)
        .where(BeamtimeMember.beamtime_id == beamtime_id)
        .order_by(UserAccount.username_key)
    )
    return [(user, role) for user, role in rows]


def _snapshot(user: UserAccount, role: str) -> dict[str, Any]:
    return {"username": user.username, "role": role}


async def _membership(session: AsyncSession, beamtime_id: int, user: UserAccount) -> BeamtimeMember:
    member = await session.get(BeamtimeMember, (beamtime_id, user.id))
    if member is None:
        raise NotFound(f"{user.username!r} is not a member of beamtime {beamtime_id}")
    return member


async def _owners(session: AsyncSession, beamtime_id: int) -> int:
    query = select(func.count()).where(
        BeamtimeMember.beamtime_id == beamtime_id, BeamtimeMember.role == "owner"
    )
    return await session.scalar(query) or 0


async def _keep_an_owner(
    session: AsyncSession, member: BeamtimeMember, new_role: str | None
) -> None:
    """Refuses to leave a beamtime without owners: nobody but an admin could then manage it."""
    if (
        member.role == "owner"
        and new_role != "owner"
        and await _owners(session, member.beamtime_id) == 1
    ):
        msg = f"beamtime {member.beamtime_id} needs at least one owner; appoint another first"
        raise Conflict(msg)


async def _record(
    session: AsyncSession,
    beamtime_id: int,
    user: UserAccount,
    action: changes.Action,
    *,
    actor: str,
    before: str | None = None,
    after: str | None = None,
) -> None:
    old = None if before is None else _snapshot(user, before)
    new = None if after is None else _snapshot(user, after)
    if old is not None and new is not None:
        old, new = changes.changed_fields(old, new)  # an update names only the role
    await changes.record(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=user.id,
        action=action,
        before=old,
        after=new,
    )


async def _locked_member(
    session: AsyncSession, beamtime_id: int, user: UserAccount, new_role: str | None
) -> BeamtimeMember:
    """The membership about to change to `new_role` (None: removed), with the beamtime locked."""
    await lock(session, beamtime_id)
    member = await _membership(session, beamtime_id, user)
    await _keep_an_owner(session, member, new_role)
    return member


async def add(
    session: AsyncSession, beamtime_id: int, user: UserAccount, role: Role, *, actor: str
) -> None:
    await lock(session, beamtime_id)
    if await role_of(session, beamtime_id, user.id) is not None:
        raise Conflict(f"{user.username!r} is already a member of beamtime {beamtime_id}")
    session.add(BeamtimeMember(beamtime_id=beamtime_id, user_id=user.id, role=role))
    await _record(session, beamtime_id, user, "created", actor=actor, after=role)


async def change_role(
    session: AsyncSession, beamtime_id: int, user: UserAccount, role: Role, *, actor: str
) -> None:
    member = await _locked_member(session, beamtime_id, user, role)
    if member.role != role:
        await _record(
            session, beamtime_id, user, "updated", actor=actor, before=member.role, after=role
        )
        member.role = role


async def remove(session: AsyncSession, beamtime_id: int, user: UserAccount, *, actor: str) -> None:
    member = await _locked_member(session, beamtime_id, user, None)
    await _record(session, beamtime_id, user, "deleted", actor=actor, before=member.role)
    await session.delete(member)
