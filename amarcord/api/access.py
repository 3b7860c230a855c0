"""Access levels, declared on every route with one decorator and enforced in one place.

`@access("read")` only tags the view function; `enforce_access` (a before-request hook) reads
the tag of the matched route. A route without a tag is a programming error and is refused, so
that a new route can never be open by accident (a test walks every route as well)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from quart import Quart, current_app, g, request

from amarcord.api.errors import ApiError

AccessLevel = Literal["public", "read", "write", "admin"]
ACCESS_ATTRIBUTE = "amarcord_access"
# Routes registered by libraries: the OpenAPI document, its UI and static assets.
_LIBRARY_ENDPOINTS = frozenset({"openapi", "swagger_ui", "static"})

F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True)
class Identity:
    """Who is calling: a person or an API token; `name` is what the audit trail shows."""

    name: str


ANONYMOUS = Identity(name="anonymous")


def access(level: AccessLevel) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTRIBUTE, level)
        return view

    return decorate


def access_level_of(app: Quart, endpoint: str) -> AccessLevel | None:
    view = app.view_functions.get(endpoint)
    level: AccessLevel | None = getattr(view, ACCESS_ATTRIBUTE, None)
    if level is None and (endpoint in _LIBRARY_ENDPOINTS or endpoint.endswith(".static")):
        return "public"
    return level


async def enforce_access() -> None:
    g.identity = ANONYMOUS
    if request.url_rule is None or request.endpoint is None:
        return  # no route matched: the 404/405 handlers answer
    if access_level_of(current_app, request.endpoint) is None:
        raise ApiError(500, f"route {request.endpoint} declares no access level")


def current_identity() -> Identity:
    identity: Identity = g.get("identity", ANONYMOUS)
    return identity


def current_actor() -> str:
    return current_identity().name
