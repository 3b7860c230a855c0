"""Retry delays and outage logging shared by the camera reader and the server client."""

import logging
import time

import httpx


class Backoff:
    """Exponential retry delays, capped so that a recovered peer is noticed soon enough."""

    def __init__(self, initial: float, cap: float) -> None:
        self._initial = min(initial, cap)
        self._cap = cap
        self._next = self._initial

    def next(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._cap)
        return delay

    def reset(self) -> None:
        self._next = self._initial


class Outage:
    """Logs a failing peer once per outage and once on recovery, so that a camera that stays
    down for a night does not fill the journal. A new cause within the same outage is logged
    again only when it is more severe (a 503 turning into a 401); otherwise at DEBUG."""

    def __init__(self, logger: logging.Logger, subject: str) -> None:
        self._logger = logger
        self._subject = subject
        self._reason: str | None = None
        self._level = logging.NOTSET
        self._since = 0.0

    def failed(self, reason: str, level: int = logging.WARNING) -> None:
        if self._reason is None:
            self._since = time.monotonic()
            self._level = logging.NOTSET
        if reason != self._reason:
            self._logger.log(
                level if level > self._level else logging.DEBUG, "%s: %s", self._subject, reason
            )
        self._reason = reason
        self._level = max(self._level, level)

    def recovered(self) -> None:
        if self._reason is None:
            return
        self._logger.info(
            "%s: recovered after %.0f s", self._subject, time.monotonic() - self._since
        )
        self._reason = None


def describe(error: Exception) -> str:
    """A short, stable description of a failed connection."""
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def status_line(response: httpx.Response) -> str:
    # HTTP/1.1 servers may send an empty reason phrase (hypercorn does).
    phrase = response.reason_phrase or httpx.codes.get_reason_phrase(response.status_code)
    return f"HTTP {response.status_code} {phrase}".rstrip()
