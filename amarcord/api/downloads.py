"""Binary responses: content-addressed ETags, conditional requests, Content-Disposition."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from urllib.parse import quote

from quart import Response, request
from werkzeug.http import http_date

from amarcord.domain.mime import displays_inline

_UNSAFE_IN_QUOTES = re.compile(r'[^\x20-\x7e]|["\\]')


def content_tag(sha256: str, variant: str = "") -> str:
    """A strong ETag derived from the content hash (`variant` tells thumbnails apart)."""
    return f'"{sha256}{variant}"'


def _listed(header: str | None, tag: str) -> bool:
    if header is None:
        return False
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or tag in candidates


def not_modified(tag: str) -> bool:
    """Whether `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks for GET)."""
    return _listed(request.headers.get("If-None-Match"), tag)


def if_match_fails(tag: str) -> bool:
    """Whether an `If-Match` header is present and names neither `tag` nor `*`."""
    header = request.headers.get("If-Match")
    return header is not None and not _listed(header, tag)


def content_disposition(name: str, mime_type: str) -> str:
    """`inline` where browsers may render the type, `attachment` otherwise; non-ASCII names
    travel in `filename*` (RFC 5987) with an ASCII stand-in for old clients."""
    kind = "inline" if displays_inline(mime_type) else "attachment"
    fallback = _UNSAFE_IN_QUOTES.sub("_", name)
    value = f'{kind}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def binary_response(
    body: bytes | AsyncIterator[bytes],
    *,
    mime_type: str,
    size: int,
    tag: str,
    disposition: str | None = None,
    last_modified: datetime | None = None,
) -> Response:
    response = Response(body, content_type=mime_type)
    response.content_length = size
    # A 100 MB download over a slow link must not be cut off by RESPONSE_TIMEOUT.
    response.timeout = None
    _cache_headers(response, tag, last_modified)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if disposition is not None:
        response.headers["Content-Disposition"] = disposition
    return response


def not_modified_response(tag: str, last_modified: datetime | None = None) -> Response:
    response = Response(b"", status=304)
    _cache_headers(response, tag, last_modified)
    return response


def _cache_headers(response: Response, tag: str, last_modified: datetime | None) -> None:
    response.headers["ETag"] = tag
    # Always revalidate: an id can come back after a delete on SQLite, and the live-stream
    # URL changes content every second.
    response.headers["Cache-Control"] = "no-cache"
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
