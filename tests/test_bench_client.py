"""The benchmarks' load generator (`scripts/bench_client.py`) reads answers the way the
server sends them: with a length or chunked, without a body (304), over one kept connection,
and notices a connection the server closed."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from bench_client import LoadClient  # noqa: E402

ANSWERS = {
    b"/length": b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: "x"\r\n\r\nhello',
    b"/chunked": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n"
    ),
    b"/not-modified": b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
    b"/close": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
}


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A loopback server answering each request by its path; records the requests' heads
    and bodies, and how many connections it accepted (as b"connect")."""
    seen: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(b"connect")
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:  # the client closed the connection
                return
            lengths = [
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ]
            seen.append(head + await reader.readexactly(sum(lengths)))
            path = head.split(b" ")[1]
            writer.write(ANSWERS[path])
            await writer.drain()
            if path == b"/close":
                writer.close()
                return

    listener = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield f"http://127.0.0.1:{port}", seen


async def test_answers_with_a_length_chunked_or_no_body(server: tuple[str, list[bytes]]) -> None:
    base_url, seen = server
    async with LoadClient(base_url, {"Authorization": "Bearer t"}) as client:
        length = await client.get(f"{base_url}/length")
        chunked = await client.get("/chunked")
        not_modified = await client.get("/not-modified", headers={"If-None-Match": '"x"'})
    assert (length.status_code, length.text, length.headers["etag"]) == (200, "hello", '"x"')
    assert length.headers["ETag"] == '"x"'
    assert (chunked.status_code, chunked.content) == (200, b"hello")
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert seen.count(b"connect") == 1  # one kept connection for all three
    assert all(b"Authorization: Bearer t\r\n" in request for request in seen[1:])


async def test_a_json_body_and_a_closed_connection(server: tuple[str, list[bytes]]) -> None:
    base_url, seen = server
    async with LoadClient(base_url) as client:
        closed = await client.put("/close", json={"a": [1, 2]})
        await asyncio.sleep(0.05)
        after = await client.get("/length")
    assert (closed.status_code, closed.text, after.text) == (200, "ok", "hello")
    assert seen[1].endswith(
        b'Content-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":[1,2]}'
    )
    assert seen.count(b"connect") == 2  # a new connection after the server closed one
