"""The benchmarks' load generator: a small HTTP/1.1 keep-alive client on asyncio and httptools.

Why not httpx for the measured requests: the benchmarks run client and server on the same
small machine, and with one client every request waits for the client's own work before the
server sees it. httpx spends 1.2-1.5 ms of CPU per request here, about half of what the server
spends on a PATCH, so a one-client row measured httpx as much as the server (a PATCH: 225-288
requests/s with httpx, 400-460/s with `wrk`, in the same minutes). This client parses the
answers with httptools (llhttp, the parser uvicorn uses on the other side) and costs a tenth
of that, like `wrk`, while keeping the benchmark in Python with per-request latencies.

It speaks just what the benchmarks send: one request at a time per connection, a body given
as JSON or bytes, answers with `Content-Length` or chunked. It mirrors the part of
`httpx.AsyncClient` the scenarios use (`get`, `put`, `patch`, `post`; `status_code`,
`headers`, `content`, `text`, `json()`), so `--client httpx` swaps httpx back in to compare.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import httptools
import orjson


class Headers(dict[str, str]):
    """Header names in lower case, looked up in any case (as httpx does)."""

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(name.lower(), default)


class Response:
    def __init__(self, status_code: int, headers: Headers, content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self) -> Any:
        return orjson.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(f"HTTP {self.status_code}: {self.text[:300]}")


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._parser = httptools.HttpResponseParser(self)
        self._answer: asyncio.Future[Response] | None = None
        self._headers = Headers()
        self._body: list[bytes] = []

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(error)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or ConnectionResetError("the server closed the connection"))

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._headers = Headers()
        self._body = []

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            status = self._parser.get_status_code()
            answer.set_result(Response(status, self._headers, b"".join(self._body)))
        if not self._parser.should_keep_alive():
            self.closed = True

    def _fail(self, error: BaseException) -> None:
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            answer.set_exception(error)

    async def send(self, request: bytes) -> Response:
        assert self.transport is not None
        self._answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self._answer


class LoadClient:
    """Keep-alive connections to one server, opened as concurrent requests need them."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"only plain http to a host: {base_url}")
        self._base_url = base_url.rstrip("/")
        self._host = parts.hostname
        self._port = parts.port or 80
        self._fixed = f"Host: {parts.netloc}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in (headers or {}).items()
        )
        self._idle: list[_Connection] = []

    async def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if url.startswith(self._base_url):
            url = url[len(self._base_url) :]
        extra = dict(headers or {})
        if json is not None:
            content = orjson.dumps(json)
            extra.setdefault("Content-Type", "application/json")
        if content is not None:
            extra["Content-Length"] = str(len(content))
        head = f"{method} {url} HTTP/1.1\r\n{self._fixed}" + "".join(
            f"{name}: {value}\r\n" for name, value in extra.items()
        )
        connection = await self._connection()
        response = await connection.send(head.encode("latin-1") + b"\r\n" + (content or b""))
        if not connection.closed:
            self._idle.append(connection)
        return response

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed:
                return connection
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(_Connection, self._host, self._port)
        return connection

    async def get(self, url: str, **kwargs: Any) -> Response:
        return await self.request("GET", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> Response:
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> Response:
        return await self.request("PATCH", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> Response:
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        for connection in self._idle:
            if connection.transport is not None:
                connection.transport.close()
        self._idle.clear()

    async def __aenter__(self) -> LoadClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
