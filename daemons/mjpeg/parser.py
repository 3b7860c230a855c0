"""Incremental parsers that cut a camera's byte stream into frames.

They are pure state machines (`feed(bytes) -> list[frames]`) without I/O, so every odd camera can
be reproduced byte by byte in a unit test. Memory stays bounded by `max_frame_bytes` plus one
chunk: an oversized frame is skipped while it streams past instead of being collected.
"""

import re
from collections.abc import Callable
from email.message import Message
from typing import Protocol

_SOI = b"\xff\xd8"
_EOI = b"\xff\xd9"
_LF = 0x0A
_CR = 0x0D
_DASH = 0x2D
_MAX_HEADER_BYTES = 16 * 1024

_MARKER_PREFIX = 0xFF
_SOI_CODE = 0xD8
_EOI_CODE = 0xD9
_SOS_CODE = 0xDA
# TEM and the restart markers carry no length field.
_STANDALONE_CODES = frozenset({0x01, *range(0xD0, 0xD8)})
# Inside entropy-coded data 0xFF00 is an escaped data byte, 0xFFD0-0xFFD7 are restart markers
# and 0xFFFF is fill; any other 0xFF pair is the marker that ends the scan.
_SCAN_END = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")


class FrameParser(Protocol):
    skipped: int
    """Frames dropped because they were larger than `max_frame_bytes`."""

    def feed(self, data: bytes) -> list[bytes]: ...

    @property
    def buffered(self) -> int: ...


def parser_for(content_type: str | None, max_frame_bytes: int) -> FrameParser:
    """The parser for a camera response, chosen by its `Content-Type`.

    Multipart streams are cut at their boundary. Everything else (raw concatenated JPEGs,
    single-image snapshots, multipart without a usable boundary) is scanned for JPEG images,
    which also works on multipart data because headers and boundaries are skipped as junk.
    """
    if content_type:
        message = Message()
        message["content-type"] = content_type
        boundary = message.get_boundary()
        multipart = message.get_content_maintype() == "multipart"
        if multipart and boundary and _delimiter(boundary) is not None:
            return MultipartParser(boundary, max_frame_bytes)
    return JpegScanner(max_frame_bytes)


def _delimiter(boundary: str) -> bytes | None:
    # Cameras disagree on whether the declared boundary already carries the "--" prefix, and
    # some write more dashes in the body than they declare: match the bare token after two dashes
    # and let the body parser absorb any further dashes in front of it.
    token = boundary.strip().lstrip("-")
    if not token or not token.isascii():
        return None
    return b"--" + token.encode("ascii")


class _StateMachine:
    def __init__(self, max_frame_bytes: int, first_step: Callable[[], bool]) -> None:
        if max_frame_bytes < 1:
            raise ValueError("max_frame_bytes must be positive")
        self.max_frame_bytes = max_frame_bytes
        self.skipped = 0
        self._buffer = bytearray()
        self._frames: list[bytes] = []
        # Each step consumes what it can and returns False when it needs more data.
        self._step = first_step

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        while self._step():
            pass
        frames, self._frames = self._frames, []
        return frames

    def _keep_tail(self, size: int) -> None:
        excess = len(self._buffer) - size
        if excess > 0:
            del self._buffer[:excess]

    def _take(self, size: int, end: int) -> None:
        """Emit the first `size` bytes as a frame (if it fits) and drop the first `end`."""
        if size > self.max_frame_bytes:
            self.skipped += 1
        elif size:
            # Through a memoryview the frame is copied once, not sliced and then copied.
            with memoryview(self._buffer) as view:
                self._frames.append(bytes(view[:size]))
        del self._buffer[:end]


