from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import select

from amarcord.db.models import Change, Run
from tests.support.factories import BEAMTIME, create_beamtime


async def changes_of(app: Quart, beamtime_id: int) -> list[Change]:
    async with app.extensions["amarcord"].database.read() as session:
        rows = await session.scalars(
            select(Change).where(Change.beamtime_id == beamtime_id).order_by(Change.seq)
        )
        return list(rows)


async def test_create_returns_the_beamtime_with_version_and_etag(
    client: Client, app: Quart
) -> None:
    response = await client.post("/api/beamtimes", json=BEAMTIME)
    assert response.status_code == 201
    body = await response.get_json()
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert body["timezone"] == "Europe/Berlin"  # the settings' default
    assert body["start"] == "2026-11-20T08:00:00Z"
    for key in ("external_id", "proposal", "beamline", "title"):
        assert body[key] == BEAMTIME[key]
    feed = await changes_of(app, body["id"])
    assert [(c.entity, c.action, c.entity_id) for c in feed] == [
        ("beamtime", "created", body["id"])
    ]
    assert feed[0].after is not None and feed[0].after["external_id"] == "11012345"


async def test_get_and_list_newest_start_first_with_cursor(client: Client) -> None:
    created = [
        await create_beamtime(client, external_id=str(i), start=f"2026-0{i}-01T00:00:00Z")
        for i in range(1, 6)
    ]
    one = await client.get(f"/api/beamtimes/{created[0]['id']}")
    assert (await one.get_json())["external_id"] == "1"
    seen: list[str] = []
    cursor = None
    while True:
        query = "/api/beamtimes?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await (await client.get(query)).get_json()
        assert page["total"] == 5
        seen += [item["external_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["5", "4", "3", "2", "1"]


async def test_garbage_cursor_is_422(client: Client) -> None:
    response = await client.get("/api/beamtimes?cursor=%%%")
    assert response.status_code == 422


async def test_patch_changes_only_sent_fields_and_records_the_diff(
    client: Client, app: Quart
) -> None:
    beamtime = await create_beamtime(client)
    url = f"/api/beamtimes/{beamtime['id']}"
    response = await client.patch(
        url, json={"title": "New title", "timezone": "UTC"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200
    body = await response.get_json()
    assert body["title"] == "New title"
    assert body["proposal"] == BEAMTIME["proposal"]
    assert body["version"] == 2
    assert response.headers["ETag"] == '"2"'
    update = (await changes_of(app, beamtime["id"]))[-1]
    assert update.action == "updated"
    assert update.before == {"title": BEAMTIME["title"], "timezone": "Europe/Berlin"}
    assert update.after == {"title": "New title", "timezone": "UTC"}


async def test_patch_with_stale_version_is_412_and_changes_nothing(
    client: Client,
) -> None:
    beamtime = await create_beamtime(client)
    url = f"/api/beamtimes/{beamtime['id']}"
    await client.patch(url, json={"title": "first"})
    stale = await client.patch(url, json={"title": "second"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await (await client.get(url)).get_json())["title"] == "first"


async def test_invalid_values_are_422(client: Client) -> None:
    bad: list[dict[str, Any]] = [
        {"timezone": "Mars/Olympus"},
        {"start": "2026-11-20T08:00:00"},  # no offset
        {"end": "2026-11-19T08:00:00Z"},  # before start
        {"external_id": ""},
    ]
    for override in bad:
        response = await client.post("/api/beamtimes", json={**BEAMTIME, **override})
        assert response.status_code == 422, override
    beamtime = await create_beamtime(client)
    response = await client.patch(
        f"/api/beamtimes/{beamtime['id']}", json={"end": "2026-01-01T00:00:00Z"}
    )
    assert response.status_code == 422


async def test_delete_refuses_while_runs_exist_unless_forced(client: Client, app: Quart) -> None:
    beamtime = await create_beamtime(client)
    url = f"/api/beamtimes/{beamtime['id']}"
    now = datetime.now(UTC)
    async with app.extensions["amarcord"].database.write() as session:
        session.add(
            Run(
                beamtime_id=beamtime["id"],
                number=1,
                started=now,
                attributi={},
                created_at=now,
                updated_at=now,
            )
        )
    assert (await client.delete(url)).status_code == 409
    assert (await client.get(url)).status_code == 200
    assert (await client.delete(f"{url}?force=true")).status_code == 204
    assert (await client.get(url)).status_code == 404
    async with app.extensions["amarcord"].database.read() as session:
        assert list(await session.scalars(select(Run))) == []
    deleted = (await changes_of(app, beamtime["id"]))[-1]
    assert deleted.action == "deleted"
    assert deleted.before is not None and deleted.before["external_id"] == "11012345"


async def test_delete_honours_if_match(client: Client) -> None:
    beamtime = await create_beamtime(client)
    url = f"/api/beamtimes/{beamtime['id']}"
    assert (await client.delete(url, headers={"If-Match": '"5"'})).status_code == 412
    assert (await client.delete(url, headers={"If-Match": '"1"'})).status_code == 204


async def test_a_deleted_beamtimes_id_is_never_reused(client: Client) -> None:
    """Its change feed outlives it, so a new beamtime must not inherit the id (SQLite too)."""
    first = await create_beamtime(client)
    assert (await client.delete(f"/api/beamtimes/{first['id']}")).status_code == 204
    second = await create_beamtime(client)
    assert second["id"] != first["id"]
