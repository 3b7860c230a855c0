"""Serves the Swagger UI assets from the installed `swagger-ui-bundle` package, so `/docs`
works on a beamline network without internet access."""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint, Response, send_from_directory
from quart_schema import hide
from swagger_ui_bundle import swagger_ui_path

from amarcord.api.access import access

blueprint = Blueprint("docs_assets", __name__, url_prefix="/docs-assets")
_ASSETS = Path(swagger_ui_path)
JS_URL = "/docs-assets/swagger-ui-bundle.js"
CSS_URL = "/docs-assets/swagger-ui.css"


@blueprint.get("/<path:name>")
@access("public")
@hide
async def asset(name: str) -> Response:
    response = await send_from_directory(_ASSETS, name)
    response.cache_control.max_age = 86400
    return response
