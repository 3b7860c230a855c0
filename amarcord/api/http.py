"""Small HTTP helpers shared by the blueprints: versions as ETags, If-Match, cursors."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from quart import Response, request

from amarcord.api.json_input import text_problem
from amarcord.domain.errors import ValidationFailed


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version() -> int | None:
    """The version an `If-Match` header asks for; None when absent or `*`."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    try:
        return int(tag)
    except ValueError:
        # An ETag we never issued cannot match the current version.
        return -1


def json_response(
    body: Any,
    status: int = 200,
    *,
    version: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    # UTC as "Z", as pydantic writes it in every other response.
    response = Response(
        orjson.dumps(body, option=orjson.OPT_UTC_Z),
        status=status,
        content_type="application/json",
    )
    if version is not None:
        response.headers["ETag"] = etag(version)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode_cursor(cursor: str, keys: tuple[str, ...]) -> dict[str, Any]:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        position = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError) as error:
        raise ValidationFailed.single(("query", "cursor"), "malformed cursor") from error
    if not isinstance(position, dict) or set(position) != set(keys):
        raise ValidationFailed.single(("query", "cursor"), "cursor does not belong to this list")
    if any(isinstance(value, str) and text_problem(value) for value in position.values()):
        raise ValidationFailed.single(("query", "cursor"), "malformed cursor")
    return position
