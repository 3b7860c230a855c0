"""Helpers shared by the daemon tests."""

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image

from daemons.mjpeg.settings import MjpegSettings
from daemons.mjpeg.supervisor import run_daemon
from tests.daemons.fake_server import FakeServer


def jpeg(width: int = 32, height: int = 24, colour: str = "red", **save: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", **save)
    return buffer.getvalue()


def decodes(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return True


def open_window(server: FakeServer, beamtime_id: int, camera_url: str | None) -> None:
    """A beamtime that runs from an hour ago to an hour from now."""
    now = datetime.now(UTC)
    server.add_beamtime(beamtime_id, now - timedelta(hours=1), now + timedelta(hours=1), camera_url)


def settings_for(server: FakeServer, **overrides: Any) -> MjpegSettings:
    """Settings with short periods, so that tests see several cycles per second."""
    values: dict[str, Any] = {
        "server": server.url,
        "token": "secret",
        "beamtime": 1,
        "interval": 0.3,
        "recheck_interval": 0.2,
        "max_backoff": 0.4,
        "camera_timeout": 1.0,
        "server_timeout": 1.0,
    }
    return MjpegSettings(**(values | overrides))


@asynccontextmanager
async def running(settings: MjpegSettings) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(run_daemon(settings))
    try:
        yield task
    finally:
        task.cancel()
        await asyncio.wait([task])
    assert task.cancelled(), task.exception()
