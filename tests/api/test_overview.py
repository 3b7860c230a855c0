"""The run overview: `GET /api/beamtimes/{bt}/overview`."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.api.feed_cache import FeedCache
from amarcord.app import create_app
from amarcord.config import Settings
from amarcord.db.models import LiveStreamImage
from tests.support.auth import admin_client, database_of
from tests.support.experiments import (
    INTEGER,
    STRING,
    create_attributi,
    create_data_set,
    create_experiment_type,
    json_of,
    put_run,
)
from tests.support.factories import create_beamtime


async def overview(client: Client, beamtime_id: int) -> dict[str, Any]:
    body: dict[str, Any] = await json_of(
        await client.get(f"/api/beamtimes/{beamtime_id}/overview"), 200
    )
    return body


async def test_an_empty_beamtime(client: Client) -> None:
    beamtime = await create_beamtime(client)
    body = await overview(client, beamtime["id"])
    configuration = await client.get(f"/api/beamtimes/{beamtime['id']}/configuration")
    assert body == {
        "beamtime": beamtime,
        "latest_run": None,
        "running": False,
        "configuration": await json_of(configuration, 200),
        "experiment_type": None,
        "data_set": None,
        "live_stream": None,
        "events": [],
        "on_shift": [],
    }


async def test_the_latest_run_its_data_set_and_the_current_experiment_type(
    client: Client,
) -> None:
    bt = (await create_beamtime(client))["id"]
    ids = await create_attributi(client, bt, {"sample": STRING, "frames": INTEGER})
    serial = await create_experiment_type(client, bt, "Serial", list(ids.values()))
    other = await create_experiment_type(client, bt, "Other", [ids["sample"]])
    await json_of(
        await client.patch(
            f"/api/beamtimes/{bt}/configuration", json={"current_experiment_type_id": other["id"]}
        ),
        200,
    )
    for number in (1, 2, 4):
        await put_run(client, bt, number, serial["id"], sample="lyso", frames=100)
    await put_run(client, bt, 3, serial["id"], sample="thaumatin", frames=100)
    await put_run(client, bt, 5, other["id"], sample="lyso")
    # A data set of another type with the same values must not be taken for the run's.
    await create_data_set(client, bt, experiment_type_id=other["id"], attributi={"sample": "lyso"})
    lyso = await create_data_set(
        client, bt, experiment_type_id=serial["id"], attributi={"sample": "lyso", "frames": 100}
    )
    started = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    latest = await put_run(
        client,
        bt,
        7,
        serial["id"],
        sample="lyso",
        frames=100,
    )
    await json_of(
        await client.patch(
            f"/api/beamtimes/{bt}/runs/7",
            json={
                "started": started.isoformat(),
                "stopped": (started + timedelta(minutes=3)).isoformat(),
            },
        ),
        200,
    )
    body = await overview(client, bt)
    run = body["latest_run"]
    assert run["number"] == 7
    assert run["attributi"] == {"sample": "lyso", "frames": 100}
    assert run["duration_seconds"] == 180.0
    assert set(run) == set(latest) | {"duration_seconds"}
    assert body["running"] is False
    assert body["data_set"] == {"id": lyso["id"], "runs": "1-2,4,7", "run_count": 4}
    assert body["experiment_type"]["id"] == other["id"]
    assert body["experiment_type"]["name"] == "Other"
    assert body["configuration"]["current_experiment_type_id"] == other["id"]


async def test_a_running_run_and_one_without_a_data_set(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    ids = await create_attributi(client, bt, {"sample": STRING})
    serial = await create_experiment_type(client, bt, "Serial", list(ids.values()))
    await create_data_set(client, bt, experiment_type_id=serial["id"], attributi={"sample": "a"})
    started = datetime.now(UTC) - timedelta(seconds=30)
    response = await client.post(
        f"/api/beamtimes/{bt}/runs",
        json={
            "started": started.isoformat(),
            "experiment_type_id": serial["id"],
            "attributi": {"sample": "b"},
        },
    )
    await json_of(response, 201)
    body = await overview(client, bt)
    assert body["running"] is True
    assert 29 <= body["latest_run"]["duration_seconds"] < 60
    assert body["data_set"] is None
    # A run without an experiment type has no data set either.
    await json_of(await client.post(f"/api/beamtimes/{bt}/runs", json={}), 201)
    body = await overview(client, bt)
    assert body["latest_run"]["number"] == 2
    assert body["latest_run"]["experiment_type_id"] is None
    assert body["data_set"] is None


async def test_live_stream_events_and_people_on_shift(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    await _frame(app, bt, datetime(2026, 11, 21, 9, 30, tzinfo=UTC))
    for i in range(25):
        await json_of(
            await client.post(f"/api/beamtimes/{bt}/events", json={"text": f"event {i}"}), 201
        )
    now = datetime.now(UTC)
    shifts = [
        {
            "start": _iso(now - timedelta(hours=2)),
            "end": _iso(now + timedelta(hours=1)),
            "users": ["Ada", "Rosalind"],
        },
        {
            "start": _iso(now - timedelta(hours=1)),
            "end": _iso(now + timedelta(hours=2)),
            "users": ["Dorothy", "Ada"],
        },
        {
            "start": _iso(now + timedelta(hours=2)),
            "end": _iso(now + timedelta(hours=4)),
            "users": ["Kathleen"],
        },
    ]
    await json_of(await client.put(f"/api/beamtimes/{bt}/schedule", json={"shifts": shifts}), 200)
    body = await overview(client, bt)
    assert body["live_stream"] == {
        "updated_at": "2026-11-21T09:30:00Z",
        "size": 2048,
        "width": 640,
        "height": 480,
        "url": f"/api/beamtimes/{bt}/live-stream",
    }
    assert [event["text"] for event in body["events"]] == [f"event {i}" for i in range(24, 4, -1)]
    listed = await json_of(await client.get(f"/api/beamtimes/{bt}/events?limit=1"), 200)
    assert body["events"][0] == listed["items"][0]
    assert body["on_shift"] == ["Ada", "Rosalind", "Dorothy"]


async def _frame(app: Quart, beamtime_id: int, when: datetime) -> None:
    """A live-stream frame as the live-stream API stores it (no change-feed row)."""
    async with database_of(app).write() as session:
        session.add(
            LiveStreamImage(
                beamtime_id=beamtime_id,
                content=b"\xff\xd8",
                mime_type="image/jpeg",
                size=2048,
                sha256="0" * 64,
                width=640,
                height=480,
                updated_at=when,
            )
        )


def _iso(value: datetime) -> str:
    return value.isoformat()


async def test_unknown_beamtime_is_404(client: Client) -> None:
    response = await client.get("/api/beamtimes/4711/overview")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


async def test_a_write_through_another_process_shows_at_once(
    client: Client, app: Quart, settings: Settings
) -> None:
    """The kept part of the overview follows the change feed, which lives in the database:
    a second app on the same database stands in for another server process."""
    bt = (await create_beamtime(client))["id"]
    ids = await create_attributi(client, bt, {"sample": STRING})
    serial = await create_experiment_type(client, bt, "Serial", list(ids.values()))
    await create_data_set(client, bt, experiment_type_id=serial["id"], attributi={"sample": "a"})
    await put_run(client, bt, 1, serial["id"], sample="a")
    assert (await overview(client, bt))["data_set"]["runs"] == "1"
    other = create_app(settings)
    try:
        other_client = await admin_client(other)
        await put_run(other_client, bt, 1, serial["id"], sample="b")
        await put_run(other_client, bt, 2, serial["id"], sample="a")
        await json_of(
            await other_client.patch(f"/api/beamtimes/{bt}", json={"title": "renamed"}), 200
        )
    finally:
        await other.extensions["amarcord"].database.dispose()
    body = await overview(client, bt)
    assert body["beamtime"]["title"] == "renamed"
    assert body["latest_run"]["number"] == 2
    assert body["data_set"]["runs"] == "2"
    assert (await client.delete(f"/api/beamtimes/{bt}?force=true")).status_code == 204
    assert (await client.get(f"/api/beamtimes/{bt}/overview")).status_code == 404


async def test_what_the_feed_does_not_record_is_read_every_time(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    started = datetime.now(UTC) - timedelta(seconds=5)
    created = await client.post(f"/api/beamtimes/{bt}/runs", json={"started": started.isoformat()})
    await json_of(created, 201)
    first = await overview(client, bt)
    assert first["live_stream"] is None
    await _frame(app, bt, datetime(2026, 11, 21, 9, 30, tzinfo=UTC))
    await asyncio.sleep(0.05)
    second = await overview(client, bt)
    assert second["live_stream"]["updated_at"] == "2026-11-21T09:30:00Z"
    assert second["latest_run"]["duration_seconds"] > first["latest_run"]["duration_seconds"]
    assert second["running"] is True


async def test_concurrent_misses_load_once() -> None:
    cache: FeedCache[int, str] = FeedCache(capacity=2)
    loads = 0

    async def load(kept: tuple[int, str] | None) -> str:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.01)
        return f"value {loads}"

    values = await asyncio.gather(*(cache.get(1, 7, load) for _ in range(16)))
    assert values == ["value 1"] * 16 and loads == 1
    assert await cache.get(1, 8, load) == "value 2"
    # An older seq does not displace a newer value.
    assert await cache.get(1, 7, load) == "value 3"
    assert await cache.get(1, 8, load) == "value 2"
    await cache.get(2, 1, load)
    await cache.get(3, 1, load)
    assert await cache.get(1, 8, load) == "value 6"  # evicted: capacity 2


async def test_kept_data_sets_follow_every_kind_of_change(
    client: Client, app: Quart, settings: Settings
) -> None:
    """After each random change, the overview of this app (which keeps and updates its data
    set from the change feed) equals that of an app computing it afresh."""
    bt = (await create_beamtime(client))["id"]
    ids = await create_attributi(client, bt, {"sample": STRING, "frames": INTEGER})
    serial = await create_experiment_type(client, bt, "Serial", list(ids.values()))
    other = await create_experiment_type(client, bt, "Other", [ids["sample"]])
    rng = random.Random(4)
    fresh_app = create_app(settings)
    fresh = await admin_client(fresh_app)
    created: set[tuple[int, str, int]] = set()
    try:
        for step in range(60):
            action = rng.choice(["run", "run", "run", "delete", "event", "data set", "title"])
            number = rng.randint(1, 8)
            if action == "run":
                type_id = rng.choice([serial["id"], serial["id"], other["id"]])
                values: dict[str, Any] = {"sample": rng.choice("ab")}
                if type_id == serial["id"]:
                    values["frames"] = rng.choice([1, 2])
                await put_run(client, bt, number, type_id, **values)
            elif action == "delete":
                await client.delete(f"/api/beamtimes/{bt}/runs/{number}")
            elif action == "event":
                await client.post(f"/api/beamtimes/{bt}/events", json={"text": f"step {step}"})
            elif action == "title":
                await client.patch(f"/api/beamtimes/{bt}", json={"title": f"step {step}"})
            else:
                wanted = (serial["id"], rng.choice("ab"), rng.choice([1, 2]))
                if wanted not in created:
                    created.add(wanted)
                    attributi = {"sample": wanted[1], "frames": wanted[2]}
                    await create_data_set(
                        client, bt, experiment_type_id=wanted[0], attributi=attributi
                    )
            fresh_app.extensions["amarcord"].overview_cache = FeedCache(1)
            kept, afresh = await overview(client, bt), await overview(fresh, bt)
            for body in (kept, afresh):
                if body["latest_run"] is not None:
                    body["latest_run"].pop("duration_seconds")
            assert kept == afresh, (step, action)
    finally:
        await fresh_app.extensions["amarcord"].database.dispose()
