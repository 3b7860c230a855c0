"""Authentication: who sent this request. An API token (`Authorization: Bearer`) wins; then,
by AMARCORD_AUTH, the user header of a trusted proxy or the session cookie."""

from __future__ import annotations

import contextlib
import logging

from quart import request
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.api import sessions
from amarcord.api.context import database, settings, token_cache
from amarcord.api.errors import ApiError
from amarcord.api.identity import ANONYMOUS, Identity
from amarcord.api.on_demand import OnDemandRead
from amarcord.api.proxies import from_trusted_proxy
from amarcord.db.models import ApiToken, UserAccount
from amarcord.domain.secrets import token_digest
from amarcord.store import accounts, tokens
from amarcord.store.changes import utcnow

log = logging.getLogger(__name__)


def of_user(user: UserAccount) -> Identity:
    return Identity(
        name=user.display_name,
        kind="user",
        admin=user.admin,
        user_id=user.id,
        username=user.username,
    )


def of_token(token: ApiToken) -> Identity:
    admin = token.role == "admin" and token.beamtime_id is None
    return Identity(
        name=token.name,
        kind="token",
        admin=admin,
        beamtime_id=token.beamtime_id,
        role="owner" if admin else token.role,
    )


async def authenticate(reader: OnDemandRead) -> Identity:
    header = request.headers.get("Authorization")
    if header is not None:
        return await _from_bearer(reader, header)
    if settings().auth == "proxy":
        return await _from_proxy(await reader.session())
    cookie = request.cookies.get(sessions.COOKIE)
    if cookie:
        return await _from_cookie(await reader.session(), cookie)
    return ANONYMOUS


async def _from_bearer(reader: OnDemandRead, header: str) -> Identity:
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "send an API token as `Authorization: Bearer <token>`")
    digest = token_digest(secret.strip())
    cached = token_cache().get(digest)
    if cached is not None:
        return cached
    token = await tokens.by_digest(await reader.session(), digest)
    if token is None:
        raise ApiError(401, "unknown or revoked API token")
    if token.expires_at is not None and token.expires_at <= utcnow():
        raise ApiError(401, f"the API token {token.name!r} has expired")
    identity = of_token(token)
    token_cache().put(digest, identity, token.expires_at)
    return identity


def _header_text(name: str) -> str | None:
    """A header the proxy set, as text. HTTP headers arrive as Latin-1; proxies pass names
    like "Jürgen" as UTF-8 bytes, so those are decoded again."""
    value = request.headers.get(name)
    if value is None:
        return None
    with contextlib.suppress(UnicodeError):
        value = value.encode("latin-1").decode("utf-8")
    return value.strip() or None


async def _from_proxy(session: AsyncSession) -> Identity:
    header = settings().proxy_user_header
    if not from_trusted_proxy():
        if header in request.headers:
            log.warning("ignored %s from %s, not a trusted proxy", header, request.remote_addr)
        return ANONYMOUS
    username = _header_text(header)
    if username is None:
        return ANONYMOUS
    user = await accounts.by_username(session, username)
    if user is None:
        name_header = settings().proxy_name_header
        display_name = _header_text(name_header) if name_header else None
        async with database().write() as writer:
            user = await accounts.ensure(writer, username, display_name)
        log.info("created the account %r for a user signed in by the proxy", username)
    if user.disabled:
        raise ApiError(403, f"the account {user.username!r} is disabled")
    return of_user(user)


async def _from_cookie(session: AsyncSession, cookie: str) -> Identity:
    content = await sessions.user_id_of(cookie)
    if content is None:
        return ANONYMOUS
    user_id, mark = content
    user = await accounts.by_id(session, user_id)
    if user is None or not sessions.still_valid(user, mark):
        return ANONYMOUS
    return of_user(user)
