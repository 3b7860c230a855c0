"""The change stream (`GET /api/beamtimes/{bt}/changes/stream`) against a real uvicorn
server in this process, on every engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from quart import Quart

from amarcord.api import change_hub
from amarcord.api.change_hub import BATCH, ChangeHub
from amarcord.app import create_app
from amarcord.config import Settings
from amarcord.db.engine import Database
from amarcord.db.models import LiveStreamImage
from amarcord.store import beamtimes, changes
from tests.support.auth import bearer, create_token, database_of
from tests.support.factories import BEAMTIME, CHANGE_FIELDS
from tests.support.live_server import serving
from tests.support.sse_client import EventReader, open_stream

KEEPALIVE = 0.3


@pytest.fixture
async def stream_app(settings: Settings) -> Quart:
    quick = settings.model_copy(
        update={"stream_keepalive": KEEPALIVE, "stream_poll_interval": 0.05}
    )
    return create_app(quick)


@pytest.fixture
async def http(stream_app: Quart) -> AsyncIterator[httpx.AsyncClient]:
    """An administrator's client of the app served on loopback."""
    headers = bearer(await create_token(database_of(stream_app), role="admin"))
    async with (
        serving(stream_app) as base_url,
        httpx.AsyncClient(base_url=base_url, headers=headers) as client,
    ):
        yield client


def hub_of(app: Quart) -> ChangeHub:
    hub: ChangeHub = app.extensions["amarcord"].change_hub
    return hub


async def new_beamtime(http: httpx.AsyncClient) -> int:
    response = await http.post("/api/beamtimes", json=BEAMTIME)
    assert response.status_code == 201, response.text
    beamtime_id: int = response.json()["id"]
    return beamtime_id


async def retitle(http: httpx.AsyncClient, beamtime_id: int, title: str) -> None:
    response = await http.patch(f"/api/beamtimes/{beamtime_id}", json={"title": title})
    assert response.status_code == 200, response.text


async def seqs(http: httpx.AsyncClient, beamtime_id: int) -> list[int]:
    page = (await http.get(f"/api/beamtimes/{beamtime_id}/changes?limit=10000")).json()
    return [item["seq"] for item in page["items"]]


def stream_url(beamtime_id: int, query: str = "") -> str:
    return f"/api/beamtimes/{beamtime_id}/changes/stream{query}"


async def titles(reader: EventReader, count: int) -> list[tuple[int, str]]:
    events = [await reader.event() for _ in range(count)]
    assert {event.event for event in events} == {"change"}
    return [(int(event.id or 0), event.json()["after"]["title"]) for event in events]


async def test_a_new_stream_starts_at_the_current_end(http: httpx.AsyncClient) -> None:
    beamtime_id = await new_beamtime(http)
    await retitle(http, beamtime_id, "before the stream")
    async with open_stream(http, stream_url(beamtime_id)) as reader:
        assert reader.response.headers["content-type"].startswith("text/event-stream")
        assert reader.response.headers["cache-control"] == "no-cache"
        assert reader.response.headers["x-accel-buffering"] == "no"
        await retitle(http, beamtime_id, "during the stream")
        event = await reader.event()
        assert event.event == "change"
        body = event.json()
        assert int(event.id or 0) == body["seq"] == (await seqs(http, beamtime_id))[-1]
        assert body["after"] == {"title": "during the stream"}
        assert body["entity"] == "beamtime" and body["action"] == "updated"
        assert set(body) == CHANGE_FIELDS


