"""Garbage-collector settings for a serving process.

After start-up a server process holds about 160,000 long-lived objects: modules, SQLAlchemy
and pydantic machinery, the app. Each full collection walked all of them, and building a
10,000-run table allocates enough to set off several: a third of its time here (a full table
took 360-410 ms with the defaults, 170-260 ms with these settings, measured in-process).

`tune` collects once, freezes what exists (the start-up objects leave the collector's view for
good; they live as long as the process anyway) and lets more young objects pile up before
a collection. Garbage that reference counting frees, which is nearly all of a request's, is
freed as before; only reference cycles wait a little longer."""

from __future__ import annotations

import gc

# Allocations (minus deallocations) between young-generation collections; CPython's default
# is 700, which a 10-MB listing crosses thousands of times.
YOUNG_THRESHOLD = 10_000


def tune() -> None:
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
