"""Two `amarcord serve` processes on one database: a change written through one reaches a
stream held on the other within 2 s, and a stream resumed there misses nothing.

SQLite (one file) always; MariaDB and PostgreSQL on scratch databases when configured."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from amarcord.db import migrate
from tests.conftest import configured_engines, server_url
from tests.support.auth import admin_token_for, bearer
from tests.support.databases import scratch_database
from tests.support.factories import BEAMTIME
from tests.support.live_server import ServerProcess, server_processes
from tests.support.sse_client import open_stream

DELIVERY_LIMIT = 2.0


# Starting server processes takes seconds: the tests of one engine share them.
pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=configured_engines())
async def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[list[ServerProcess]]:
    name: str = request.param
    if name == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('shared') / 'shared.db'}"
    else:
        url = await scratch_database(server_url(name), "two_processes")
    await migrate.upgrade(url)
    token = await admin_token_for(url)
    async with server_processes(url, 2, stream_keepalive="0.5") as running:
        for server in running:
            server.headers = bearer(token)
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def clients(
    servers: list[ServerProcess],
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """An administrator's client of each process."""
    a, b = servers
    async with (
        httpx.AsyncClient(base_url=a.url, headers=a.headers) as on_a,
        httpx.AsyncClient(base_url=b.url, headers=b.headers) as on_b,
    ):
        yield on_a, on_b


async def new_beamtime(client: httpx.AsyncClient) -> tuple[str, str]:
    """A new beamtime's URL and the URL of its change stream."""
    created = await client.post("/api/beamtimes", json=BEAMTIME)
    assert created.status_code == 201, created.text
    url = f"/api/beamtimes/{created.json()['id']}"
    return url, f"{url}/changes/stream"


async def test_a_change_written_on_one_process_streams_from_the_other(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    writer, reader_client = clients
    beamtime_url, url = await new_beamtime(writer)
    async with open_stream(reader_client, url) as stream:
        for title in ("first", "second"):
            sent = time.monotonic()
            assert (await writer.patch(beamtime_url, json={"title": title})).status_code == 200
            event = await stream.event(timeout=DELIVERY_LIMIT)
            assert time.monotonic() - sent < DELIVERY_LIMIT
            assert event.json()["after"] == {"title": title}
        last_seen = int(event.id or 0)
        block = await stream.block(timeout=3)
        assert block.comment == "keep-alive"

    for i in range(3):
        await writer.patch(beamtime_url, json={"title": f"missed {i}"})
    async with open_stream(reader_client, url, last_event_id=last_seen) as stream:
        missed = [await stream.event(timeout=DELIVERY_LIMIT) for _ in range(3)]
        assert [e.json()["after"]["title"] for e in missed] == [f"missed {i}" for i in range(3)]
        feed = (await writer.get(f"{beamtime_url}/changes")).json()
        assert [int(e.id or 0) for e in missed] == [i["seq"] for i in feed["items"][-3:]]
        # Nothing else is pending: the next block is silence.
        assert (await stream.block(timeout=3)).comment == "keep-alive"


async def test_concurrent_writers_on_both_processes_reach_both_streams_in_order(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    on_a, on_b = clients
    beamtime_url, url = await new_beamtime(on_a)
    async with open_stream(on_a, url) as stream_a, open_stream(on_b, url) as stream_b:

        async def write(client: httpx.AsyncClient, prefix: str) -> None:
            for i in range(10):
                response = await client.patch(beamtime_url, json={"title": f"{prefix}{i}"})
                assert response.status_code == 200

        await asyncio.gather(write(on_a, "a"), write(on_b, "b"))
        feed = (await on_a.get(f"{beamtime_url}/changes?limit=100")).json()
        expected = [item["seq"] for item in feed["items"][1:]]
        assert len(expected) == 20
        for stream in (stream_a, stream_b):
            got = [int((await stream.event(timeout=5)).id or 0) for _ in range(20)]
            assert got == expected
