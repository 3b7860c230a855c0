"""Real servers on loopback for tests of endless responses (the change stream).

`httpx.ASGITransport` buffers whole responses, so streams are tested against hypercorn: the
app in this process (`serving`), or `amarcord serve` in a subprocess (`server_process`)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def wait_until_up(base_url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base_url) as client:
        while True:
            try:
                if (await client.get("/api/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"no server answered at {base_url}")
            await asyncio.sleep(0.05)


@asynccontextmanager
async def serving(app: Quart) -> AsyncIterator[str]:
    """Serves `app` with hypercorn on a free loopback port (startup and shutdown included);
    yields its base URL."""
    port = free_port()
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.graceful_timeout = 1.0
    config.accesslog = None
    shutdown = asyncio.Event()
    task = asyncio.create_task(serve(app, config, shutdown_trigger=shutdown.wait))  # type: ignore[arg-type]
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_up(base_url)
        yield base_url
    finally:
        shutdown.set()
        await task


def amarcord(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "amarcord.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid


@asynccontextmanager
async def server_process(database_url: str, **settings: str) -> AsyncIterator[ServerProcess]:
    """`amarcord serve` on a free loopback port and an already migrated database, once it
    answers; extra keyword arguments become AMARCORD_* settings."""
    port = free_port()
    env = {
        **os.environ,
        "AMARCORD_DATABASE_URL": database_url,
        "AMARCORD_PORT": str(port),
        "AMARCORD_LOG_LEVEL": "WARNING",
        **{f"AMARCORD_{name.upper()}": value for name, value in settings.items()},
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "amarcord.cli", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            server = ServerProcess(url=f"http://127.0.0.1:{port}", process=process)
            try:
                await wait_until_up(server.url)
            except TimeoutError as error:
                log.seek(0)
                raise TimeoutError(log.read().decode(errors="replace")) from error
            yield server
        finally:
            process.terminate()
            try:
                await asyncio.to_thread(process.wait, 15)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)
