"""Browser sessions: sign in with user name and password, sign out, and who am I.

Failed logins are counted per user name and client address in the database (so the limit
holds across server processes); an unknown user name costs the same password hashing as a
wrong password, and both get the same answer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from quart import Blueprint, Response, after_this_request
from quart_schema import tag, validate_request, validate_response
from werkzeug.wrappers import Response as WerkzeugResponse

from amarcord.api import sessions
from amarcord.api.access import access, current_identity
from amarcord.api.authn import of_user
from amarcord.api.context import database, settings
from amarcord.api.errors import ApiError
from amarcord.api.identity import Identity
from amarcord.api.proxies import client_address
from amarcord.db.models import UserAccount
from amarcord.domain.accounts import login_attempt_key
from amarcord.domain.secrets import dummy_password_hash, verify_password
from amarcord.schemas.accounts import LoginRequest, Me, Membership
from amarcord.store import accounts, login_attempts, memberships
from amarcord.store.changes import utcnow

blueprint = Blueprint("auth", __name__, url_prefix="/api/auth")
_REFUSED = "unknown user name or wrong password"


@blueprint.post("/login")
@access("public")
@tag(["auth"])
@validate_request(LoginRequest)
@validate_response(Me)
async def login(data: LoginRequest) -> Me:
    """Sign in; sets the session cookie."""
    if settings().auth == "proxy":
        raise ApiError(403, "this server signs people in through its single sign-on proxy")
    user = await _check_password(data.username, data.password)
    cookie = await sessions.cookie_for(user)

    @after_this_request
    def _set_cookie(response: Response | WerkzeugResponse) -> Response | WerkzeugResponse:
        sessions.start(response, cookie)
        return response

    return await _me(of_user(user))


async def _check_password(username: str, password: str) -> UserAccount:
    now = utcnow()
    window_start = now - timedelta(seconds=settings().login_window)
    key = login_attempt_key(username, client_address())
    async with database().read() as session:
        failures = await login_attempts.failures_since(session, key, window_start)
        user = await accounts.by_username(session, username)
    if failures >= settings().login_attempts:
        minutes = max(1, round(settings().login_window / 60))
        raise ApiError(429, f"too many failed logins; try again in {minutes} minutes")
    usable = user is not None and user.password_hash is not None and not user.disabled
    stored = user.password_hash if usable and user is not None else None
    # Hashing blocks for tens of milliseconds: off the event loop, and outside any transaction.
    matches = await asyncio.to_thread(verify_password, password, stored or dummy_password_hash())
    async with database().write() as session:
        await login_attempts.purge(session, before=window_start)
        if matches and stored is not None:
            await login_attempts.clear(session, key)
        else:
            await login_attempts.record_failure(session, key, now)
    if not matches or user is None or stored is None:
        raise ApiError(401, _REFUSED)
    return user


@blueprint.post("/logout")
@access("public")
@tag(["auth"])
async def logout() -> Response:
    """Sign out: clears the session cookie."""
    response = Response(status=204)
    sessions.end(response)
    return response


@blueprint.get("/me")
@access("signed_in")
@tag(["auth"])
@validate_response(Me)
async def me() -> Me:
    """The caller: user name, display name, admin flag and beamtime roles (401 when
    anonymous)."""
    return await _me(current_identity())


async def _me(identity: Identity) -> Me:
    if identity.kind == "user" and identity.user_id is not None:
        async with database().read() as session:
            roles = await memberships.roles_of_user(session, identity.user_id)
    elif identity.kind == "token" and identity.beamtime_id is not None:
        roles = [(identity.beamtime_id, identity.role or "viewer")]
    else:
        roles = []
    return Me(
        username=identity.username or identity.name,
        display_name=identity.name,
        admin=identity.admin,
        kind="user" if identity.kind == "user" else "token" if identity.kind == "token" else "open",
        memberships=[Membership(beamtime_id=bt, role=role) for bt, role in roles],
    )
