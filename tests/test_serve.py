"""`amarcord serve` (uvicorn, `amarcord/serving.py`) in a subprocess: a stop signal ends the
open change streams at once, so that browsers reconnect elsewhere, and the process exits
cleanly instead of spending its graceful timeout on responses that never finish."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx
import pytest

from amarcord.api.context import EXTENSION_KEY
from amarcord.app import create_app
from amarcord.config import Settings
from amarcord.db import migrate
from tests.support.auth import admin_token_for, bearer, with_auth
from tests.support.factories import BEAMTIME
from tests.support.live_server import ServerProcess, serving
from tests.support.sse_client import open_stream

pytestmark = pytest.mark.slow
GRACEFUL_TIMEOUT = 30.0


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
async def test_a_stop_signal_ends_open_streams_and_the_process(
    tmp_path: Path, signal_number: signal.Signals
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    await migrate.upgrade(url)
    token = await admin_token_for(url)
    server = ServerProcess(url, {"graceful_timeout": str(GRACEFUL_TIMEOUT)})
    try:
        await server.wait_until_up()
        async with httpx.AsyncClient(base_url=server.url, headers=bearer(token)) as http:
            created = await http.post("/api/beamtimes", json=BEAMTIME)
            assert created.status_code == 201, created.text
            stream_url = f"/api/beamtimes/{created.json()['id']}/changes/stream"
            async with open_stream(http, stream_url) as reader:  # open: its retry: arrived
                stopped = time.monotonic()
                server.process.send_signal(signal_number)
                assert await reader.ended(timeout=5)  # a clean end, not a cut connection
            exit_code = await asyncio.to_thread(server.process.wait, 10)
        assert exit_code == 0
        assert time.monotonic() - stopped < GRACEFUL_TIMEOUT / 3
    finally:
        if server.process.poll() is None:
            await server.stop()


async def test_several_worker_processes_serve_and_stop(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'workers.db'}"
    await migrate.upgrade(url)
    token = await admin_token_for(url)
    server = ServerProcess(url, {"workers": "2"})
    try:
        await server.wait_until_up()
        async with httpx.AsyncClient(base_url=server.url, headers=bearer(token)) as http:
            # Each request may land on either worker; every one of them answers.
            for _ in range(10):
                assert (await http.get("/api/beamtimes")).status_code == 200
        server.process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(server.process.wait, 20) == 0
    finally:
        if server.process.poll() is None:
            await server.stop()


async def test_forwarded_headers_count_only_from_trusted_proxies(settings: Settings) -> None:
    # uvicorn would believe X-Forwarded-For from 127.0.0.1 unless told not to: then anyone on
    # the server's host could pose as the proxy (amarcord/serving.py).
    app = create_app(with_auth(settings, "proxy", trusted_proxies="192.0.2.1"))
    try:
        async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
            posing = {"X-Forwarded-For": "192.0.2.1", "X-Remote-User": "mallory"}
            assert (await http.get("/api/auth/me", headers=posing)).status_code == 401
    finally:
        await app.extensions[EXTENSION_KEY].database.dispose()
