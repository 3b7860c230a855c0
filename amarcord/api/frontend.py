"""Serves the built web frontend (frontend/ → amarcord/static/app) at `/`.

`index.html` is revalidated on every load, so a new release reaches browsers at once; the files
under `/assets/` carry a content hash in their names and are cached for a year. Any other path
that is not a file is a client-side route and gets `index.html`. Paths under `/api` never
reach this blueprint (see `SpaPathConverter`), so unknown API paths stay problem+json 404s."""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint, Quart, Response, send_from_directory
from quart_schema import hide
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter
from werkzeug.security import safe_join

from amarcord.api.access import access
from amarcord.api.context import settings

PACKAGED_BUILD = Path(__file__).resolve().parent.parent / "static" / "app"
IMMUTABLE = "public, max-age=31536000, immutable"
NOT_BUILT = (
    "The web frontend is not built: run `make run`, or `npm ci && npm run build` in frontend/."
)

blueprint = Blueprint("frontend", __name__)


class SpaPathConverter(BaseConverter):
    """Any path except `api` and what lies under it (the API answers those itself)."""

    regex = r"(?!api(?:/|$))[^\x00]*"
    part_isolating = False


@blueprint.record_once
def _register_converter(state: object) -> None:
    app: Quart = state.app  # type: ignore[attr-defined]
    app.url_map.converters["spa"] = SpaPathConverter


def build_dir() -> Path:
    configured = settings().static_dir
    return configured if configured is not None else PACKAGED_BUILD


def _is_file(root: Path, path: str) -> bool:
    # A stat call, too quick to be worth a thread; `safe_join` refuses `..` escapes.
    candidate = safe_join(str(root), path)
    return candidate is not None and Path(candidate).is_file()


async def _index(root: Path) -> Response:
    if not _is_file(root, "index.html"):
        raise NotFound(NOT_BUILT)
    response = await send_from_directory(root, "index.html")
    response.cache_control.no_cache = True
    response.cache_control.max_age = None
    return response


@blueprint.get("/")
@access("public")
@hide
async def index() -> Response:
    """The single page of the web app."""
    return await _index(build_dir())


@blueprint.get("/assets/<path:name>")
@access("public")
@hide
async def asset(name: str) -> Response:
    """Hashed build output: a missing asset is a real 404, never the app page."""
    response = await send_from_directory(build_dir() / "assets", name)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@blueprint.get("/<spa:path>")
@access("public")
@hide
async def page(path: str) -> Response:
    """Files at the top of the build (icons, robots.txt), else the app for its own routes."""
    root = build_dir()
    if _is_file(root, path):
        response = await send_from_directory(root, path)
        response.cache_control.no_cache = True
        return response
    return await _index(root)
