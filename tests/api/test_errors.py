"""Locks the problem+json error contract: its shape and the status of each failure."""

from __future__ import annotations

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.api.access import access
from amarcord.config import Settings
from tests.support.factories import BEAMTIME, create_beamtime
from tests.support.problems import problem_of


async def test_malformed_json_is_400(client: Client) -> None:
    response = await client.post(
        "/api/beamtimes", data="{not json", headers={"Content-Type": "application/json"}
    )
    body = await problem_of(response, 400)
    assert "JSON" in body["detail"]


async def test_unknown_api_path_is_404(client: Client) -> None:
    await problem_of(await client.get("/api/no-such-thing"), 404)
    await problem_of(await client.get("/api/beamtimes/999"), 404)


async def test_wrong_method_is_405(client: Client) -> None:
    response = await client.put("/api/beamtimes")
    await problem_of(response, 405)
    assert "POST" in response.headers["Allow"]


async def test_delete_with_dependents_is_409(client: Client, app: Quart) -> None:
    beamtime = await create_beamtime(client)
    await _insert_run(app, beamtime["id"])
    await problem_of(await client.delete(f"/api/beamtimes/{beamtime['id']}"), 409)


async def test_stale_if_match_is_412(client: Client) -> None:
    beamtime = await create_beamtime(client)
    response = await client.patch(
        f"/api/beamtimes/{beamtime['id']}", json={"title": "x"}, headers={"If-Match": '"99"'}
    )
    await problem_of(response, 412)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, max_upload_bytes=1000, _env_file=None)  # type: ignore[call-arg]


async def test_too_large_body_is_413(client: Client) -> None:
    response = await client.post("/api/beamtimes", json={**BEAMTIME, "comment": "x" * 5000})
    await problem_of(response, 413)


async def test_non_json_body_is_415(client: Client) -> None:
    response = await client.post("/api/beamtimes", data="external_id=1")
    await problem_of(response, 415)


async def test_validation_error_is_422_naming_every_field(client: Client) -> None:
    response = await client.post(
        "/api/beamtimes", json={**BEAMTIME, "start": "yesterday", "colour": "red"}
    )
    body = await problem_of(response, 422)
    locations = {tuple(error["loc"]) for error in body["errors"]}
    assert ("start",) in locations
    assert ("colour",) in locations


async def test_query_validation_error_names_the_parameter(client: Client) -> None:
    body = await problem_of(await client.get("/api/beamtimes?limit=10001"), 422)
    assert body["errors"][0]["loc"] == ["query", "limit"]


async def test_unexpected_error_is_500_problem(app: Quart, client: Client) -> None:
    @access("signed_in")
    async def explode() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/api/test-explode", "explode", explode)
    body = await problem_of(await client.get("/api/test-explode"), 500)
    assert "boom" not in body["detail"]


async def _insert_run(app: Quart, beamtime_id: int) -> None:
    from datetime import UTC, datetime

    from amarcord.db.models import Run

    now = datetime.now(UTC)
    async with app.extensions["amarcord"].database.write() as session:
        session.add(
            Run(
                beamtime_id=beamtime_id,
                number=1,
                started=now,
                attributi={},
                created_at=now,
                updated_at=now,
            )
        )
