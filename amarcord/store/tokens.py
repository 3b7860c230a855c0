"""API tokens for DAQ systems and daemons. Only a digest of the secret is stored; the secret
itself is returned once, by `create`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import ApiToken
from amarcord.domain.accounts import TokenRole
from amarcord.domain.errors import NotFound, ValidationFailed
from amarcord.domain.secrets import new_token_secret, token_digest
from amarcord.store import changes
from amarcord.store.beamtimes import lock

ENTITY = "token"


def _snapshot(token: ApiToken) -> dict[str, Any]:
    expires = token.expires_at.isoformat() if token.expires_at else None
    return {"name": token.name, "role": token.role, "expires_at": expires}


async def by_digest(session: AsyncSession, digest: str) -> ApiToken | None:
    return await session.scalar(select(ApiToken).where(ApiToken.digest == digest))


async def create(
    session: AsyncSession,
    *,
    beamtime_id: int | None,
    name: str,
    role: TokenRole,
    expires_at: datetime | None,
    actor: str,
) -> tuple[ApiToken, str]:
    """The new token and its secret. `beamtime_id` None: valid for every beamtime."""
    now = changes.utcnow()
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed.single(("body", "expires_at"), "expires_at must be in the future")
    if beamtime_id is not None:
        await lock(session, beamtime_id)
    secret = new_token_secret()
    token = ApiToken(
        beamtime_id=beamtime_id,
        name=name,
        role=role,
        digest=token_digest(secret),
        created_at=now,
        created_by=actor,
        expires_at=expires_at,
    )
    session.add(token)
    await session.flush()
    if beamtime_id is not None:
        await changes.record(
            session,
            beamtime_id=beamtime_id,
            actor=actor,
            entity=ENTITY,
            entity_id=token.id,
            action="created",
            after=_snapshot(token),
        )
    return token, secret


async def of_beamtime(session: AsyncSession, beamtime_id: int | None) -> list[ApiToken]:
    """The tokens of one beamtime, or (None) the tokens valid for every beamtime."""
    where = (
        ApiToken.beamtime_id.is_(None)
        if beamtime_id is None
        else ApiToken.beamtime_id == beamtime_id
    )
    return list(await session.scalars(select(ApiToken).where(where).order_by(ApiToken.id)))


async def all_tokens(session: AsyncSession) -> list[ApiToken]:
    return list(await session.scalars(select(ApiToken).order_by(ApiToken.id)))


async def revoke(
    session: AsyncSession, beamtime_id: int | None, token_id: int, *, actor: str
) -> None:
    """Deletes a token of `beamtime_id` (None: whichever beamtime it belongs to)."""
    if beamtime_id is not None:
        await lock(session, beamtime_id)
    token = await session.get(ApiToken, token_id)
    if token is None or (beamtime_id is not None and token.beamtime_id != beamtime_id):
        raise NotFound(f"token {token_id} does not exist")
    if token.beamtime_id is not None:
        await changes.record(
            session,
            beamtime_id=token.beamtime_id,
            actor=actor,
            entity=ENTITY,
            entity_id=token.id,
            action="deleted",
            before=_snapshot(token),
        )
    await session.delete(token)
