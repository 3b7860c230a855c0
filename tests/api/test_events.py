from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.db.models import Run
from tests.support.factories import create_beamtime
from tests.support.media import feed_of, jpeg, put_frame, upload


async def create_event(client: Client, bt: int, expect: int = 201, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/api/beamtimes/{bt}/events", json=body)
    assert response.status_code == expect, await response.get_data(as_text=True)
    result: dict[str, Any] = await response.get_json()
    return result


async def add_run(app: Quart, bt: int, number: int) -> None:
    # The runs API belongs to another module; a row is all an event needs.
    now = datetime.now(UTC)
    async with app.extensions["amarcord"].database.write() as session:
        session.add(Run(beamtime_id=bt, number=number, started=now, created_at=now, updated_at=now))


async def test_create_defaults_and_change_feed(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.post(f"/api/beamtimes/{bt}/events", json={"text": "Beam is **back**"})
    assert response.status_code == 201
    event = await response.get_json()
    assert response.headers["ETag"] == '"1"'
    assert event["level"] == "user"
    assert event["text"] == "Beam is **back**"
    assert event["run_number"] is None
    assert event["file_ids"] == [] and event["files"] == []
    assert event["version"] == 1
    assert event["created_at"] == event["updated_at"]
    feed = await feed_of(app, bt, "event")
    assert [(c.action, c.entity_id) for c in feed] == [("created", event["id"])]
    assert event["source"] == feed[0].actor  # the caller's identity
    assert feed[0].after == {
        "level": "user",
        "source": feed[0].actor,
        "text": "Beam is **back**",
        "run_number": None,
        "file_ids": [],
    }


async def test_files_and_run_are_linked(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    await add_run(app, bt, 7)
    picture = await upload(client, bt, jpeg((40, 30)), "x.jpg")
    notes = await upload(client, bt, b"notes", "n.txt")
    event = await create_event(
        client,
        bt,
        text="crystals",
        level="warning",
        source="DAQ",
        file_ids=[notes["id"], picture["id"], notes["id"]],
        run_number=7,
    )
    assert (event["level"], event["source"], event["run_number"]) == ("warning", "DAQ", 7)
    assert event["file_ids"] == sorted([notes["id"], picture["id"]])
    summary = next(f for f in event["files"] if f["id"] == picture["id"])
    assert summary == {
        "id": picture["id"],
        "name": "x.jpg",
        "mime_type": "image/jpeg",
        "size": picture["size"],
        "width": 40,
        "height": 30,
    }


async def test_validation_names_every_bad_field(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    other = (await create_beamtime(client, external_id="other"))["id"]
    foreign = await upload(client, other, b"elsewhere")
    mine = await upload(client, bt, b"mine")
    response = await client.post(
        f"/api/beamtimes/{bt}/events",
        json={"text": "x", "file_ids": [mine["id"], foreign["id"], 999999], "run_number": 3},
    )
    assert response.status_code == 422
    locs = [e["loc"] for e in (await response.get_json())["errors"]]
    assert locs == [["file_ids", 1], ["file_ids", 2], ["run_number"]]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"text": "x", "level": "debug"}, ["level"]),
        ({"text": "x", "source": ""}, ["source"]),
        ({"text": "   "}, ["text"]),
        ({"text": "x", "attach_live_stream": True}, ["attach_live_stream"]),
        ({"text": "x", "colour": "red"}, ["colour"]),
    ],
)
async def test_invalid_bodies_are_422(client: Client, body: dict[str, Any], loc: list[Any]) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.post(f"/api/beamtimes/{bt}/events", json=body)
    assert response.status_code == 422
    assert (await response.get_json())["errors"][0]["loc"] == loc


async def test_unknown_beamtime_and_event_are_404(client: Client) -> None:
    assert (await client.get("/api/beamtimes/999999/events")).status_code == 404
    response = await client.post("/api/beamtimes/999999/events", json={"text": "x"})
    assert response.status_code == 404
    bt = (await create_beamtime(client))["id"]
    other = (await create_beamtime(client, external_id="o"))["id"]
    event = await create_event(client, other, text="not yours")
    assert (await client.get(f"/api/beamtimes/{bt}/events/{event['id']}")).status_code == 404
    response = await client.patch(f"/api/beamtimes/{bt}/events/{event['id']}", json={"text": "y"})
    assert response.status_code == 404


