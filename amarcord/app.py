"""The application factory."""

from __future__ import annotations

import logging

from quart import Quart
from quart_schema import QuartSchema

from amarcord import __version__
from amarcord.api import (
    attributi,
    auth,
    beamtimes,
    changes,
    chemicals,
    configuration,
    data_sets,
    docs_assets,
    events,
    experiment_types,
    files,
    flow_control,
    frontend,
    health,
    json_input,
    json_output,
    live_stream,
    members,
    overview,
    runs,
    schedule,
    tokens,
    type_adapters,
)
from amarcord.api.access import install_access_control
from amarcord.api.context import EXTENSION_KEY, AppState
from amarcord.api.errors import register_error_handlers
from amarcord.api.keys import reject_nul_characters, reject_numbers_beyond_columns
from amarcord.api.openapi import AmarcordOpenAPIProvider
from amarcord.config import Settings
from amarcord.db.engine import Database

BLUEPRINTS = (
    health.blueprint,
    docs_assets.blueprint,
    beamtimes.blueprint,
    auth.blueprint,
    members.blueprint,
    tokens.blueprint,
    changes.blueprint,
    overview.blueprint,
    attributi.blueprint,
    chemicals.blueprint,
    runs.blueprint,
    files.blueprint,
    events.blueprint,
    live_stream.blueprint,
    experiment_types.blueprint,
    data_sets.blueprint,
    configuration.blueprint,
    schedule.blueprint,
    frontend.blueprint,  # the web app at /; its catch-all route excludes /api
)


def create_app(settings: Settings) -> Quart:
    type_adapters.install()
    app = Quart("amarcord")
    app.request_class = json_input.JsonRequest
    app.asgi_http_class = flow_control.FlowControlledConnection
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        QUART_SCHEMA_SWAGGER_JS_URL=docs_assets.JS_URL,
        QUART_SCHEMA_SWAGGER_CSS_URL=docs_assets.CSS_URL,
        # Large uploads over slow beamline links must not be cut off after 60 s.
        BODY_TIMEOUT=3600,
    )
    QuartSchema(
        app,
        info={"title": "amarcord", "version": __version__},
        redoc_ui_path=None,
        scalar_ui_path=None,
        openapi_provider_class=AmarcordOpenAPIProvider,
    )
    json_output.install(app)
    logging.getLogger("amarcord").setLevel(settings.log_level)
    app.extensions[EXTENSION_KEY] = AppState(settings=settings, database=_open(settings))
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.url_value_preprocessor(reject_numbers_beyond_columns)
    app.url_value_preprocessor(reject_nul_characters)
    install_access_control(app)
    register_error_handlers(app)

    @app.after_serving
    async def _close_database() -> None:
        await app.extensions[EXTENSION_KEY].database.dispose()

    return app


def _open(settings: Settings) -> Database:
    return Database.open(
        settings.database_url, pool_size=settings.db_pool_size, echo=settings.db_echo
    )
