"""Back-pressure: a slow streaming reader holds the sender back; whole-body readers do not."""

from __future__ import annotations

import asyncio
from typing import Any

from quart import Quart

from amarcord.api.flow_control import HIGH_WATER, FlowControlledBody, FlowControlledConnection

PIECE = 256 * 1024
PIECES = 40  # 10 MiB, ten times the high-water mark


def _connection(app: Quart) -> tuple[FlowControlledConnection, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/upload",
        "raw_path": b"/upload",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/octet-stream")],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
        "extensions": {},
    }
    connection = FlowControlledConnection(app, scope)  # type: ignore[arg-type]

    async def send(_message: Any) -> None:
        return None

    return connection, connection._create_request_from_scope(send)


def _receiver() -> tuple[Any, list[int]]:
    """An ASGI receive callable; the list records how much was unread at each message."""
    pending = [
        {"type": "http.request", "body": b"x" * PIECE, "more_body": index < PIECES - 1}
        for index in range(PIECES)
    ]
    taken: list[int] = []

    async def receive() -> dict[str, Any]:
        taken.append(len(pending))
        if pending:
            return pending.pop(0)
        await asyncio.Event().wait()  # the client sends nothing more
        raise AssertionError("unreachable")

    return receive, taken


async def test_a_slow_streaming_reader_holds_back_the_sender(app: Quart) -> None:
    connection, request = _connection(app)
    assert isinstance(request.body, FlowControlledBody)
    receive, _ = _receiver()
    largest = total = 0

    async def read_slowly() -> None:
        nonlocal largest, total
        async for chunk in request.body:
            largest = max(largest, len(chunk))
            total += len(chunk)
            await asyncio.sleep(0.002)

    messages = asyncio.create_task(connection.handle_messages(request, receive))
    await asyncio.wait_for(read_slowly(), timeout=10)
    messages.cancel()
    assert total == PIECE * PIECES
    assert largest <= HIGH_WATER + PIECE


async def test_whole_body_readers_are_not_held_back(app: Quart) -> None:
    connection, request = _connection(app)
    receive, _ = _receiver()
    messages = asyncio.create_task(connection.handle_messages(request, receive))
    body = await asyncio.wait_for(request.body, timeout=10)
    messages.cancel()
    assert len(body) == PIECE * PIECES
