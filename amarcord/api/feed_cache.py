"""Values derived from a beamtime's data, kept per process until its change feed moves on.

Sound because every mutation of a beamtime appends its change-feed row in the same
transaction: while the beamtime's latest seq stays put, so does everything the feed records.
A value is read after its seq, so it is at least as new as that seq and a hit is never
stale. The seq lives in the database, so this holds with any number of server processes.

After a change, every browser on the stream refetches at once; one of them computes the new
value while the others wait for it, instead of each computing it again."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class FeedCache(Generic[K, T]):
    """One value per key; a key names a beamtime (and, for values with parameters, those),
    and its seq is that beamtime's."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[K, tuple[int, T]] = OrderedDict()
        self._locks: dict[K, asyncio.Lock] = {}

    def _hit(self, key: K, seq: int) -> T | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != seq:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    async def get(
        self, key: K, seq: int, load: Callable[[tuple[int, T] | None], Awaitable[T]]
    ) -> T:
        """The value at `seq` (the beamtime's latest seq, read before calling). Unless kept,
        `load` computes it, given the previous value and its seq (to update rather than
        recompute) or None."""
        found = self._hit(key, seq)
        if found is not None:
            return found
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            found = self._hit(key, seq)
            if found is not None:
                return found
            kept = self._entries.get(key)
            value = await load(kept)
            kept = self._entries.get(key)
            # A request that read an older seq must not replace a newer value.
            if kept is None or kept[0] < seq:
                self._entries[key] = (seq, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                evicted, _ = self._entries.popitem(last=False)
                self._locks.pop(evicted, None)
        return value
