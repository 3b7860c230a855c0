"""A stand-in for the amarcord server with just the endpoints the MJPEG daemon uses.

It is served by hypercorn on loopback, because the daemon must be tested over real sockets:
keep-alive races, refused connections and restarts do not exist in an in-memory transport.
"""

import asyncio
import json
import re
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config

_BEAMTIME_PATH = re.compile(r"^/api/beamtimes/(\d+)/(configuration|live-stream)$")

Scope = dict[str, Any]


@dataclass
class Upload:
    beamtime_id: int
    body: bytes
    content_type: str
    authorization: str | None
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeBeamtime:
    id: int
    start: datetime
    end: datetime
    live_stream_url: str | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class FakeServer:
    def __init__(self, *, keep_alive_timeout: float = 5.0, token: str | None = None) -> None:
        self.beamtimes: dict[int, FakeBeamtime] = {}
        self.uploads: list[Upload] = []
        self.requests: list[tuple[str, str]] = []
        self.status: int | None = None
        """Answer every request with this status (a server in trouble)."""
        self.page_size = 100
        self.token = token
        self.port = free_port()
        self._keep_alive_timeout = keep_alive_timeout
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_beamtime(
        self, beamtime_id: int, start: datetime, end: datetime, live_stream_url: str | None
    ) -> FakeBeamtime:
        beamtime = self.beamtimes[beamtime_id] = FakeBeamtime(
            beamtime_id, start, end, live_stream_url
        )
        return beamtime

    def uploads_for(self, beamtime_id: int) -> list[Upload]:
        return [upload for upload in self.uploads if upload.beamtime_id == beamtime_id]

    def count(self, method: str, path: str) -> int:
        return self.requests.count((method, path))

    async def wait_for_uploads(
        self, count: int, beamtime_id: int = 1, timeout: float = 5.0
    ) -> list[Upload]:
        async with asyncio.timeout(timeout):
            while len(self.uploads_for(beamtime_id)) < count:
                await asyncio.sleep(0.01)
        return self.uploads_for(beamtime_id)

    async def start(self) -> None:
        config = Config()
        config.bind = [f"127.0.0.1:{self.port}"]
        config.keep_alive_timeout = self._keep_alive_timeout
        config.graceful_timeout = 0.2
        config.accesslog = None
        config.errorlog = None
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(serve(self, config, shutdown_trigger=self._stop.wait))
        await _until_listening(self.port)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._stop.set()
        await self._task
        self._task = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode(): value.decode() for name, value in scope["headers"]}
        self.requests.append((scope["method"], scope["path"]))
        status, payload = self._answer(scope, headers, body)
        media_type = "application/json" if status < 400 else "application/problem+json"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", media_type.encode())],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(payload).encode()})

    def _answer(self, scope: Scope, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if self.status is not None:
            return _problem(self.status, "the test made the server fail")
        if self.token is not None and headers.get("authorization") != f"Bearer {self.token}":
            return _problem(401, "missing or invalid token")
        method, path = scope["method"], scope["path"]
        if method == "GET" and path == "/api/beamtimes":
            return 200, self._beamtime_page(scope["query_string"].decode())
        match = _BEAMTIME_PATH.match(path)
        beamtime = self.beamtimes.get(int(match[1])) if match else None
        if match is None or beamtime is None:
            return _problem(404, f"no such resource: {path}")
        if method == "GET" and match[2] == "configuration":
            return 200, {"auto_pilot": False, "live_stream_url": beamtime.live_stream_url}
        if method == "PUT" and match[2] == "live-stream":
            content_type = headers.get("content-type", "")
            if not content_type.startswith("image/"):
                return _problem(415, f"expected an image, got {content_type!r}")
            upload = Upload(beamtime.id, body, content_type, headers.get("authorization"))
            self.uploads.append(upload)
            return 200, {"size": len(body)}
        return _problem(405, f"{method} is not allowed here")

    def _beamtime_page(self, query: str) -> dict[str, Any]:
        parameters = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
        offset = int(parameters.get("cursor", "0"))
        limit = min(int(parameters.get("limit", "100")), self.page_size)
        ordered = sorted(self.beamtimes.values(), key=lambda b: b.start, reverse=True)
        page = ordered[offset : offset + limit]
        more = offset + limit < len(ordered)
        return {
            "items": [
                {"id": b.id, "start": b.start.isoformat(), "end": b.end.isoformat()} for b in page
            ],
            "total": len(ordered),
            "next_cursor": str(offset + limit) if more else None,
        }


def _problem(status: int, detail: str) -> tuple[int, dict[str, Any]]:
    return status, {"type": "about:blank", "title": "Error", "status": status, "detail": detail}


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _until_listening(port: int) -> None:
    async with asyncio.timeout(5):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.01)
                continue
            writer.close()
            await writer.wait_closed()
            return
