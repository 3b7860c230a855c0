"""The HTTP server: uvicorn with the httptools parser, in one process or several.

hypercorn served the app until the request rates of DAQ systems and polling browsers were
measured: it parses HTTP in Python (h11), httptools in C (llhttp). Alternating the two on one
database with `wrk` (2-core VM, three rounds): a live-stream 304 took 0.63-0.76 ms of server
CPU instead of 0.95-1.04 ms, a PATCH of a run 1.8 instead of 2.6-3.2 ms. The event loop
stays asyncio's own: uvloop measured no better here.

Settings that differ from uvicorn's defaults, and why:
- `proxy_headers=False`: uvicorn would take the client's address and scheme from
  `X-Forwarded-*` headers sent from 127.0.0.1. Which proxies are trusted is
  `AMARCORD_TRUSTED_PROXIES`' business (`amarcord/api/proxies.py`), nobody else's.
- no `Server` header; our logging configuration (`log_config=None`); an access log only when
  the log level shows INFO lines.
- `Server` here catches no signals: the CLI ends the open change streams before it stops
  the server, and tests serve in their own process without taking over Ctrl-C."""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from typing import Any

import uvicorn

from amarcord.config import Settings

# The module every worker process imports when there are several (`AMARCORD_WORKERS` > 1).
WORKER_APP = "amarcord.asgi:app"


def options(settings: Settings) -> dict[str, Any]:
    """uvicorn's settings for `settings`, as keyword arguments of `uvicorn.Config`."""
    return {
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "http": "httptools",
        "loop": "asyncio",
        "lifespan": "on",
        "proxy_headers": False,
        "server_header": False,
        "log_config": None,
        "access_log": logging.getLevelName(settings.log_level) <= logging.INFO,
        "timeout_graceful_shutdown": math.ceil(settings.graceful_timeout),
    }


class Server(uvicorn.Server):
    """uvicorn's server, stopped by whoever runs it (`stop`) instead of by signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def stop(self) -> None:
        """Stop accepting, let open requests finish (up to the graceful timeout), then run
        the app's shutdown. A second call stops at once."""
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True


def run_workers(settings: Settings) -> None:
    """Several processes, each importing `WORKER_APP`; uvicorn's supervisor handles signals."""
    uvicorn.run(WORKER_APP, **options(settings))