async def test_last_event_id_resumes_without_gaps_or_duplicates(http: httpx.AsyncClient) -> None:
    beamtime_id = await new_beamtime(http)
    async with open_stream(http, stream_url(beamtime_id)) as reader:
        await retitle(http, beamtime_id, "seen")
        ((last_seen, _),) = await titles(reader, 1)
    for i in range(5):
        await retitle(http, beamtime_id, f"missed {i}")
    url = stream_url(beamtime_id)
    async with open_stream(http, url, last_event_id=last_seen) as reader:
        await retitle(http, beamtime_id, "live")
        got = await titles(reader, 6)
        assert [title for _, title in got] == [*(f"missed {i}" for i in range(5)), "live"]
        assert [seq for seq, _ in got] == (await seqs(http, beamtime_id))[-6:]
        await retitle(http, beamtime_id, "one more")
        assert [title for _, title in await titles(reader, 1)] == ["one more"]


async def test_after_parameter_resumes_and_the_header_wins(http: httpx.AsyncClient) -> None:
    beamtime_id = await new_beamtime(http)
    for i in range(3):
        await retitle(http, beamtime_id, f"t{i}")
    created, first, second, third = await seqs(http, beamtime_id)
    async with open_stream(http, stream_url(beamtime_id, f"?after={first}")) as reader:
        assert [seq for seq, _ in await titles(reader, 2)] == [second, third]
    url = stream_url(beamtime_id, f"?after={created}")
    async with open_stream(http, url, last_event_id=second) as reader:
        assert [seq for seq, _ in await titles(reader, 1)] == [third]


async def test_a_replay_longer_than_one_page_arrives_whole(
    http: httpx.AsyncClient, stream_app: Quart
) -> None:
    beamtime_id = await new_beamtime(http)
    start = (await seqs(http, beamtime_id))[-1]
    count = BATCH + 20
    await store_retitle(database_of(stream_app), beamtime_id, *(f"t{i}" for i in range(count)))
    async with open_stream(http, stream_url(beamtime_id), last_event_id=start) as reader:
        got = await titles(reader, count)
        assert [title for _, title in got] == [f"t{i}" for i in range(count)]


async def test_keep_alive_comments_fill_silence(http: httpx.AsyncClient) -> None:
    beamtime_id = await new_beamtime(http)
    async with open_stream(http, stream_url(beamtime_id)) as reader:
        started = asyncio.get_running_loop().time()
        block = await reader.block(timeout=3)
        assert block.comment == "keep-alive"
        assert asyncio.get_running_loop().time() - started >= KEEPALIVE * 0.8
        await retitle(http, beamtime_id, "after the silence")
        assert [title for _, title in await titles(reader, 1)] == ["after the silence"]


async def test_a_new_live_stream_frame_is_a_transient_event(
    http: httpx.AsyncClient, stream_app: Quart
) -> None:
    beamtime_id = await new_beamtime(http)
    await put_frame(stream_app, beamtime_id, datetime(2026, 11, 21, 10, 0, tzinfo=UTC))
    async with open_stream(http, stream_url(beamtime_id)) as reader:
        # The frame that was there before the stream opened is not announced.
        assert (await reader.block(timeout=3)).comment == "keep-alive"
        when = datetime(2026, 11, 21, 10, 0, 1, 500000, tzinfo=UTC)
        await put_frame(stream_app, beamtime_id, when)
        event = await reader.event()
        assert event.event == "live-stream"
        assert event.id is None
        assert event.json() == {"updated_at": "2026-11-21T10:00:01.500000Z"}
    before = (await seqs(http, beamtime_id))[0]
    # Not stored, so not replayed.
    async with open_stream(http, stream_url(beamtime_id), last_event_id=before) as reader:
        assert (await reader.block(timeout=3)).comment == "keep-alive"


