"""Single sign-on through a reverse proxy: the user header counts only from trusted proxy
addresses; people are created on first sight; tokens work as well."""

from __future__ import annotations

from typing import Any

import pytest
from quart import Quart

from amarcord.config import Settings
from amarcord.store import accounts
from tests.support.auth import (
    AuthorizedClient,
    bearer,
    create_token,
    database_of,
    with_auth,
)
from tests.support.factories import BEAMTIME

PROXY = {"client": ("127.0.0.1", 50000)}
ELSEWHERE = {"client": ("192.0.2.50", 50000)}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_auth(
        settings,
        "proxy",
        trusted_proxies="127.0.0.1, ::1",
        proxy_name_header="X-Remote-Name",
    )


async def _me(app: Quart, headers: dict[str, str], scope: dict[str, Any]) -> Any:
    return await app.test_client().get("/api/auth/me", headers=headers, scope_base=scope)


async def test_a_trusted_proxy_signs_people_in_and_creates_them(app: Quart) -> None:
    headers = {"X-Remote-User": "jdoe", "X-Remote-Name": "Jane Doe"}
    response = await _me(app, headers, PROXY)
    assert response.status_code == 200
    me = await response.get_json()
    assert (me["username"], me["display_name"], me["admin"]) == ("jdoe", "Jane Doe", False)
    assert (await _me(app, headers, PROXY)).status_code == 200
    async with database_of(app).read() as session:
        assert [u.username for u in await accounts.all_users(session)] == ["jdoe"]


async def test_the_header_from_elsewhere_is_ignored(app: Quart) -> None:
    response = await _me(app, {"X-Remote-User": "admin"}, ELSEWHERE)
    assert response.status_code == 401


async def test_a_utf8_name_from_the_proxy_is_decoded(app: Quart) -> None:
    # The test client sends header values as UTF-8 bytes, as proxies do.
    me = await (await _me(app, {"X-Remote-User": "jürgen"}, PROXY)).get_json()
    assert me["username"] == "jürgen"


async def test_disabled_people_are_refused(app: Quart) -> None:
    assert (await _me(app, {"X-Remote-User": "kim"}, PROXY)).status_code == 200
    async with database_of(app).write() as session:
        await accounts.update(session, "kim", disabled=True)
    assert (await _me(app, {"X-Remote-User": "kim"}, PROXY)).status_code == 403


async def test_people_from_the_proxy_create_beamtimes_and_tokens_still_work(app: Quart) -> None:
    client = app.test_client()
    created = await client.post(
        "/api/beamtimes", json=BEAMTIME, headers={"X-Remote-User": "lee"}, scope_base=PROXY
    )
    assert created.status_code == 201
    beamtime_id = (await created.get_json())["id"]
    members = await client.post(
        f"/api/beamtimes/{beamtime_id}/members",
        json={"username": "not-yet-seen", "role": "editor"},
        headers={"X-Remote-User": "lee"},
        scope_base=PROXY,
    )
    assert members.status_code == 201  # the proxy will vouch for them later
    secret = await create_token(database_of(app), beamtime_id=beamtime_id, role="viewer")
    daq = AuthorizedClient(app, bearer(secret))
    assert (await daq.get(f"/api/beamtimes/{beamtime_id}", scope_base=ELSEWHERE)).status_code == 200


def test_proxy_mode_needs_trusted_proxies(settings: Settings) -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        Settings(auth="proxy", _env_file=None)  # type: ignore[call-arg]
