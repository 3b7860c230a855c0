"""Reading a camera continuously over HTTP and keeping its newest frame at hand."""

import asyncio
import logging
from typing import Protocol

import httpx

from daemons.mjpeg.frames import LatestFrame
from daemons.mjpeg.parser import parser_for
from daemons.mjpeg.resilience import Backoff, Outage, describe, status_line
from daemons.mjpeg.settings import MjpegSettings

logger = logging.getLogger(__name__)

_FIRST_RETRY = 0.5
_REDACTED = "***"


class CameraError(Exception):
    """The camera answered, but not with frames."""


class FrameSink(Protocol):
    def frame(self, data: bytes) -> None: ...

    def oversized(self) -> None: ...


async def read_frames(
    http: httpx.AsyncClient,
    url: str,
    sink: FrameSink,
    *,
    max_frame_bytes: int,
    frame_timeout: float,
) -> int:
    """Read one camera response to its end, passing on every frame; returns how many.

    Raises `TimeoutError` when `frame_timeout` passes without a frame: a camera that keeps the
    connection open but stops sending (or trickles bytes) counts as down.
    """
    loop = asyncio.get_running_loop()
    frames = 0
    async with asyncio.timeout(frame_timeout) as deadline, http.stream("GET", url) as response:
        if not response.is_success:
            raise CameraError(status_line(response))
        parser = parser_for(response.headers.get("content-type"), max_frame_bytes)
        skipped = 0
        async for chunk in response.aiter_bytes():
            for data in parser.feed(chunk):
                sink.frame(data)
                frames += 1
                deadline.reschedule(loop.time() + frame_timeout)
            if parser.skipped > skipped:
                skipped = parser.skipped
                sink.oversized()
                deadline.reschedule(loop.time() + frame_timeout)
    return frames


def redact(url: str) -> str:
    """The URL without its password, for logs."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return url
    if not parsed.password:
        return url
    return str(parsed.copy_with(username=parsed.username, password=_REDACTED))


class Camera:
    """Reads one camera for as long as it runs, reconnecting with capped backoff."""

    def __init__(self, url: str, http: httpx.AsyncClient, settings: MjpegSettings) -> None:
        self.url = url
        self.latest = LatestFrame()
        self._http = http
        self._settings = settings
        self._outage = Outage(logger, f"camera {redact(url)}")
        self._backoff = Backoff(_FIRST_RETRY, settings.max_backoff)

    async def run(self) -> None:
        while True:
            reason = await self._read()
            if reason is None:
                # Snapshot URLs answer one image per request; asking more often than frames
                # are uploaded would only load the camera.
                await asyncio.sleep(self._settings.interval)
            else:
                self._outage.failed(reason)
                await asyncio.sleep(self._backoff.next())

    async def _read(self) -> str | None:
        """Read until the response ends; returns why no frame came, or None."""
        timeout = self._settings.camera_timeout
        try:
            frames = await read_frames(
                self._http,
                self.url,
                self,
                max_frame_bytes=self._settings.max_frame_bytes,
                frame_timeout=timeout,
            )
        except CameraError as error:
            return str(error)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            return f"unreachable ({describe(error)})"
        except TimeoutError:
            return f"no complete frame for {timeout:g} s"
        return None if frames else "the response ended without a complete frame"

    def frame(self, data: bytes) -> None:
        self.latest.put(data)
        self._outage.recovered()
        self._backoff.reset()

    def oversized(self) -> None:
        limit = self._settings.max_frame_bytes
        self._outage.failed(f"skipping frames larger than max_frame_bytes ({limit} bytes)")
