"""A small Server-Sent Events reader over an httpx streaming response, for tests and the
benchmark."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import orjson


@dataclass(frozen=True)
class Block:
    """One blank-line-terminated block: an event, a `retry:` line or a comment."""

    event: str | None = None
    id: str | None = None
    data: str | None = None
    comment: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        assert self.data is not None
        return orjson.loads(self.data)


class EventReader:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def block(self, timeout: float = 5.0) -> Block:
        """The next block of any kind."""
        async with asyncio.timeout(timeout):
            fields: dict[str, Any] = {}
            async for line in self._lines:
                if line == "":
                    if fields:
                        return Block(**fields)
                    continue
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "":
                    fields["comment"] = value
                elif name == "retry":
                    fields["retry"] = int(value)
                else:
                    fields[name] = value
            raise EOFError("the stream ended")

    async def event(self, timeout: float = 5.0) -> Block:
        """The next event, skipping comments and `retry:` blocks."""
        async with asyncio.timeout(timeout):
            while True:
                block = await self.block(timeout)
                if block.event is not None:
                    return block

    async def ended(self, timeout: float = 5.0) -> bool:
        """Whether the server closes the stream (after any further blocks) in time."""
        try:
            while True:
                await self.block(timeout)
        except EOFError:
            return True


@asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient,
    url: str,
    *,
    last_event_id: int | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[EventReader]:
    headers = {"Accept": "text/event-stream", **(headers or {})}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    async with client.stream("GET", url, headers=headers, timeout=None) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        reader = EventReader(response)
        # The server's first block (`retry:`) proves it is following.
        assert (await reader.block()).retry is not None
        yield reader
