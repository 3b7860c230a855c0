from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from amarcord.domain.mime import (
    JSON,
    OCTET_STREAM,
    TEXT,
    displays_inline,
    extension,
    sniff,
)
from tests.support.media import image_bytes


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (image_bytes(format_="JPEG"), "image/jpeg"),
        (image_bytes(format_="PNG"), "image/png"),
        (image_bytes(format_="GIF", mode="P", color=0), "image/gif"),
        (image_bytes(format_="WEBP"), "image/webp"),
        (image_bytes(format_="TIFF"), "image/tiff"),
        (image_bytes(format_="TIFF", mode="L", color=0, tiffinfo={}), "image/tiff"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (b"\x89HDF\r\n\x1a\n\x00\x00", "application/x-hdf5"),
        (b"\x00" * 512 + b"\x89HDF\r\n\x1a\n\x00", "application/x-hdf5"),
        (_zip(), "application/zip"),
        (gzip.compress(b"x" * 100), "application/gzip"),
        (b'{"a": [1, 2]}', JSON),
        (b"  [1, 2, 3]\n", JSON),
        (b"{not json", TEXT),
        ("# Notes\n\nLysozyme, 20 °C, Straße\n".encode(), TEXT),
        (b"", OCTET_STREAM),
        (b"\x00\x01\x02binary", OCTET_STREAM),
        (b"\xff\xfe not utf-8 \xc3", OCTET_STREAM),
    ],
)
def test_sniffs_complete_content(content: bytes, expected: str) -> None:
    assert sniff(content, complete=True) == expected


def test_a_prefix_may_cut_a_character_in_half_but_complete_content_may_not() -> None:
    text = "Temperatur: 20 °C".encode()
    cut = text[: text.index("°".encode()) + 1]
    assert sniff(cut, complete=False) == TEXT
    assert sniff(cut, complete=True) == OCTET_STREAM


def test_a_json_prefix_is_not_parsed() -> None:
    assert sniff(b'{"values": [1, 2,', complete=False) == JSON


def test_the_client_cannot_make_html_render() -> None:
    assert sniff(b"<html><script>alert(1)</script></html>", complete=True) == TEXT
    assert sniff(b'<svg xmlns="http://www.w3.org/2000/svg"/>', complete=True) == TEXT


def test_inline_only_for_types_a_browser_shows_safely() -> None:
    assert displays_inline("image/png")
    assert displays_inline("application/pdf")
    assert displays_inline(TEXT)
    assert not displays_inline("application/zip")
    assert not displays_inline(OCTET_STREAM)


def test_extensions() -> None:
    assert extension("image/jpeg") == ".jpg"
    assert extension("image/png") == ".png"
    assert extension(OCTET_STREAM) == ""
