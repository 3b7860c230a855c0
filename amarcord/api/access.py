"""Access levels, declared on every route with one decorator and enforced in one place.

`@access("read")` only tags the view function; `enforce_access` (a before-request hook) reads
the tag of the matched route, authenticates the caller (`authn`) and checks the level:

- `public`: anyone; `signed_in`: any authenticated caller (person or token);
- `person`: a signed-in person or an administrator (not a token of a beamtime or a role);
- `read`, `write`, `owner`: the role viewer, editor or owner in the route's beamtime;
- `admin`: an administrator (a person with the admin flag, or an admin token).

The beamtime of a route is its `bt` path argument, or comes from `BEAMTIME_OF_ARGUMENT`
for resources addressed without one (`/api/files/{file_id}`). A route without a tag is a
programming error and is refused, so that a new route can never be open by accident (a test
walks every route as well). Anonymous callers get 401, callers without the role 403."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from quart import Quart, current_app, g, request
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.api.authn import authenticate
from amarcord.api.context import database, settings
from amarcord.api.errors import ApiError
from amarcord.api.identity import ANONYMOUS, OPEN, Identity
from amarcord.api.on_demand import OnDemandRead
from amarcord.domain.accounts import Role, at_least
from amarcord.store import accounts, memberships, owning_beamtime

AccessLevel = Literal["public", "signed_in", "person", "read", "write", "owner", "admin"]
ACCESS_ATTRIBUTE = "amarcord_access"
# Routes registered by libraries: the OpenAPI document, its UI and static assets.
_LIBRARY_ENDPOINTS = frozenset({"openapi", "swagger_ui", "static"})
_ROLE_NEEDED: dict[str, Role] = {"read": "viewer", "write": "editor", "owner": "owner"}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Resolver = Callable[[AsyncSession, int], Awaitable[int | None]]
# Path arguments that name a resource of one beamtime, and how to find that beamtime.
BEAMTIME_OF_ARGUMENT: dict[str, Resolver] = {"file_id": owning_beamtime.of_file}

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., object])


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
    level = access_level_of(current_app, request.endpoint)
    if level is None:
        raise ApiError(500, f"route {request.endpoint} declares no access level")
    _refuse_cross_site_writes()
    if settings().auth == "none":
        g.identity = OPEN
        return
    if level == "public":
        return
    async with OnDemandRead() as reader:
        g.identity = identity = await authenticate(reader)
        if identity.kind == "anonymous":
            raise ApiError(401, "sign in, or send an API token as `Authorization: Bearer`")
        await _authorize(reader, identity, level)


def _refuse_cross_site_writes() -> None:
    """A browser sends cookies (and the proxy's sign-on) along with requests that other sites
    trigger; state changes must come from our own pages. Requests with an Authorization
    header cannot be forged that way: browsers only send it cross-site after CORS allows it."""
    if request.method in _SAFE_METHODS or "Authorization" in request.headers:
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site in {"same-origin", "none"}:
            return
        raise ApiError(403, f"a {site} request may not change anything here")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
        raise ApiError(403, f"a request from {origin} may not change anything here")


async def _authorize(reader: OnDemandRead, identity: Identity, level: AccessLevel) -> None:
    if level == "signed_in":
        return
    if level == "person":
        if identity.kind != "user" and not identity.admin:
            raise ApiError(403, "only a signed-in person or an administrator may do this")
        return
    if level == "admin":
        if not identity.admin:
            raise ApiError(403, "only an administrator may do this")
        return
    needed = _ROLE_NEEDED[level]
    beamtime_id = await _beamtime_of_request(reader)
    if not at_least(await role_in(reader.session, identity, beamtime_id), needed):
        where = f"beamtime {beamtime_id}" if beamtime_id is not None else "this beamtime"
        raise ApiError(403, f"this needs the role {needed} (or higher) in {where}")


async def _beamtime_of_request(reader: OnDemandRead) -> int | None:
    args = request.view_args or {}
    if "bt" in args:
        return int(args["bt"])
    for argument, resolve in BEAMTIME_OF_ARGUMENT.items():
        if argument in args:
            return await resolve(await reader.session(), int(args[argument]))
    raise ApiError(500, f"route {request.endpoint} needs a beamtime, but its path names none")


async def role_in(
    session: AsyncSession | Callable[[], Awaitable[AsyncSession]],
    identity: Identity,
    beamtime_id: int | None,
) -> str | None:
    """The caller's role in a beamtime (None: none). `beamtime_id` None: the beamtime does
    not exist; only callers who see every beamtime get through, to hear 404. `session` may be
    a function that opens one: only a person's membership needs the database."""
    if identity.sees_all_beamtimes:
        return "owner" if identity.admin else identity.role
    if beamtime_id is None:
        return None
    if identity.kind == "token":
        return identity.role if identity.beamtime_id == beamtime_id else None
    if identity.user_id is not None:
        if not isinstance(session, AsyncSession):
            session = await session()
        return await memberships.role_of(session, beamtime_id, identity.user_id)
    return None


def current_identity() -> Identity:
    identity: Identity = g.get("identity", ANONYMOUS)
    return identity


def current_actor() -> str:
    return current_identity().name


async def _announce_mode() -> None:
    mode = settings().auth
    if mode == "none":
        log.warning(
            "AMARCORD_AUTH=none: no access control, anyone who reaches this server may read "
            "and change everything; use it only on a single-user machine"
        )
    elif mode == "local":
        async with database().read() as session:
            users = await accounts.count(session)
        if users == 0:
            log.warning(
                "no user accounts yet: create the first administrator with "
                "`amarcord users create NAME --admin`, then sign in"
            )


def install_access_control(app: Quart) -> None:
    app.before_request(enforce_access)
    app.before_serving(_announce_mode)
