"""Uploads against a real server (uvicorn) on loopback: what the in-memory test client cannot
show (a client vanishing halfway, a 100 MB body streamed both ways)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from quart import Quart

from amarcord.config import Settings
from amarcord.db.models import File, FileChunk
from tests.support.auth import bearer, create_token, database_of
from tests.support.factories import BEAMTIME
from tests.support.live_server import serving
from tests.support.media import count_rows

BOUNDARY = "amarcord-test-boundary"
LIMIT = 1024 * 1024


@pytest.fixture
async def http(app: Quart) -> AsyncIterator[httpx.AsyncClient]:
    """An administrator's client of `app` served on loopback."""
    token = await create_token(database_of(app), role="admin", name="uploads")
    async with (
        serving(app) as base_url,
        httpx.AsyncClient(base_url=base_url, headers=bearer(token), timeout=120) as client,
    ):
        yield client


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


async def _send_and_vanish(http: httpx.AsyncClient, path: str, body: bytes, sent: int) -> None:
    """Sends the headers and `sent` bytes of `body` over a raw socket, then hangs up."""
    url = http.base_url
    _, writer = await asyncio.open_connection(url.host, url.port)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {url.host}\r\n"
        f"Authorization: {http.headers['Authorization']}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    writer.write(head + body[:sent])
    await writer.drain()
    writer.close()
    await writer.wait_closed()


@pytest.mark.parametrize("fraction", [0.5, 0.999])
async def test_a_client_that_disconnects_halfway_stores_nothing(
    app: Quart, http: httpx.AsyncClient, fraction: float
) -> None:
    bt = await _beamtime(http)
    body = _multipart(bytes(range(256)) * 16384)  # 4 MiB
    await _send_and_vanish(http, f"/api/beamtimes/{bt}/files", body, int(len(body) * fraction))
    await asyncio.sleep(0.5)
    assert await count_rows(app, File) == 0
    assert await count_rows(app, FileChunk) == 0
    # The server is unharmed: the next upload works.
    response = await http.post(f"/api/beamtimes/{bt}/files", files={"file": ("ok.bin", b"done")})
    assert response.status_code == 201
    assert await count_rows(app, File) == 1


class TestChunkedLimit:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"max_upload_bytes": LIMIT})

    async def test_chunked_upload_beyond_the_limit_is_413(
        self, app: Quart, http: httpx.AsyncClient
    ) -> None:
        # No Content-Length: Quart cannot refuse it up front, the upload code counts.
        async def chunks() -> AsyncIterator[bytes]:
            yield _multipart(b"")[: -len(f"\r\n--{BOUNDARY}--\r\n")]
            for _ in range(4):
                yield b"\x00" * LIMIT

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
async def test_100_megabytes_up_and_down(
    app: Quart, http: httpx.AsyncClient, big_file: Path
) -> None:
    expected = hashlib.sha256(big_file.read_bytes()).hexdigest()
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
