"""Real servers on loopback for tests of endless responses (the change stream).

`httpx.ASGITransport` buffers whole responses, so streams are tested against the server that
production runs (uvicorn, `amarcord.serving`): the app in this process (`serving`), or
`amarcord serve` in subprocesses (`server_processes`)."""

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

import httpx
import uvicorn
from quart import Quart

from amarcord import serving as amarcord_serving
from amarcord.config import Settings


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
    """Serves `app` as `amarcord serve` would, on a free loopback port (startup and shutdown
    included); yields its base URL."""
    port = free_port()
    settings = Settings(port=port, graceful_timeout=1, log_level="WARNING", _env_file=None)
    server = amarcord_serving.Server(uvicorn.Config(app, **amarcord_serving.options(settings)))
    task = asyncio.create_task(server.serve())
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_up(base_url)
        yield base_url
    finally:
        server.stop()
        await task


class ServerProcess:
    """`amarcord serve` in a subprocess on a free loopback port; its stderr goes to a
    temporary file, shown when it fails to come up."""

    def __init__(
        self, database_url: str, settings: dict[str, str], port: int | None = None
    ) -> None:
        port = port or free_port()
        self.url = f"http://127.0.0.1:{port}"
        # Whatever a test's clients must send, e.g. a token for this database.
        self.headers: dict[str, str] = {}
        env = {
            **os.environ,
            "AMARCORD_DATABASE_URL": database_url,
            "AMARCORD_PORT": str(port),
            "AMARCORD_LOG_LEVEL": "WARNING",
            **{f"AMARCORD_{name.upper()}": value for name, value in settings.items()},
        }
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives until stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "amarcord.cli", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    async def wait_until_up(self) -> None:
        try:
            await wait_until_up(self.url, timeout=60)
        except TimeoutError as error:
            self._log.seek(0)
            raise TimeoutError(self._log.read().decode(errors="replace")) from error

    async def stop(self) -> None:
        self.process.terminate()
        try:
            await asyncio.to_thread(self.process.wait, 15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)
        self._log.close()


@asynccontextmanager
async def server_processes(
    database_url: str, count: int, **settings: str
) -> AsyncIterator[list[ServerProcess]]:
    """`count` server processes on one already migrated database, started side by side;
    keyword arguments become AMARCORD_* settings."""
    servers = [ServerProcess(database_url, settings) for _ in range(count)]
    try:
        await asyncio.gather(*(server.wait_until_up() for server in servers))
        yield servers
    finally:
        await asyncio.gather(*(server.stop() for server in servers))
