"""Receiving request bodies without holding them in memory.

`await request.files` would buffer the whole body (and Quart's own form parser keeps it until
the handler returns), so a multipart body is fed, as it arrives, through werkzeug's sans-IO
`MultipartDecoder` into an anonymous temporary file while its size and sha256 are computed.
Nothing reaches the database until the last byte has arrived: a client that disconnects
halfway cancels the handler, the temporary file disappears, and nothing is half-stored.

Quart enforces `MAX_CONTENT_LENGTH` only against a declared Content-Length (and against what
is buffered but not yet consumed), so a chunked body is counted here."""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from quart import request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestTimeout
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from amarcord.domain.errors import UnsupportedMedia
from amarcord.domain.mime import SNIFF_BYTES, sniff

MAX_FIELD_BYTES = 1024 * 1024
_MAX_PARTS = 32


@dataclass
class ReceivedFile:
    """An uploaded file spooled to disk; `spool` is positioned at its start."""

    spool: BinaryIO
    filename: str
    size: int
    sha256: str
    head: bytes

    @property
    def mime_type(self) -> str:
        return sniff(self.head, complete=self.size <= len(self.head))

    def read_all(self) -> bytes:
        self.spool.seek(0)
        return self.spool.read()


@dataclass
class MultipartUpload:
    files: dict[str, ReceivedFile] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)


def too_large(limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"the request body exceeds the limit of {limit} bytes")


async def read_body(limit: int) -> bytes:
    """The whole body, for small ones (a camera frame); 413 beyond `limit`."""
    parts: list[bytes] = []
    await _consume_body(limit, parts.append)
    return b"".join(parts)


@asynccontextmanager
async def receive_multipart(limit: int) -> AsyncIterator[MultipartUpload]:
    """Parses a multipart/form-data body; the spooled files live until the block ends."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMedia("expected a multipart/form-data body")
    boundary = request.mimetype_params.get("boundary")
    if not boundary:
        raise BadRequest("the multipart/form-data Content-Type names no boundary")
    parser = _MultipartSpooler(boundary.encode("latin-1"))
    try:
        await _consume_body(limit, parser.feed)
        parser.feed(None)
        yield parser.upload
    finally:
        parser.close()


async def _consume_body(limit: int, sink: Callable[[bytes], None]) -> None:
    declared = request.content_length
    if declared is not None and declared > limit:
        raise too_large(limit)
    received = 0
    try:
        async with asyncio.timeout(request.body_timeout):
            async for chunk in request.body:
                received += len(chunk)
                if received > limit:
                    raise too_large(limit)
                sink(chunk)
    except TimeoutError as error:
        raise RequestTimeout("the request body did not arrive in time") from error


class _MultipartSpooler:
    """Turns decoder events into spooled files and small text fields."""

    def __init__(self, boundary: bytes) -> None:
        self._decoder = MultipartDecoder(boundary, max_parts=_MAX_PARTS)
        self.upload = MultipartUpload()
        self._spools: list[BinaryIO] = []
        self._name = ""
        self._file: _FileWriter | None = None
        self._field = bytearray()

    def feed(self, chunk: bytes | None) -> None:
        """Parses `chunk`; None marks the end of the body."""
        try:
            self._decoder.receive_data(chunk)
            self._drain()
        except ValueError as error:
            raise BadRequest(f"malformed or incomplete multipart body: {error}") from error

    def close(self) -> None:
        for spool in self._spools:
            spool.close()

    def _drain(self) -> None:
        while True:
            event = self._decoder.next_event()
            if isinstance(event, NeedData | Epilogue):
                return
            if isinstance(event, File):
                self._start_file(event)
            elif isinstance(event, Field):
                self._name, self._file = event.name, None
                self._field.clear()
            elif isinstance(event, Data):
                self._on_data(event)

    def _start_file(self, event: File) -> None:
        if event.name in self.upload.files:
            raise BadRequest(f"more than one part named {event.name!r}")
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self._spools.append(spool)
        self._name, self._file = event.name, _FileWriter(spool, event.filename)

    def _on_data(self, event: Data) -> None:
        if self._file is not None:
            self._file.write(event.data)
            if not event.more_data:
                self.upload.files[self._name] = self._file.finish()
            return
        self._field += event.data
        if len(self._field) > MAX_FIELD_BYTES:
            raise too_large(MAX_FIELD_BYTES)
        if not event.more_data:
            self.upload.fields[self._name] = self._field.decode("utf-8", "replace")


class _FileWriter:
    def __init__(self, spool: BinaryIO, filename: str) -> None:
        self._spool = spool
        self._filename = filename
        self._hash = hashlib.sha256()
        self._head = bytearray()
        self._size = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        self._spool.write(data)
        self._hash.update(data)
        self._size += len(data)
        if len(self._head) < SNIFF_BYTES:
            self._head += data[: SNIFF_BYTES - len(self._head)]

    def finish(self) -> ReceivedFile:
        self._spool.flush()
        self._spool.seek(0)
        return ReceivedFile(
            spool=self._spool,
            filename=self._filename,
            size=self._size,
            sha256=self._hash.hexdigest(),
            head=bytes(self._head),
        )
