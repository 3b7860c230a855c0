"""Identities of recently verified API tokens, kept for a few seconds.

A DAQ system writing runs many times a second would otherwise cost a database read per
request just to look up its token. An entry lives `AMARCORD_TOKEN_CACHE_SECONDS` and never past
the token's own expiry. Revoking a token through this process empties the cache at once; a
revocation made elsewhere (the CLI, another server process) takes effect within those seconds.
Entries are keyed by the token's digest, so the cache holds no secrets."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from amarcord.api.identity import Identity
from amarcord.store.changes import utcnow

# Tokens remembered per process: far more than the DAQ systems and daemons of a facility.
MAX_TOKENS = 1024


@dataclass(frozen=True)
class _Entry:
    identity: Identity
    token_expires_at: datetime | None
    kept_until: float  # time.monotonic()


class TokenCache:
    def __init__(self, seconds: float, max_tokens: int = MAX_TOKENS) -> None:
        self._seconds = seconds
        self._max_tokens = max_tokens
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def get(self, digest: str) -> Identity | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        expired = entry.token_expires_at is not None and entry.token_expires_at <= utcnow()
        if expired or entry.kept_until <= time.monotonic():
            del self._entries[digest]
            return None
        return entry.identity

    def put(self, digest: str, identity: Identity, token_expires_at: datetime | None) -> None:
        if self._seconds <= 0:
            return
        self._entries.pop(digest, None)
        self._entries[digest] = _Entry(identity, token_expires_at, time.monotonic() + self._seconds)
        while len(self._entries) > self._max_tokens:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
