"""A fake beamline camera, for trying out and testing the MJPEG daemon.

    python scripts/fake_camera.py --fps 20 --port 8081

serves on one port

    /mjpeg     a multipart/x-mixed-replace stream (the usual IP camera)
    /raw       raw concatenated JPEGs without boundaries or headers (some cheap cameras)
    /snapshot  one image/jpeg per request
    /stats     {"frames_sent": N}, for measurements

Every frame shows a counter on a noisy background, so frames differ the way a real camera's do
and compress to a realistic size. Options pick the quirks real cameras have: quoted or
`--`-prefixed boundaries, bare LF line endings, parts without Content-Length, junk between parts.
Tests import `FakeCamera` and change its `options` while it runs (error status, stalling).
"""

import argparse
import asyncio
import contextlib
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

BOUNDARY = "amarcordframe"
_BOUNDARY_PARAMETERS = {
    "plain": BOUNDARY,
    "quoted": f'"{BOUNDARY}"',
    # Cameras that declare the prefix still write "--amarcordframe" in the body.
    "dashed": f"--{BOUNDARY}",
}


@dataclass
class CameraOptions:
    fps: float = 20.0
    width: int = 1280
    height: int = 1024
    quality: int = 75
    boundary_style: Literal["plain", "quoted", "dashed"] = "plain"
    line_ending: Literal["crlf", "lf"] = "crlf"
    content_length: bool = True
    junk: bool = False
    status: int = 200
    """Answer every request with this status instead (a camera in trouble)."""
    stall: bool = False
    """Send the response headers, then nothing (a hung camera)."""


class FrameSource:
    """Renders frame N once, however many clients are watching."""

    def __init__(self, width: int, height: int, quality: int) -> None:
        gradient = Image.linear_gradient("L").resize((width, height))
        self._background = Image.blend(gradient, Image.effect_noise((width, height), 40), 0.3)
        self._font = ImageFont.load_default(size=max(10, height // 6))
        self._origin = (width // 20, height // 20)
        self._quality = quality
        self._number = -1
        self._jpeg = b""

    def jpeg(self, number: int) -> bytes:
        if number != self._number:
            image = self._background.copy()
            ImageDraw.Draw(image).text(self._origin, f"{number:06d}", fill=255, font=self._font)
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=self._quality)
            self._number, self._jpeg = number, buffer.getvalue()
        return self._jpeg


class FakeCamera:
    def __init__(self, options: CameraOptions | None = None) -> None:
        self.options = options or CameraOptions()
        self.port = 0
        self.frames_sent = 0
        self.connections = 0
        self._source = FrameSource(self.options.width, self.options.height, self.options.quality)
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.Task[None]] = set()
        self._epoch = 0.0

    def url(self, path: str = "/mjpeg") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `port` (0: any free port; the same port again after `stop`)."""
        self._epoch = asyncio.get_running_loop().time()
        self._server = await asyncio.start_server(self._handle, host, port or self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the port and every connection, like a camera losing power."""
        if self._server is None:
            return
        self._server.close()
        for task in self._clients:
            task.cancel()
        if self._clients:
            await asyncio.wait(self._clients)
        await self._server.wait_closed()
        self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients.add(task)
        self.connections += 1
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            target = request.split(b" ", 2)[1].decode("ascii", "replace")
            await self._respond(target.split("?")[0], writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            # `stop` cancels the handlers; one that ends cancelled makes asyncio's stream
            # server (Python 3.11) log an error, so it ends normally instead.
            pass
        finally:
            self._clients.discard(task)
            writer.close()

    async def _respond(self, path: str, writer: asyncio.StreamWriter) -> None:
        options = self.options
        if options.status != 200:
            writer.write(_head(options.status, "text/plain", 0))
        elif path == "/snapshot":
            jpeg = self._source.jpeg(self._frame_number())
            writer.write(_head(200, "image/jpeg", len(jpeg)) + jpeg)
            self.frames_sent += 1
        elif path == "/stats":
            body = json.dumps({"frames_sent": self.frames_sent}).encode("ascii")
            writer.write(_head(200, "application/json", len(body)) + body)
        elif path in ("/mjpeg", "/raw"):
            await self._stream(writer, multipart=path == "/mjpeg")
        else:
            writer.write(_head(404, "text/plain", 0))
        await writer.drain()

    async def _stream(self, writer: asyncio.StreamWriter, *, multipart: bool) -> None:
        if multipart:
            parameter = _BOUNDARY_PARAMETERS[self.options.boundary_style]
            content_type = f"multipart/x-mixed-replace; boundary={parameter}"
        else:
            content_type = "application/octet-stream"
        writer.write(_head(200, content_type, None))
        await writer.drain()
        if self.options.stall:
            await asyncio.Event().wait()
        async for number in self._ticks():
            jpeg = self._source.jpeg(number)
            writer.write(self._part(jpeg) if multipart else jpeg)
            # A slow reader makes the camera skip frames rather than queue them.
            await writer.drain()
            self.frames_sent += 1

    def _part(self, jpeg: bytes) -> bytes:
        newline = "\r\n" if self.options.line_ending == "crlf" else "\n"
        lines = [f"--{BOUNDARY}", "Content-Type: image/jpeg"]
        if self.options.content_length:
            lines.append(f"Content-Length: {len(jpeg)}")
        head = (newline.join(lines) + newline * 2).encode("ascii")
        junk = b"\x00junk between parts\xff\xd8\r\n" if self.options.junk else b""
        return junk + head + jpeg + newline.encode("ascii")

    def _frame_number(self) -> int:
        return int((asyncio.get_running_loop().time() - self._epoch) * self.options.fps)

    async def _ticks(self) -> AsyncIterator[int]:
        loop = asyncio.get_running_loop()
        period = 1 / self.options.fps
        due = loop.time()
        while True:
            yield self._frame_number()
            due = max(due + period, loop.time())
            await asyncio.sleep(due - loop.time())


def _head(status: int, content_type: str, length: int | None) -> bytes:
    lines = [
        f"HTTP/1.1 {status} {'OK' if status == 200 else 'Camera Error'}",
        f"Content-Type: {content_type}",
        "Cache-Control: no-cache",
        "Connection: close",
    ]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def parse_options(argv: list[str] | None = None) -> tuple[CameraOptions, str, int]:
    defaults = CameraOptions()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--fps", type=float, default=defaults.fps)
    parser.add_argument("--width", type=int, default=defaults.width)
    parser.add_argument("--height", type=int, default=defaults.height)
    parser.add_argument("--quality", type=int, default=defaults.quality)
    parser.add_argument(
        "--boundary-style", choices=sorted(_BOUNDARY_PARAMETERS), default=defaults.boundary_style
    )
    parser.add_argument("--line-ending", choices=["crlf", "lf"], default=defaults.line_ending)
    parser.add_argument("--no-content-length", dest="content_length", action="store_false")
    parser.add_argument("--junk", action="store_true", help="write junk between parts")
    options = vars(parser.parse_args(argv))
    host, port = options.pop("host"), options.pop("port")
    return CameraOptions(**options), host, port


async def _serve_forever(options: CameraOptions, host: str, port: int) -> None:
    camera = FakeCamera(options)
    await camera.start(host, port)
    base = f"http://{host}:{camera.port}"
    print(f"fake camera: {base}/mjpeg  {base}/raw  {base}/snapshot", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    options, host, port = parse_options(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(options, host, port))


if __name__ == "__main__":
    main()
