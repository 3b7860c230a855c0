"""Back-pressure for streamed request bodies.

Quart reads every ASGI message of a request as soon as the server has it and appends it to
the request body, however far behind the handler is: a client on a fast link could fill the
server's memory with an upload the handler is still writing to disk. Here no further message
is taken from the server while more than `HIGH_WATER` bytes wait unread; the server then
stops reading the socket and TCP slows the client down. Handlers that await the whole body
(`await request.body`, which JSON parsing does) switch the limit off: they need it all."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any

from hypercorn.typing import ASGIReceiveCallable, ASGISendCallable
from quart.asgi import ASGIHTTPConnection
from quart.wrappers import Request
from quart.wrappers.request import Body

HIGH_WATER = 1024 * 1024


class FlowControlledBody(Body):
    def __init__(self, expected_content_length: int | None, max_content_length: int | None) -> None:
        super().__init__(expected_content_length, max_content_length)
        self._drained = asyncio.Event()
        self._drained.set()
        self._whole = False

    async def __anext__(self) -> bytes:
        try:
            return await super().__anext__()
        finally:
            self._drained.set()

    def __await__(self) -> Generator[Any, None, Any]:
        self._whole = True
        self._drained.set()
        return super().__await__()

    def append(self, data: bytes) -> None:
        super().append(data)
        if not self._whole and len(self._data) >= HIGH_WATER:
            self._drained.clear()

    def set_complete(self) -> None:
        super().set_complete()
        self._drained.set()

    async def wait_until_drained(self) -> None:
        await self._drained.wait()


class FlowControlledConnection(ASGIHTTPConnection):
    def _create_request_from_scope(self, send: ASGISendCallable) -> Request:
        request = super()._create_request_from_scope(send)
        request.body = FlowControlledBody(
            request.content_length, self.app.config["MAX_CONTENT_LENGTH"]
        )
        return request

    async def handle_messages(self, request: Request, receive: ASGIReceiveCallable) -> None:
        body = request.body
        while True:
            if isinstance(body, FlowControlledBody):
                await body.wait_until_drained()
            message = await receive()
            if message["type"] == "http.request":
                body.append(message.get("body", b""))
                if not message.get("more_body", False):
                    body.set_complete()
            elif message["type"] == "http.disconnect":
                return
