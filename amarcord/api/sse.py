"""Server-Sent Events framing (WHATWG HTML, "Server-sent events")."""

from __future__ import annotations

from collections.abc import AsyncIterable

from quart import Response, request

from amarcord.domain.errors import ValidationFailed

KEEP_ALIVE = b": keep-alive\n\n"
MEDIA_TYPE = "text/event-stream"


def event(name: str, data: bytes, event_id: int | None = None) -> bytes:
    """One event. `data` must be a single line (compact JSON is)."""
    head = b"" if event_id is None else b"id: %d\n" % event_id
    return head + b"event: " + name.encode() + b"\ndata: " + data + b"\n\n"


def retry(milliseconds: int) -> bytes:
    """Tells the browser how long to wait before it reconnects."""
    return b"retry: %d\n\n" % milliseconds


def last_event_id() -> int | None:
    """The seq a reconnecting browser last received (its `Last-Event-ID` header)."""
    header = request.headers.get("Last-Event-ID")
    if header is None or not header.strip():
        return None
    try:
        value = int(header.strip())
    except ValueError:
        value = -1
    if value < 0:
        msg = "Last-Event-ID must be the id (a seq) of an event of this stream"
        raise ValidationFailed.single(("header", "Last-Event-ID"), msg)
    return value


def stream_response(body: AsyncIterable[bytes]) -> Response:
    """A streaming response that no timeout ends and no proxy buffers."""
    response = Response(body, content_type=MEDIA_TYPE)
    # Quart's RESPONSE_TIMEOUT (60 s) would otherwise cut every stream off.
    response.timeout = None
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response
