"""Browser sessions as signed cookies: nothing is kept in process memory that another server
process would need. The cookie holds the user's id and a fingerprint of the password hash,
so that a new password (or a disabled account) ends every existing session."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from quart import current_app
from werkzeug.sansio.response import Response

from amarcord.api.context import database, settings
from amarcord.api.proxies import is_https
from amarcord.db.models import UserAccount
from amarcord.domain.secrets import fingerprint, new_signing_key
from amarcord.store import server_secrets

COOKIE = "amarcord_session"
_SALT = "amarcord.session"
_KEY_NAME = "session-signing-key"
_CACHE_KEY = "amarcord.session_key"


async def signing_key() -> str:
    """AMARCORD_SECRET_KEY, or the key generated once and kept in the database."""
    configured = settings().secret_key
    if configured is not None:
        return configured.get_secret_value()
    cached: str | None = current_app.extensions.get(_CACHE_KEY)
    if cached is None:
        async with database().write() as session:
            cached = await server_secrets.get_or_create(session, _KEY_NAME, new_signing_key)
        current_app.extensions[_CACHE_KEY] = cached
    return cached


def _max_age() -> int:
    return int(settings().session_days * 86400)


def _password_mark(user: UserAccount) -> str:
    return fingerprint(user.password_hash or "")


async def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(await signing_key(), salt=_SALT)


async def cookie_for(user: UserAccount) -> str:
    value: str = (await _serializer()).dumps({"u": user.id, "p": _password_mark(user)})
    return value


def start(response: Response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=_max_age(),
        httponly=True,
        samesite="Lax",
        secure=is_https(),
        path="/",
    )


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Lax", secure=is_https())


async def user_id_of(value: str) -> tuple[int, str] | None:
    """The user id and password fingerprint in a valid, unexpired cookie; None otherwise."""
    try:
        payload: Any = (await _serializer()).loads(value, max_age=_max_age())
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, mark = payload.get("u"), payload.get("p")
    if not isinstance(user_id, int) or not isinstance(mark, str):
        return None
    return user_id, mark


def still_valid(user: UserAccount, mark: str) -> bool:
    return not user.disabled and _password_mark(user) == mark
