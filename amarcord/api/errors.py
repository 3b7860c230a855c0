"""The error contract: every error leaves the server as RFC 9457 problem+json.

Domain exceptions, HTTP exceptions (404 for unknown paths, 405, 413, 415), quart-schema's
validation errors (422 naming the field) and unexpected exceptions (500, logged) are all
mapped here, in one place."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from pydantic import ValidationError
from quart import Quart, Response
from quart_schema import RequestSchemaValidationError
from quart_schema.validation import QuerystringValidationError
from werkzeug.exceptions import HTTPException

from amarcord.domain.errors import (
    Conflict,
    DomainError,
    FieldError,
    NotFound,
    PreconditionFailed,
    UnsupportedMedia,
    ValidationFailed,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

_STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    PreconditionFailed: 412,
    UnsupportedMedia: 415,
    ValidationFailed: 422,
}

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
}


class ApiError(Exception):
    """An HTTP-level error raised by the API layer itself (e.g. 401/403 from access control)."""

    def __init__(self, status: int, detail: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)


def public_loc(loc: Sequence[str | int]) -> list[str | int]:
    """Where the offending value is: a path into the JSON body (`["attributi", "pH"]`, as
    api.md shows), or into the query string, prefixed `"query"` (`["query", "limit"]`).
    Layers say `"body"` for fields of the body; clients see the path without it."""
    if len(loc) > 1 and loc[0] == "body":
        return list(loc[1:])
    return list(loc)


def problem(
    status: int,
    detail: str,
    errors: Iterable[FieldError] = (),
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": [{"loc": public_loc(e.loc), "msg": e.msg, "type": e.type} for e in errors],
    }
    response = Response(orjson.dumps(body), status=status, content_type=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _field_errors(error: ValidationError, where: str) -> list[FieldError]:
    return [
        FieldError(
            loc=(where, *(part for part in e["loc"])),
            msg=e["msg"],
            type=e["type"],
        )
        for e in error.errors(include_url=False)
    ]


async def _on_domain_error(error: DomainError) -> Response:
    status = _STATUS_OF.get(type(error), 400)
    errors = error.errors if isinstance(error, ValidationFailed) else ()
    return problem(status, error.detail, errors, title=error.title)


async def _on_api_error(error: ApiError) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return problem(error.status, error.detail, error.errors, headers=headers)


async def _on_schema_error(error: RequestSchemaValidationError) -> Response:
    cause = error.validation_error
    if isinstance(cause, ValidationError):
        where = "query" if isinstance(error, QuerystringValidationError) else "body"
        errors = _field_errors(cause, where)
        detail = "; ".join(f"{'.'.join(map(str, public_loc(e.loc)))}: {e.msg}" for e in errors)
        return problem(422, detail or "invalid request", errors)
    return problem(422, str(cause) or "invalid request")


async def _on_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    detail = error.description or _TITLES.get(status, "Error")
    headers = {}
    if status == 405 and error.response is None:
        allowed = getattr(error, "valid_methods", None)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return problem(status, detail, headers=headers)


async def _on_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return problem(500, "The server failed to handle this request; it has been logged.")


def register_error_handlers(app: Quart) -> None:
    # Coroutines: Quart runs a plain function handler on its thread pool, a round trip
    # through another thread for every 4xx answer.
    app.register_error_handler(DomainError, _on_domain_error)
    app.register_error_handler(ApiError, _on_api_error)
    app.register_error_handler(RequestSchemaValidationError, _on_schema_error)
    app.register_error_handler(HTTPException, _on_http_exception)
    app.register_error_handler(Exception, _on_unexpected)
