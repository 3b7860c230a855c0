"""Per-process state of the app (settings, database), reachable from any request."""

from __future__ import annotations

from dataclasses import dataclass

from quart import current_app

from amarcord.config import Settings
from amarcord.db.engine import Database

EXTENSION_KEY = "amarcord"


@dataclass
class AppState:
    settings: Settings
    database: Database


def state() -> AppState:
    app_state: AppState = current_app.extensions[EXTENSION_KEY]
    return app_state


def database() -> Database:
    return state().database


def settings() -> Settings:
    return state().settings
