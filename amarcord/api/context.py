"""Per-process state of the app (settings, database, change-stream hub, caches),
reachable from any request."""

from __future__ import annotations

from dataclasses import dataclass, field

from quart import current_app

from amarcord.api.change_hub import ChangeHub
from amarcord.api.feed_cache import FeedCache
from amarcord.api.token_cache import TokenCache
from amarcord.config import Settings
from amarcord.db.engine import Database
from amarcord.schemas.overview import KeptOverview

EXTENSION_KEY = "amarcord"
# Messages a change-stream follower may have queued before it counts as stalled and is cut off.
STREAM_MAX_BACKLOG = 1000
# Beamtimes whose overview a process keeps (one entry each, the latest seq only).
OVERVIEW_CACHE_BEAMTIMES = 64
# Encoded run listings a process keeps, by beamtime and query; a full table of 10,000 runs x
# 30 attributi is about 10 MB.
RUN_LISTINGS_KEPT = 8


@dataclass
class AppState:
    settings: Settings
    database: Database
    change_hub: ChangeHub = field(init=False)
    token_cache: TokenCache = field(init=False)
    overview_cache: FeedCache[int, KeptOverview] = field(
        default_factory=lambda: FeedCache(OVERVIEW_CACHE_BEAMTIMES)
    )
    run_listing_cache: FeedCache[tuple[int, bytes], bytes] = field(
        default_factory=lambda: FeedCache(RUN_LISTINGS_KEPT)
    )

    def __post_init__(self) -> None:
        self.change_hub = ChangeHub(
            self.database,
            poll_interval=self.settings.stream_poll_interval,
            max_backlog=STREAM_MAX_BACKLOG,
        )
        self.token_cache = TokenCache(self.settings.token_cache_seconds)


def state() -> AppState:
    app_state: AppState = current_app.extensions[EXTENSION_KEY]
    return app_state


def database() -> Database:
    return state().database


def settings() -> Settings:
    return state().settings


def change_hub() -> ChangeHub:
    return state().change_hub


def token_cache() -> TokenCache:
    return state().token_cache


def overview_cache() -> FeedCache[int, KeptOverview]:
    return state().overview_cache


def run_listing_cache() -> FeedCache[tuple[int, bytes], bytes]:
    return state().run_listing_cache