async def test_attach_live_stream_copies_the_frame(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    frame = jpeg((320, 240))
    assert (await put_frame(client, bt, frame)).status_code == 200
    event = await create_event(client, bt, text="look", attach_live_stream=True)
    assert len(event["files"]) == 1
    attached = event["files"][0]
    assert attached["name"].startswith("live-stream-") and attached["name"].endswith("Z.jpg")
    assert (attached["width"], attached["height"]) == (320, 240)
    content = await (await client.get(f"/api/files/{attached['id']}")).get_data()
    assert content == frame
    # The same frame again: the same file, not a copy.
    again = await create_event(client, bt, attach_live_stream=True)
    assert again["file_ids"] == [attached["id"]]


async def test_patch_keeps_the_previous_content_in_the_feed(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    await add_run(app, bt, 1)
    file = await upload(client, bt, b"attachment")
    event = await create_event(client, bt, text="first", file_ids=[file["id"]], run_number=1)
    url = f"/api/beamtimes/{bt}/events/{event['id']}"
    response = await client.patch(url, json={"text": "second"}, headers={"If-Match": '"7"'})
    assert response.status_code == 412
    response = await client.patch(
        url,
        json={"text": "second", "level": "error", "file_ids": [], "run_number": None},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    patched = await response.get_json()
    assert response.headers["ETag"] == '"2"'
    assert (patched["text"], patched["level"], patched["file_ids"], patched["run_number"]) == (
        "second",
        "error",
        [],
        None,
    )
    assert patched["updated_at"] > patched["created_at"]
    update = (await feed_of(app, bt, "event"))[-1]
    assert update.action == "updated"
    assert update.before == {
        "text": "first",
        "level": "user",
        "file_ids": [file["id"]],
        "run_number": 1,
    }
    assert update.after == {"text": "second", "level": "error", "file_ids": [], "run_number": None}


async def test_patch_without_changes_keeps_the_version(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    event = await create_event(client, bt, text="same")
    url = f"/api/beamtimes/{bt}/events/{event['id']}"
    patched = await (await client.patch(url, json={"text": "same"})).get_json()
    assert patched["version"] == 1
    assert len(await feed_of(app, bt, "event")) == 1


@pytest.mark.parametrize("field", ["text", "level", "source", "file_ids"])
async def test_patch_refuses_null_for_required_fields(client: Client, field: str) -> None:
    bt = (await create_beamtime(client))["id"]
    event = await create_event(client, bt, text="x")
    url = f"/api/beamtimes/{bt}/events/{event['id']}"
    response = await client.patch(url, json={field: None})
    assert response.status_code == 422


async def test_delete_records_the_content(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    file = await upload(client, bt, b"stays")
    event = await create_event(client, bt, text="gone soon", file_ids=[file["id"]])
    url = f"/api/beamtimes/{bt}/events/{event['id']}"
    assert (await client.delete(url, headers={"If-Match": '"2"'})).status_code == 412
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.get(f"/api/files/{file['id']}")).status_code == 200
    deleted = (await feed_of(app, bt, "event"))[-1]
    assert deleted.action == "deleted"
    assert deleted.before is not None and deleted.before["text"] == "gone soon"


async def test_list_newest_first_with_cursor(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    for i in range(5):
        await create_event(client, bt, text=f"event {i}")
    seen: list[str] = []
    cursor = None
    while True:
        url = f"/api/beamtimes/{bt}/events?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await (await client.get(url)).get_json()
        assert page["total"] == 5
        seen += [item["text"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"event {i}" for i in reversed(range(5))]


async def test_list_filters(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    await add_run(app, bt, 12)
    await create_event(client, bt, text="Sample **LYSOZYME** mounted", source="alice")
    await create_event(client, bt, text="vacuum 50% lost", level="error", source="DAQ")
    await create_event(client, bt, text="beam back", level="warning", source="Lyso-bot")
    await create_event(client, bt, text="run note", level="info", run_number=12)

    async def texts(query: str) -> list[str]:
        response = await client.get(f"/api/beamtimes/{bt}/events?{query}")
        assert response.status_code == 200, await response.get_data(as_text=True)
        page = await response.get_json()
        assert page["total"] == len(page["items"])
        return [item["text"] for item in page["items"]]

    assert await texts("q=lyso") == ["beam back", "Sample **LYSOZYME** mounted"]
    assert await texts("q=" + quote("50%")) == ["vacuum 50% lost"]
    assert await texts("q=" + quote("_")) == []
    assert await texts("level=error,warning") == ["beam back", "vacuum 50% lost"]
    assert await texts("level=info") == ["run note"]
    assert await texts("run=12") == ["run note"]
    everything = await (await client.get(f"/api/beamtimes/{bt}/events")).get_json()
    middle = everything["items"][1]["created_at"]
    assert await texts("since=" + quote(middle)) == ["run note", "beam back"]
    assert await texts("until=" + quote(middle)) == [
        "vacuum 50% lost",
        "Sample **LYSOZYME** mounted",
    ]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert await texts("since=" + quote(future)) == []


@pytest.mark.parametrize(
    "query", ["level=debug", "since=2026-01-01T00:00:00", "limit=0", "cursor=abc", "run=x"]
)
async def test_bad_list_queries_are_422(client: Client, query: str) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.get(f"/api/beamtimes/{bt}/events?{query}")
    assert response.status_code == 422


async def test_force_deleting_a_file_detaches_it_from_events(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    file = await upload(client, bt, b"attached")
    event = await create_event(client, bt, text="with file", file_ids=[file["id"]])
    response = await client.delete(f"/api/files/{file['id']}")
    assert response.status_code == 409
    assert f"event {event['id']}" in (await response.get_json())["detail"]
    assert (await client.delete(f"/api/files/{file['id']}?force=true")).status_code == 204
    url = f"/api/beamtimes/{bt}/events/{event['id']}"
    detached = await (await client.get(url)).get_json()
    assert detached["file_ids"] == []
    assert detached["version"] == 2
    update = (await feed_of(app, bt, "event"))[-1]
    assert (update.before, update.after) == ({"file_ids": [file["id"]]}, {"file_ids": []})


async def test_search_folds_the_case_of_every_letter_and_keeps_accents(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    await create_event(client, bt, text="Kristall von Jürgen gefroren", source="ÖLBERG")
    await create_event(client, bt, text="Jurgen's crystal", source="daq")

    async def texts(q: str) -> list[str]:
        response = await client.get(f"/api/beamtimes/{bt}/events?q={quote(q)}")
        return [item["text"] for item in (await response.get_json())["items"]]

    # Non-ASCII letters fold on SQLite too; "ü" is not "u" on MariaDB either.
    assert await texts("JÜRGEN") == ["Kristall von Jürgen gefroren"]
    assert await texts("jurgen") == ["Jurgen's crystal"]
    assert await texts("ölberg") == ["Kristall von Jürgen gefroren"]
    assert await texts("Δ") == []
