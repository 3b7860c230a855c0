"""Browser sessions: login, logout, me; the cookie's flags and signing key; failed logins;
cross-site requests; tokens in the Authorization header."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import func, select

from amarcord.app import create_app
from amarcord.config import Settings
from amarcord.db.models import LoginAttempt, ServerSecret
from amarcord.domain.secrets import hash_password, token_digest
from amarcord.store import accounts, tokens
from amarcord.store.changes import utcnow
from tests.support.auth import (
    PASSWORD,
    AuthorizedClient,
    bearer,
    create_token,
    create_user,
    database_of,
    signed_in_client,
    with_auth,
)
from tests.support.factories import BEAMTIME, create_beamtime

PROXY = ("10.0.0.2", 40000)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_auth(settings, "local", trusted_proxies="10.0.0.0/24", login_attempts=3)


async def _login(client: Client, username: str, password: str, **kwargs: Any) -> Any:
    return await client.post(
        "/api/auth/login", json={"username": username, "password": password}, **kwargs
    )


def _set_cookie(response: Any) -> str:
    header: str = response.headers.get("Set-Cookie", "")
    return header


async def test_login_sets_a_session_cookie_and_me_answers(app: Quart) -> None:
    await create_user(database_of(app), "alice", display_name="Alice Liddell", admin=True)
    client = app.test_client()
    assert (await client.get("/api/auth/me")).status_code == 401
    response = await _login(client, "ALICE", PASSWORD)
    assert response.status_code == 200
    cookie = _set_cookie(response)
    assert cookie.startswith("amarcord_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http, not behind a trusted proxy
    me = await (await client.get("/api/auth/me")).get_json()
    assert me == {
        "username": "alice",
        "display_name": "Alice Liddell",
        "admin": True,
        "kind": "user",
        "memberships": [],
    }


async def test_logout_ends_the_session(app: Quart) -> None:
    await create_user(database_of(app), "bob")
    client = await signed_in_client(app, "bob")
    assert (await client.get("/api/auth/me")).status_code == 200
    response = await client.post("/api/auth/logout")
    assert response.status_code == 204
    assert "amarcord_session=;" in _set_cookie(response)
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_me_lists_the_memberships(app: Quart, client: Client) -> None:
    username = await create_user(database_of(app))
    person = await signed_in_client(app, username)
    created = await person.post("/api/beamtimes", json=BEAMTIME)
    assert created.status_code == 201
    me = await (await person.get("/api/auth/me")).get_json()
    assert me["memberships"] == [{"beamtime_id": (await created.get_json())["id"], "role": "owner"}]


@pytest.mark.parametrize(
    ("scheme", "headers", "client_address", "secure"),
    [
        ("https", {}, None, True),
        ("http", {"X-Forwarded-Proto": "https"}, PROXY, True),
        ("http", {"X-Forwarded-Proto": "https"}, ("192.0.2.9", 1), False),
    ],
)
async def test_the_cookie_is_secure_over_https_only(
    app: Quart, scheme: str, headers: dict[str, str], client_address: Any, secure: bool
) -> None:
    await create_user(database_of(app), "carol")
    scope = {"client": client_address} if client_address else None
    response = await _login(
        app.test_client(), "carol", PASSWORD, scheme=scheme, headers=headers, scope_base=scope
    )
    assert ("Secure" in _set_cookie(response)) is secure


async def test_wrong_password_and_unknown_user_get_the_same_answer(app: Quart) -> None:
    await create_user(database_of(app), "dave")
    client = app.test_client()
    wrong = await _login(client, "dave", "not the password")
    unknown = await _login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert (await wrong.get_json())["detail"] == (await unknown.get_json())["detail"]
    assert "amarcord_session" not in _set_cookie(wrong)


async def test_disabled_and_passwordless_accounts_cannot_sign_in(app: Quart) -> None:
    database = database_of(app)
    await create_user(database, "proxyonly", password=None)
    assert (await _login(app.test_client(), "proxyonly", "anything at all")).status_code == 401


async def test_failed_logins_are_limited_per_user_and_address(app: Quart) -> None:
    await create_user(database_of(app), "erin")
    client = app.test_client()
    here = {"scope_base": {"client": ("192.0.2.1", 1)}}
    for _ in range(3):
        assert (await _login(client, "erin", "wrong password", **here)).status_code == 401
    refused = await _login(client, "erin", PASSWORD, **here)
    assert refused.status_code == 429
    assert (await refused.get_json())["title"] == "Too many requests"
    elsewhere = {"scope_base": {"client": ("192.0.2.2", 1)}}
    assert (await _login(client, "erin", PASSWORD, **elsewhere)).status_code == 200
    async with database_of(app).read() as session:
        stored = await session.scalar(select(func.count()).select_from(LoginAttempt))
    assert stored == 3


async def test_the_limit_counts_the_client_behind_a_trusted_proxy(app: Quart) -> None:
    await create_user(database_of(app), "frank")
    client = app.test_client()
    for _ in range(3):
        forwarded = {"X-Forwarded-For": "198.51.100.7"}
        await _login(
            client, "frank", "wrong password", headers=forwarded, scope_base={"client": PROXY}
        )
    other_client = {"X-Forwarded-For": "198.51.100.8"}
    response = await _login(
        client, "frank", PASSWORD, headers=other_client, scope_base={"client": PROXY}
    )
    assert response.status_code == 200


async def test_a_new_password_ends_existing_sessions(app: Quart) -> None:
    await create_user(database_of(app), "gina")
    client = await signed_in_client(app, "gina")
    async with database_of(app).write() as session:
        await accounts.update(session, "gina", password_hash=hash_password("another password"))
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_disabling_an_account_ends_its_sessions(app: Quart) -> None:
    await create_user(database_of(app), "hank")
    client = await signed_in_client(app, "hank")
    async with database_of(app).write() as session:
        await accounts.update(session, "hank", disabled=True)
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_a_forged_cookie_is_anonymous(app: Quart) -> None:
    client = app.test_client()
    response = await client.get(
        "/api/auth/me", headers={"Cookie": "amarcord_session=eyJ1IjoxfQ.x.y"}
    )
    assert response.status_code == 401


async def test_the_generated_signing_key_is_shared_through_the_database(
    app: Quart, settings: Settings
) -> None:
    await create_user(database_of(app), "ivy")
    client = await signed_in_client(app, "ivy")
    cookie = next(iter(client.cookie_jar)).value  # type: ignore[attr-defined]
    async with database_of(app).read() as session:
        assert await session.get(ServerSecret, "session-signing-key") is not None
    other_process = create_app(settings)
    try:
        response = await other_process.test_client().get(
            "/api/auth/me", headers={"Cookie": f"amarcord_session={cookie}"}
        )
        assert response.status_code == 200
    finally:
        await database_of(other_process).dispose()


async def test_a_configured_secret_key_signs_instead(app: Quart, settings: Settings) -> None:
    await create_user(database_of(app), "jack")
    cookie = next(iter((await signed_in_client(app, "jack")).cookie_jar)).value  # type: ignore[attr-defined]
    keyed = create_app(with_auth(settings, "local", secret_key="a configured key of some length"))
    try:
        response = await keyed.test_client().get(
            "/api/auth/me", headers={"Cookie": f"amarcord_session={cookie}"}
        )
        assert response.status_code == 401
    finally:
        await database_of(keyed).dispose()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "same-site"}, 403),
        ({"Origin": "https://evil.example"}, 403),
        ({"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}, 201),
        ({"Origin": "http://localhost"}, 201),
        ({}, 201),
    ],
)
async def test_cross_site_writes_with_a_cookie_are_refused(
    app: Quart, headers: dict[str, str], status: int
) -> None:
    await create_user(database_of(app), "kate")
    client = await signed_in_client(app, "kate")
    response = await client.post("/api/beamtimes", json=BEAMTIME, headers=headers)
    assert response.status_code == status


async def test_a_cross_site_login_is_refused(app: Quart) -> None:
    await create_user(database_of(app), "liam")
    response = await _login(
        app.test_client(), "liam", PASSWORD, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403


async def test_token_requests_are_not_subject_to_the_origin_check(app: Quart) -> None:
    secret = await create_token(database_of(app), role="admin")
    caller = AuthorizedClient(app, bearer(secret))
    response = await caller.post(
        "/api/beamtimes", json=BEAMTIME, headers={"Origin": "https://x.example"}
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "authorization",
    ["Bearer amc_not-a-token", "Basic YWxpY2U6c2VjcmV0", "Bearer "],
)
async def test_a_bad_authorization_header_is_401(
    anonymous_client: Client, authorization: str
) -> None:
    response = await anonymous_client.get(
        "/api/beamtimes", headers={"Authorization": authorization}
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.headers["Content-Type"] == "application/problem+json"


async def test_an_expired_token_is_401(app: Quart) -> None:
    secret = await create_token(database_of(app), expires_at=utcnow() + timedelta(minutes=1))
    async with database_of(app).write() as session:
        token = await tokens.by_digest(session, token_digest(secret))
        assert token is not None
        token.expires_at = utcnow() - timedelta(seconds=1)
    response = await AuthorizedClient(app, bearer(secret)).get("/api/beamtimes")
    assert response.status_code == 401
    assert "expired" in (await response.get_json())["detail"]


async def test_the_audit_trail_names_the_person(app: Quart, client: Client) -> None:
    await create_user(database_of(app), "mia", display_name="Mia Wallace")
    person = await signed_in_client(app, "mia")
    beamtime = await create_beamtime(person)
    feed = await (await person.get(f"/api/beamtimes/{beamtime['id']}/changes")).get_json()
    assert {item["actor"] for item in feed["items"]} == {"Mia Wallace"}


async def test_login_is_refused_in_proxy_mode(settings: Settings) -> None:
    proxied = create_app(with_auth(settings, "proxy"))
    try:
        response = await _login(proxied.test_client(), "anyone", "whatever it is")
        assert response.status_code == 403
    finally:
        await database_of(proxied).dispose()


async def test_without_access_control_everyone_is_an_administrator(settings: Settings) -> None:
    open_app = create_app(with_auth(settings, "none"))
    try:
        client = open_app.test_client()
        me = await (await client.get("/api/auth/me")).get_json()
        assert me["admin"] is True
        assert me["kind"] == "open"
        assert (await client.post("/api/beamtimes", json=BEAMTIME)).status_code == 201
    finally:
        await database_of(open_app).dispose()
