"""Content sniffing: the MIME type of a file from its first bytes, never from what the
client claims. Only the types people attach to a logbook are recognised; anything else is
`application/octet-stream`, which browsers download instead of rendering."""

from __future__ import annotations

import json

OCTET_STREAM = "application/octet-stream"
TEXT = "text/plain; charset=utf-8"
JSON = "application/json"

# Enough for every signature below and for judging whether content is text.
SNIFF_BYTES = 64 * 1024

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
)
_HDF5 = b"\x89HDF\r\n\x1a\n"
# HDF5 allows a user block before the superblock: the signature sits at 0, 512, 1024, ...
_HDF5_OFFSETS = (0, 512, 1024, 2048, 4096, 8192, 16384, 32768)
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/tiff": ".tif",
    "application/pdf": ".pdf",
    "application/x-hdf5": ".h5",
    "application/zip": ".zip",
    "application/gzip": ".gz",
    JSON: ".json",
    TEXT: ".txt",
}
# Control characters other than tab, newline, form feed and carriage return mark binary data.
_BINARY_CONTROLS = frozenset(range(32)) - {9, 10, 12, 13}


def sniff(head: bytes, *, complete: bool) -> str:
    """The MIME type of content starting with `head`; `complete` says whether `head` is all of
    it (a prefix may end inside a multi-byte UTF-8 character, all of the content may not)."""
    for signature, mime in _SIGNATURES:
        if head.startswith(signature):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if any(head[offset : offset + len(_HDF5)] == _HDF5 for offset in _HDF5_OFFSETS):
        return "application/x-hdf5"
    return _text_type(head, complete=complete)


def _text_type(head: bytes, *, complete: bool) -> str:
    if not head:
        return OCTET_STREAM
    text = _decode_utf8(head, complete=complete)
    if text is None or any(ord(c) in _BINARY_CONTROLS for c in text):
        return OCTET_STREAM
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "[") and (not complete or _is_json(stripped)):
        return JSON
    return TEXT


def _decode_utf8(data: bytes, *, complete: bool) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A prefix may cut the last character (at most 3 of its 4 bytes) in half.
        if complete or error.reason != "unexpected end of data" or error.start < len(data) - 3:
            return None
        return data[: error.start].decode("utf-8")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def is_image(mime: str) -> bool:
    return mime.startswith("image/")


def extension(mime: str) -> str:
    """The usual file name extension of a type sniffed here (with the dot), or ''."""
    return _EXTENSIONS.get(mime, "")


def displays_inline(mime: str) -> bool:
    """Whether a browser may show the content itself; everything else is downloaded. Safe
    because `sniff` never answers HTML or SVG."""
    return is_image(mime) or mime in (TEXT, JSON, "application/pdf")