async def put_frame(app: Quart, beamtime_id: int, when: datetime) -> None:
    """Writes a frame as the live-stream API does (no change-feed row)."""
    values: dict[str, Any] = {
        "content": b"\xff\xd8",
        "thumbnail": None,
        "mime_type": "image/jpeg",
        "size": 2,
        "sha256": "0" * 64,
        "width": 1,
        "height": 1,
        "updated_at": when,
    }
    async with database_of(app).write() as session:
        row = await session.get(LiveStreamImage, beamtime_id)
        if row is None:
            session.add(LiveStreamImage(beamtime_id=beamtime_id, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)


async def test_unknown_beamtime_and_bad_last_event_id(http: httpx.AsyncClient) -> None:
    response = await http.get(stream_url(4711))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    beamtime_id = await new_beamtime(http)
    for bad in ("x", "-3"):
        response = await http.get(stream_url(beamtime_id), headers={"Last-Event-ID": bad})
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["loc"] == ["header", "Last-Event-ID"]
    assert (await http.get(stream_url(beamtime_id, "?after=-1"))).status_code == 422


async def test_deletion_ends_the_stream_and_a_reconnect_is_404(http: httpx.AsyncClient) -> None:
    beamtime_id = await new_beamtime(http)
    await retitle(http, beamtime_id, "doomed")
    created, retitled = await seqs(http, beamtime_id)
    async with open_stream(http, stream_url(beamtime_id)) as reader:
        assert (await http.delete(f"/api/beamtimes/{beamtime_id}")).status_code == 204
        event = await reader.event()
        assert (event.json()["entity"], event.json()["action"]) == ("beamtime", "deleted")
        assert await reader.ended()
    deleted = int(event.id or 0)
    reconnect = await http.get(stream_url(beamtime_id), headers={"Last-Event-ID": str(deleted)})
    assert reconnect.status_code == 404
    # From further back, the rest of the feed is replayed and then the stream ends.
    async with open_stream(http, stream_url(beamtime_id), last_event_id=created) as reader:
        assert [int((await reader.event()).id or 0) for _ in range(2)] == [retitled, deleted]
        assert await reader.ended()


async def test_one_poller_per_beamtime_whatever_the_number_of_streams(
    http: httpx.AsyncClient, stream_app: Quart
) -> None:
    first, second = await new_beamtime(http), await new_beamtime(http)
    hub = hub_of(stream_app)
    async with (
        open_stream(http, stream_url(first)) as a,
        open_stream(http, stream_url(first)) as b,
        open_stream(http, stream_url(first)) as c,
        open_stream(http, stream_url(second)) as d,
    ):
        await wait_for(lambda: hub.polling == sorted([first, second]))
        await retitle(http, first, "for three")
        await retitle(http, second, "for one")
        for reader in (a, b, c):
            assert [title for _, title in await titles(reader, 1)] == ["for three"]
        assert [title for _, title in await titles(d, 1)] == ["for one"]
    await wait_for(lambda: hub.polling == [])


async def wait_for(condition: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_shutdown_stops_the_pollers_and_closes_open_streams(stream_app: Quart) -> None:
    hub = hub_of(stream_app)
    headers = bearer(await create_token(database_of(stream_app), role="admin"))
    server = serving(stream_app)
    base_url = await server.__aenter__()
    running = True
    try:
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
            beamtime_id = await new_beamtime(http)
            async with open_stream(http, stream_url(beamtime_id)) as reader:
                await wait_for(lambda: hub.polling == [beamtime_id])
                running = False
                await server.__aexit__(None, None, None)
                assert hub.polling == []
                # The server cuts streams still open after its graceful timeout.
                with pytest.raises(httpx.RemoteProtocolError):
                    while True:
                        assert (await reader.block(timeout=2)).comment == "keep-alive"
    finally:
        if running:
            await server.__aexit__(None, None, None)


async def test_a_stalled_follower_is_cut_off_and_resumes_from_the_database(db: Database) -> None:
    hub = ChangeHub(db, poll_interval=0.02, max_backlog=3)
    beamtime_id = await store_beamtime(db)
    stalled = hub.follow(beamtime_id, 0, keepalive=60)
    frames = [await anext(stalled)]  # retry:
    frames.append(await anext(stalled))  # the replayed `created` row
    waiting = asyncio.create_task(anext(stalled))
    await wait_for(lambda: hub.polling == [beamtime_id])
    await store_retitle(db, beamtime_id, *(f"t{i}" for i in range(5)))
    # Five changes in one tick exceed the backlog of three: the follower ends, having sent
    # nothing beyond what it had, so that its Last-Event-ID still covers everything.
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(waiting, 5)
    await stalled.aclose()
    assert hub.polling == []
    resumed = hub.follow(beamtime_id, 1, keepalive=60)
    got = [await anext(resumed) for _ in range(6)]
    assert [frame.count(b"event: change") for frame in got[1:]] == [1] * 5
    await resumed.aclose()
    await hub.close()


async def store_beamtime(db: Database) -> int:
    values = {key: value for key, value in BEAMTIME.items() if key not in ("start", "end")}
    now = datetime.now(UTC)
    async with db.write() as session:
        row = await beamtimes.create(
            session, {**values, "start": now, "end": now, "timezone": "UTC"}, actor="test"
        )
        return row.id


async def store_retitle(db: Database, beamtime_id: int, *titles: str) -> None:
    """One change-feed row per title, all in one transaction (the rows a retitle records,
    without the cost of updating the beamtime each time)."""
    async with db.write() as session:
        await beamtimes.lock(session, beamtime_id)
        for title in titles:
            await changes.record(
                session,
                beamtime_id=beamtime_id,
                actor="test",
                entity="beamtime",
                entity_id=beamtime_id,
                action="updated",
                before={"title": "?"},
                after={"title": title},
            )


async def test_a_closed_hub_ends_new_streams_after_the_replay(db: Database) -> None:
    hub = ChangeHub(db, poll_interval=0.02, max_backlog=10)
    beamtime_id = await store_beamtime(db)
    await hub.close()
    frames = [frame async for frame in hub.follow(beamtime_id, 0, keepalive=60)]
    assert len(frames) == 2 and b"event: change" in frames[1]
    assert hub.polling == []


async def test_an_id_the_database_never_issued_starts_at_the_end(http: httpx.AsyncClient) -> None:
    """After a restore from an older backup, browsers come back with larger ids than any."""
    beamtime_id = await new_beamtime(http)
    async with open_stream(http, stream_url(beamtime_id), last_event_id=10**12) as reader:
        await retitle(http, beamtime_id, "after the restore")
        assert [title for _, title in await titles(reader, 1)] == ["after the restore"]


async def test_a_poller_that_fails_ends_its_streams(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hub = ChangeHub(db, poll_interval=0.02, max_backlog=10)
    beamtime_id = await store_beamtime(db)

    async def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("a bug in the poller")

    monkeypatch.setattr(change_hub.change_feed, "poll", broken)
    frames = [frame async for frame in hub.follow(beamtime_id, 0, keepalive=60)]
    assert len(frames) == 2  # retry: and the replayed row; then the stream ends
    assert hub.polling == []
    assert "change stream of beamtime" in caplog.text
    await hub.close()


async def test_a_stream_ends_once_its_caller_loses_access(
    stream_app: Quart, http: httpx.AsyncClient
) -> None:
    beamtime_id = await new_beamtime(http)
    created = (
        await http.post(
            f"/api/beamtimes/{beamtime_id}/tokens", json={"name": "screen", "role": "viewer"}
        )
    ).json()
    viewer = bearer(created["token"])
    async with open_stream(http, stream_url(beamtime_id), headers=viewer) as reader:
        await retitle(http, beamtime_id, "still allowed")
        assert [title for _, title in await titles(reader, 1)] == ["still allowed"]
        revoked = await http.delete(f"/api/beamtimes/{beamtime_id}/tokens/{created['id']}")
        assert revoked.status_code == 204
        with pytest.raises(EOFError):
            while True:  # keep-alives until the next check, then the end
                await reader.block(timeout=KEEPALIVE * 10)
    reconnect = await http.get(stream_url(beamtime_id), headers=viewer)
    assert reconnect.status_code == 401
