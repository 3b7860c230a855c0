"""The change feed as pages: `GET /api/beamtimes/{bt}/changes`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.db.models import Beamtime
from tests.support.auth import ADMIN_TOKEN_NAME
from tests.support.factories import CHANGE_FIELDS, create_beamtime, patch_beamtime


async def feed(client: Client, beamtime_id: int, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/api/beamtimes/{beamtime_id}/changes{query}")
    assert response.status_code == 200, await response.get_data(as_text=True)
    body: dict[str, Any] = await response.get_json()
    return body


async def test_items_carry_every_field_in_ascending_seq(client: Client) -> None:
    beamtime = await create_beamtime(client)
    await patch_beamtime(client, beamtime["id"], title="Second title")
    page = await feed(client, beamtime["id"])
    created, updated = page["items"]
    assert set(created) == CHANGE_FIELDS
    assert created["seq"] < updated["seq"] == page["last_seq"]
    assert (created["entity"], created["entity_id"], created["action"]) == (
        "beamtime",
        beamtime["id"],
        "created",
    )
    assert created["before"] is None and created["after"]["title"] == beamtime["title"]
    assert updated["action"] == "updated"
    assert updated["before"] == {"title": beamtime["title"]}
    assert updated["after"] == {"title": "Second title"}
    assert updated["actor"] == ADMIN_TOKEN_NAME
    assert datetime.fromisoformat(updated["at"]).tzinfo is not None
    assert updated["at"].endswith("Z")


async def test_after_and_limit_page_through_the_feed(client: Client) -> None:
    beamtime = await create_beamtime(client)
    for i in range(6):
        await patch_beamtime(client, beamtime["id"], title=f"title {i}")
    everything = [item["seq"] for item in (await feed(client, beamtime["id"]))["items"]]
    assert len(everything) == 7
    seen: list[int] = []
    after = 0
    while True:
        page = await feed(client, beamtime["id"], f"?after={after}&limit=3")
        if not page["items"]:
            assert page["last_seq"] == after
            break
        seen += [item["seq"] for item in page["items"]]
        after = page["last_seq"]
    assert seen == everything


async def test_feeds_of_beamtimes_are_separate(client: Client) -> None:
    first = await create_beamtime(client)
    second = await create_beamtime(client, external_id="other")
    await patch_beamtime(client, first["id"], title="only the first")
    assert len((await feed(client, first["id"]))["items"]) == 2
    assert [i["entity_id"] for i in (await feed(client, second["id"]))["items"]] == [second["id"]]


async def test_last_seq_of_an_empty_page(client: Client, app: Quart) -> None:
    beamtime = await create_beamtime(client)
    latest = (await feed(client, beamtime["id"]))["last_seq"]
    assert (await feed(client, beamtime["id"], f"?after={latest + 50}"))["last_seq"] == latest + 50
    assert (await feed(client, beamtime["id"], f"?after={latest}"))["items"] == []
    # A beamtime written behind the API's back has no feed at all: last_seq is 0.
    silent = await _beamtime_without_changes(app)
    assert await feed(client, silent) == {"items": [], "last_seq": 0}


async def _beamtime_without_changes(app: Quart) -> int:
    now = datetime.now(UTC)
    async with app.extensions["amarcord"].database.write() as session:
        row = Beamtime(
            external_id="silent",
            start=now,
            end=now,
            timezone="UTC",
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        return row.id


async def test_unknown_beamtime_is_404(client: Client) -> None:
    response = await client.get("/api/beamtimes/4711/changes")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


async def test_a_deleted_beamtimes_feed_survives_and_ends_with_the_deletion(
    client: Client,
) -> None:
    beamtime = await create_beamtime(client)
    await patch_beamtime(client, beamtime["id"], title="before deletion")
    assert (await client.delete(f"/api/beamtimes/{beamtime['id']}")).status_code == 204
    items = (await feed(client, beamtime["id"]))["items"]
    assert [item["action"] for item in items] == ["created", "updated", "deleted"]
    assert items[-1]["entity"] == "beamtime"
    assert items[-1]["before"]["title"] == "before deletion"


async def test_bad_parameters_are_422(client: Client) -> None:
    beamtime = await create_beamtime(client)
    for query in ("?limit=10001", "?limit=0", "?after=-1", "?after=x", "?unknown=1"):
        response = await client.get(f"/api/beamtimes/{beamtime['id']}/changes{query}")
        assert response.status_code == 422, query
        assert response.content_type == "application/problem+json"


async def test_limit_defaults_to_100_and_allows_10000(client: Client) -> None:
    beamtime = await create_beamtime(client)
    for i in range(101):
        await patch_beamtime(client, beamtime["id"], title=f"t{i}")
    assert len((await feed(client, beamtime["id"]))["items"]) == 100
    assert len((await feed(client, beamtime["id"], "?limit=10000"))["items"]) == 102


async def test_entity_and_entity_id_give_the_history_of_one_run(client: Client) -> None:
    beamtime = await create_beamtime(client)
    runs = f"/api/beamtimes/{beamtime['id']}/runs"
    for number in (1, 2):
        assert (await client.put(f"{runs}/{number}", json={})).status_code == 201
    for number, stopped in ((1, "2030-01-01T10:00:00Z"), (2, "2030-01-02T10:00:00Z"), (1, None)):
        response = await client.patch(f"{runs}/{number}", json={"stopped": stopped})
        assert response.status_code == 200, await response.get_data(as_text=True)
    await patch_beamtime(client, beamtime["id"], title="not a run")

    history = await feed(client, beamtime["id"], "?entity=run&entity_id=1")
    assert [(item["entity"], item["entity_id"]) for item in history["items"]] == [("run", 1)] * 3
    assert [item["action"] for item in history["items"]] == ["created", "updated", "updated"]
    assert history["last_seq"] == history["items"][-1]["seq"]

    every_run = await feed(client, beamtime["id"], "?entity=run")
    assert {item["entity_id"] for item in every_run["items"]} == {1, 2}
    assert len(every_run["items"]) == 5

    first = await feed(client, beamtime["id"], "?entity=run&entity_id=1&limit=2")
    rest = await feed(client, beamtime["id"], f"?entity=run&entity_id=1&after={first['last_seq']}")
    assert first["items"] + rest["items"] == history["items"]


async def test_entity_id_without_entity_is_422_naming_it(client: Client) -> None:
    beamtime = await create_beamtime(client)
    response = await client.get(f"/api/beamtimes/{beamtime['id']}/changes?entity_id=3")
    assert response.status_code == 422
    problem = await response.get_json()
    assert [error["loc"] for error in problem["errors"]] == [["query", "entity_id"]]
