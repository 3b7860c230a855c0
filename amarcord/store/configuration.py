"""The user configuration of a beamtime: append-only, the newest row is the current state.

Each change appends a complete row (unchanged keys carried over), so the history shows who
switched auto-pilot on and when. The version of the configuration is the id of its newest
row (0 while there is none): it only grows, so it serves as an ETag."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import UserConfiguration
from amarcord.store import beamtimes, changes
from amarcord.store.id_pages import IdPage, page_by_id
from amarcord.store.type_members import check_experiment_type

ENTITY = "configuration"
KEYS = ("auto_pilot", "current_experiment_type_id", "live_stream_url")


@dataclass(frozen=True)
class ConfigurationState:
    """One state of the configuration; `id`, `created_at` and `author` are None for the
    defaults of a beamtime that was never configured."""

    auto_pilot: bool = False
    current_experiment_type_id: int | None = None
    live_stream_url: str | None = None
    created_at: datetime | None = None
    author: str | None = None
    id: int | None = None

    @property
    def version(self) -> int:
        return self.id or 0

    def settings(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in KEYS}


def _state(row: UserConfiguration) -> ConfigurationState:
    return ConfigurationState(
        auto_pilot=row.auto_pilot,
        current_experiment_type_id=row.current_experiment_type_id,
        live_stream_url=row.live_stream_url,
        created_at=row.created_at,
        author=row.author,
        id=row.id,
    )


def _of_beamtime(beamtime_id: int) -> Select[UserConfiguration]:
    return select(UserConfiguration).where(UserConfiguration.beamtime_id == beamtime_id)


async def current_configuration(session: AsyncSession, beamtime_id: int) -> ConfigurationState:
    """The newest state, or the defaults (auto-pilot off, nothing selected)."""
    row = await session.scalar(
        _of_beamtime(beamtime_id).order_by(UserConfiguration.id.desc()).limit(1)
    )
    return ConfigurationState() if row is None else _state(row)


async def get(session: AsyncSession, beamtime_id: int) -> ConfigurationState:
    """The current state of an existing beamtime (NotFound otherwise)."""
    await beamtimes.get(session, beamtime_id)
    return await current_configuration(session, beamtime_id)


async def history(
    session: AsyncSession, beamtime_id: int, *, limit: int, after: int | None
) -> IdPage[ConfigurationState]:
    """Every state, newest first."""
    await beamtimes.get(session, beamtime_id)
    page = await page_by_id(
        session,
        _of_beamtime(beamtime_id),
        UserConfiguration.id,
        limit=limit,
        after=after,
        newest_first=True,
    )
    return IdPage([_state(row) for row in page.items], page.total, page.has_more)


async def update(
    session: AsyncSession,
    beamtime_id: int,
    values: Mapping[str, Any],
    *,
    actor: str,
    expected_version: int | None,
) -> ConfigurationState:
    """Appends a state with `values` changed; a change to nothing appends nothing."""
    await beamtimes.lock(session, beamtime_id)
    current = await current_configuration(session, beamtime_id)
    beamtimes.check_version(current.version, expected_version, "the configuration")
    type_id = values.get("current_experiment_type_id")
    if type_id is not None:
        loc = ("body", "current_experiment_type_id")
        await check_experiment_type(session, beamtime_id, type_id, loc)
    return await append(session, beamtime_id, current, values, actor=actor)


async def append(
    session: AsyncSession,
    beamtime_id: int,
    current: ConfigurationState,
    values: Mapping[str, Any],
    *,
    actor: str,
) -> ConfigurationState:
    """Appends `current` with `values` changed, for a caller holding the beamtime lock."""
    wanted = replace(current, **{key: values[key] for key in KEYS if key in values})
    if wanted.settings() == current.settings():
        return current
    row = UserConfiguration(
        beamtime_id=beamtime_id, created_at=changes.utcnow(), author=actor, **wanted.settings()
    )
    session.add(row)
    await session.flush()
    await changes.record_update(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=row.id,
        before=current.settings(),
        after=wanted.settings(),
    )
    return _state(row)
