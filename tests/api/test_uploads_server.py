"""Uploads against a real hypercorn server on loopback: what the in-memory test client cannot
show (a client vanishing halfway, a 100 MB body streamed both ways)."""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart

from amarcord.config import Settings
from amarcord.db.models import File, FileChunk
from tests.support.factories import BEAMTIME
from tests.support.media import count_rows

BOUNDARY = "amarcord-test-boundary"
LIMIT = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _until_listening(port: int) -> None:
    async with asyncio.timeout(10):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.02)
                continue
            writer.close()
            await writer.wait_closed()
            return


@pytest.fixture
async def base_url(app: Quart) -> AsyncIterator[str]:
    port = _free_port()
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.graceful_timeout = 1.0
    config.accesslog = None
    config.errorlog = None
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))  # type: ignore[arg-type]
    await _until_listening(port)
    yield f"http://127.0.0.1:{port}"
    stop.set()
    await task


async def _beamtime(http: httpx.AsyncClient) -> int:
    response = await http.post("/api/beamtimes", json=BEAMTIME)
    assert response.status_code == 201
    beamtime_id: int = response.json()["id"]
    return beamtime_id


def _multipart(content: bytes) -> bytes:
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="half.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


async def _send_and_vanish(port: int, path: str, body: bytes, sent: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    writer.write(head + body[:sent])
    await writer.drain()
    writer.close()
    await writer.wait_closed()


@pytest.mark.parametrize("fraction", [0.5, 0.999])
async def test_a_client_that_disconnects_halfway_stores_nothing(
    app: Quart, base_url: str, fraction: float
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        bt = await _beamtime(http)
        body = _multipart(bytes(range(256)) * 16384)  # 4 MiB
        port = int(base_url.rsplit(":", 1)[1])
        await _send_and_vanish(port, f"/api/beamtimes/{bt}/files", body, int(len(body) * fraction))
        await asyncio.sleep(0.5)
        assert await count_rows(app, File) == 0
        assert await count_rows(app, FileChunk) == 0
        # The server is unharmed: the next upload works.
        response = await http.post(
            f"/api/beamtimes/{bt}/files", files={"file": ("ok.bin", b"complete")}
        )
        assert response.status_code == 201
        assert await count_rows(app, File) == 1


class TestChunkedLimit:
    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        return Settings(database_url=database_url, max_upload_bytes=LIMIT, _env_file=None)  # type: ignore[call-arg]

    async def test_chunked_upload_beyond_the_limit_is_413(self, app: Quart, base_url: str) -> None:
        # No Content-Length: Quart cannot refuse it up front, the upload code counts.
        async def chunks() -> AsyncIterator[bytes]:
            yield _multipart(b"")[: -len(f"\r\n--{BOUNDARY}--\r\n")]
            for _ in range(4):
                yield b"\x00" * LIMIT

        async with httpx.AsyncClient(base_url=base_url) as http:
            bt = await _beamtime(http)
            headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
            try:
                response = await http.post(
                    f"/api/beamtimes/{bt}/files", content=chunks(), headers=headers
                )
            except httpx.HTTPError:
                pass  # the server may close the connection while the client is still sending
            else:
                assert response.status_code == 413
                assert response.headers["Content-Type"] == "application/problem+json"
        assert await count_rows(app, File) == 0


@pytest.fixture
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.getbasetemp() / "hundred-megabytes.bin"
    if not path.exists():
        block = hashlib.sha256(b"seed").digest() * 32768  # 1 MiB
        with path.open("wb") as out:
            for index in range(100):
                out.write(index.to_bytes(4, "big") + block[4:])
    return path


@pytest.mark.slow
async def test_100_megabytes_up_and_down(app: Quart, base_url: str, big_file: Path) -> None:
    expected = hashlib.sha256(big_file.read_bytes()).hexdigest()
    timeout = httpx.Timeout(120)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as http:
        bt = await _beamtime(http)
        with big_file.open("rb") as content:
            response = await http.post(
                f"/api/beamtimes/{bt}/files", files={"file": ("big.bin", content)}
            )
        assert response.status_code == 201, response.text
        meta = response.json()
        assert (meta["size"], meta["sha256"]) == (100 * 1024 * 1024, expected)
        digest = hashlib.sha256()
        received = 0
        async with http.stream("GET", f"/api/files/{meta['id']}") as download:
            assert download.headers["Content-Length"] == str(meta["size"])
            async for chunk in download.aiter_raw():
                digest.update(chunk)
                received += len(chunk)
        assert received == meta["size"]
        assert digest.hexdigest() == expected
    assert await count_rows(app, FileChunk) == 100
