"""The run overview: `GET /api/beamtimes/{bt}/overview`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.db.models import LiveStreamImage
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
from tests.support.rows import database


async def overview(client: Client, beamtime_id: int) -> dict[str, Any]:
    body: dict[str, Any] = await json_of(
        await client.get(f"/api/beamtimes/{beamtime_id}/overview"), 200
    )
    return body


async def test_an_empty_beamtime(client: Client) -> None:
    beamtime = await create_beamtime(client)
    body = await overview(client, beamtime["id"])
    assert body == {
        "beamtime": beamtime,
        "latest_run": None,
        "running": False,
        "configuration": {
            "auto_pilot": False,
            "current_experiment_type_id": None,
            "live_stream_url": None,
            "created_at": None,
            "author": None,
            "version": 0,
        },
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
    when = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    async with database(app).write() as session:
        session.add(
            LiveStreamImage(
                beamtime_id=bt,
                content=b"\xff\xd8",
                mime_type="image/jpeg",
                size=2048,
                sha256="0" * 64,
                width=640,
                height=480,
                updated_at=when,
            )
        )
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


def _iso(value: datetime) -> str:
    return value.isoformat()


async def test_unknown_beamtime_is_404(client: Client) -> None:
    response = await client.get("/api/beamtimes/4711/overview")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
