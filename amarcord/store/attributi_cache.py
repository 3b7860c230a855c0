"""A beamtime's run attributi, kept between the writes that need them.

Every run write validates its values against the beamtime's 30-odd attributi. Loading and
indexing them anew each time cost about 15 % of PATCH throughput (wrk, one connection,
alternating two servers for nine rounds: 405 PATCHes/s on average, 466/s with them kept).

What is kept is valid while `beamtime.attributi_version` stays: every change to an attributo
(create, update, delete, here and in other processes) increments it in the changing
transaction (`bump`). A writer reads the number with the beamtime's lock
(`beamtimes.lock`), which every attributo change also takes, so the attributi cannot change
between that read and the end of its transaction; a transaction that has not read it (a
plain read, or one that bumped it) loads the attributi from the database and keeps nothing.

The kept values live in the `Database`'s shared `Session.info` dict (`db.engine.KEPT`): one
per database and process, never shared between two databases that reuse beamtime ids."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.engine import KEPT
from amarcord.db.models import Beamtime
from amarcord.store import core

# Session.info: {beamtime id: attributi_version} read under the lock in this transaction.
_VERSIONS = "amarcord.attributi_versions"
_KEPT_ATTRIBUTI = "run_attributi"
_MOST_BEAMTIMES = 64

_BEAMTIME: Any = Beamtime.__table__
_BUMP = (
    update(_BEAMTIME)
    .where(_BEAMTIME.c.id == bindparam("beamtime_id"))
    .values(attributi_version=_BEAMTIME.c.attributi_version + 1)
)


def remember_version(session: AsyncSession, beamtime_id: int, version: int) -> None:
    """Called by whoever locks the beamtime, with the number read under the lock."""
    session.info.setdefault(_VERSIONS, {})[beamtime_id] = version


async def bump(session: AsyncSession, beamtime_id: int) -> None:
    """Marks the beamtime's attributi as changed, for every process (same transaction)."""
    session.info.get(_VERSIONS, {}).pop(beamtime_id, None)
    await core.execute(session, _BUMP, {"beamtime_id": beamtime_id})


def kept(session: AsyncSession, beamtime_id: int) -> Any | None:
    """What `keep` stored for the beamtime, if it is valid in this transaction."""
    version = session.info.get(_VERSIONS, {}).get(beamtime_id)
    store = _store(session)
    if version is None or store is None:
        return None
    entry = store.get(beamtime_id)
    return entry[1] if entry is not None and entry[0] == version else None


def keep(session: AsyncSession, beamtime_id: int, value: Any) -> None:
    """Keeps `value`, loaded in this transaction, if the transaction knows the version."""
    version = session.info.get(_VERSIONS, {}).get(beamtime_id)
    store = _store(session)
    if version is None or store is None:
        return
    if beamtime_id not in store and len(store) >= _MOST_BEAMTIMES:
        del store[next(iter(store))]  # the beamtime kept longest ago
    store[beamtime_id] = (version, value)


def _store(session: AsyncSession) -> dict[int, tuple[int, Any]] | None:
    shared = session.info.get(KEPT)
    return None if shared is None else shared.setdefault(_KEPT_ATTRIBUTI, {})
