"""The grabber against a real `amarcord serve` process (not the stand-in): frames from the
fake camera reach `GET .../live-stream`; a camera restart and then a server restart are
recovered from without restarting the daemon."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from daemons.mjpeg.settings import MjpegSettings
from scripts.fake_camera import FakeCamera
from tests.daemons.support import running
from tests.support.auth import admin_token_for, bearer
from tests.support.live_server import ServerProcess

pytestmark = pytest.mark.slow
INTERVAL = 0.5


@pytest.fixture
async def token(database_url: str) -> str:
    return await admin_token_for(database_url)


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[ServerProcess]:
    process = ServerProcess(database_url, {})
    await process.wait_until_up()
    yield process
    await process.stop()


async def _beamtime_with_camera(server: ServerProcess, token: str, camera_url: str) -> int:
    now = datetime.now(UTC)
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(token)) as client:
        created = await client.post(
            "/api/beamtimes",
            json={
                "external_id": "mjpeg",
                "start": (now - timedelta(hours=1)).isoformat(),
                "end": (now + timedelta(hours=1)).isoformat(),
            },
        )
        assert created.status_code == 201, created.text
        beamtime_id: int = created.json()["id"]
        configured = await client.patch(
            f"/api/beamtimes/{beamtime_id}/configuration", json={"live_stream_url": camera_url}
        )
        assert configured.status_code == 200, configured.text
    return beamtime_id


async def _next_frame(
    server: ServerProcess, token: str, beamtime_id: int, after: str | None, within: float
) -> str:
    """Waits until the live-stream image exists and differs from `after`; returns its ETag."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(token)) as client:
        while time.monotonic() < deadline:
            try:
                response = await client.get(f"/api/beamtimes/{beamtime_id}/live-stream")
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                assert response.headers["Content-Type"] == "image/jpeg"
                if response.headers["ETag"] != after:
                    return response.headers["ETag"]
            await asyncio.sleep(0.1)
    raise AssertionError(f"no new frame within {within} s")


def _settings(server: ServerProcess, token: str, beamtime_id: int) -> MjpegSettings:
    return MjpegSettings(
        server=server.url,
        token=token,
        beamtime=beamtime_id,
        interval=INTERVAL,
        recheck_interval=0.3,
        max_backoff=0.5,
        camera_timeout=1.0,
        server_timeout=2.0,
    )


async def test_frames_reach_the_real_server_and_outages_are_recovered(
    camera: FakeCamera, server: ServerProcess, token: str, database_url: str
) -> None:
    beamtime_id = await _beamtime_with_camera(server, token, camera.url())
    async with running(_settings(server, token, beamtime_id)):
        etag = await _next_frame(server, token, beamtime_id, None, within=INTERVAL + 5)
        etag = await _next_frame(server, token, beamtime_id, etag, within=INTERVAL + 1)

        await camera.stop()
        await asyncio.sleep(1.5)
        await camera.start()
        etag = await _next_frame(server, token, beamtime_id, etag, within=10)

        # The server goes away and comes back on the same address.
        await server.stop()
        await asyncio.sleep(1.0)
        port = int(server.url.rsplit(":", 1)[1])
        restarted = ServerProcess(database_url, {}, port=port)
        try:
            await restarted.wait_until_up()
            await _next_frame(restarted, token, beamtime_id, etag, within=10)
        finally:
            await restarted.stop()
        server.process = restarted.process  # the fixture's stop() finds it already ended