class MultipartParser(_StateMachine):
    """Parts of a `multipart/x-mixed-replace` stream, with or without `Content-Length`."""

    def __init__(self, boundary: str, max_frame_bytes: int) -> None:
        super().__init__(max_frame_bytes, self._seek_delimiter)
        delimiter = _delimiter(boundary)
        if delimiter is None:
            raise ValueError(f"unusable multipart boundary {boundary!r}")
        self._delimiter = delimiter
        self._content_length: int | None = None
        self._header_bytes = 0
        self._remaining = 0
        self._scan_from = 0

    def _seek_delimiter(self) -> bool:
        index = self._buffer.find(self._delimiter)
        if index < 0:
            # Junk between parts: keep only what could be the start of a delimiter.
            self._keep_tail(len(self._delimiter) - 1)
            return False
        del self._buffer[: index + len(self._delimiter)]
        self._step = self._delimiter_line
        return True

    def _delimiter_line(self) -> bool:
        end = self._buffer.find(b"\n")
        if end < 0:
            if len(self._buffer) > _MAX_HEADER_BYTES:
                self._step = self._seek_delimiter
                return True
            return False
        closing = self._buffer.startswith(b"--")
        del self._buffer[: end + 1]
        self._content_length = None
        self._header_bytes = 0
        self._step = self._seek_delimiter if closing else self._header_line
        return True

    def _header_line(self) -> bool:
        if self._buffer.startswith(_SOI):
            # Some cameras put the JPEG right after the delimiter line, without headers.
            self._start_body()
            return True
        end = self._buffer.find(b"\n")
        consumed = end + 1 if end >= 0 else len(self._buffer)
        if self._header_bytes + consumed > _MAX_HEADER_BYTES:
            self._step = self._seek_delimiter
            return True
        if end < 0:
            return False
        line = bytes(self._buffer[:end]).strip()
        del self._buffer[:consumed]
        self._header_bytes += consumed
        if not line:
            self._start_body()
            return True
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            value = value.strip()
            self._content_length = int(value) if value.isdigit() else None
        return True

    def _start_body(self) -> None:
        length = self._content_length
        if length is None:
            self._scan_from = 0
            self._step = self._delimited_body
        elif length > self.max_frame_bytes:
            self.skipped += 1
            self._remaining = length
            self._step = self._skip_body
        else:
            self._remaining = length
            self._step = self._sized_body

    def _sized_body(self) -> bool:
        if len(self._buffer) < self._remaining:
            return False
        self._take(self._remaining, self._remaining)
        self._step = self._seek_delimiter
        return True

    def _skip_body(self) -> bool:
        dropped = min(self._remaining, len(self._buffer))
        del self._buffer[:dropped]
        self._remaining -= dropped
        if self._remaining:
            return False
        self._step = self._seek_delimiter
        return True

    def _delimited_body(self) -> bool:
        end = self._find_body_end()
        if end < 0:
            if len(self._buffer) - len(self._delimiter) - 2 > self.max_frame_bytes:
                # Certainly too large: let the delimiter search discard it as it streams past.
                self.skipped += 1
                self._step = self._seek_delimiter
                return True
            return False
        self._take(self._body_size(end), end)
        self._step = self._seek_delimiter
        return True

    def _body_size(self, end: int) -> int:
        if self._buffer.startswith(_SOI):
            # Whatever follows a JPEG's end marker is line breaks or the camera's junk.
            eoi = self._buffer.rfind(_EOI, 0, end)
            if eoi > 0:
                return eoi + len(_EOI)
        size = end
        if size and self._buffer[size - 1] == _LF:
            size -= 1
        if size and self._buffer[size - 1] == _CR:
            size -= 1
        return size

    def _find_body_end(self) -> int:
        buffer = self._buffer
        while True:
            index = buffer.find(self._delimiter, self._scan_from)
            if index < 0:
                self._scan_from = max(0, len(buffer) - len(self._delimiter) + 1)
                return -1
            start = index
            while start > 0 and buffer[start - 1] == _DASH:
                start -= 1
            # A delimiter starts a line; accepting one glued to the JPEG's end marker covers
            # cameras that forget the line break, without splitting on lookalikes in the data.
            if start == 0 or buffer[start - 1] == _LF or buffer[start - 2 : start] == _EOI:
                return start
            self._scan_from = index + 1


class JpegScanner(_StateMachine):
    """JPEG images anywhere in a byte stream, found by walking their marker segments.

    Walking the segments instead of searching for the end marker keeps an embedded EXIF
    thumbnail (with its own start and end markers) from cutting the frame short.
    """

    def __init__(self, max_frame_bytes: int) -> None:
        super().__init__(max_frame_bytes, self._seek_start)
        self._position = 0
        self._oversized = False

    def _seek_start(self) -> bool:
        index = self._buffer.find(_SOI + b"\xff")
        if index < 0:
            self._keep_tail(2)
            return False
        del self._buffer[:index]
        self._position = len(_SOI)
        self._oversized = False
        self._step = self._marker
        return True

    def _marker(self) -> bool:
        buffer, position = self._buffer, self._position
        if len(buffer) < position + 2:
            return self._wait()
        if buffer[position] != _MARKER_PREFIX:
            return self._abandon()
        code = buffer[position + 1]
        if code == _MARKER_PREFIX:
            self._position += 1
        elif code == _EOI_CODE:
            self._finish(position + 2)
        elif code == _SOI_CODE:
            # The camera gave up on this image and started the next one right here.
            del buffer[:position]
            self._step = self._seek_start
        elif code in _STANDALONE_CODES:
            self._position += 2
        else:
            return self._segment(code)
        return True

    def _segment(self, code: int) -> bool:
        buffer, position = self._buffer, self._position
        if len(buffer) < position + 4:
            return self._wait()
        length = (buffer[position + 2] << 8) | buffer[position + 3]
        if length < 2:
            return self._abandon()
        self._position = position + 2 + length
        if code == _SOS_CODE:
            self._step = self._entropy_coded
        return True

    def _entropy_coded(self) -> bool:
        match = _SCAN_END.search(self._buffer, self._position)
        if match is None:
            # A trailing 0xFF may be the first half of the marker.
            self._position = max(self._position, len(self._buffer) - 1)
            return self._wait()
        self._position = match.start()
        self._step = self._marker
        return True

    def _wait(self) -> bool:
        if not self._oversized and max(self._position, len(self._buffer)) > self.max_frame_bytes:
            self._oversized = True
            self.skipped += 1
        if self._oversized:
            # Keep walking the oversized image to find its end, but forget what was walked.
            dropped = min(self._position, len(self._buffer))
            del self._buffer[:dropped]
            self._position -= dropped
        return False

    def _finish(self, end: int) -> None:
        if self._oversized:
            del self._buffer[:end]
        else:
            self._take(end, end)
        self._step = self._seek_start

    def _abandon(self) -> bool:
        """Not a well-formed JPEG after all: look for the next start marker after this one."""
        del self._buffer[:1]
        self._step = self._seek_start
        return True
