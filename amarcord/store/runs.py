"""Runs: start, create-or-update by number, edit, stop, delete; one run at a time.

Runs are addressed by number within their beamtime (`None` stands for `latest`, the highest
number), and the change feed records them by number too. Every write takes the beamtime lock
first (`beamtimes.lock`): that makes "highest number plus one" race-free and keeps the feed's
sequence numbers in commit order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import ExperimentType, Run, RunDataPath, UserConfiguration
from amarcord.domain.errors import (
    Conflict,
    FieldError,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from amarcord.domain.limits import MAX_ID
from amarcord.store import changes, core
from amarcord.store import run_attributi as attributi_store
from amarcord.store.beamtimes import check_version, lock
from amarcord.store.run_attributi import RunAttributi

ENTITY = "run"
RunRef = int | None  # a run number, or None for the latest run
Json = dict[str, Any]
_SCALAR_FIELDS = ("started", "stopped", "experiment_type_id")
MAX_NUMBER = MAX_ID  # run numbers share the 32-bit range of ids


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _utc(value: datetime | None) -> datetime | None:
    # Stored as UTC anyway; converting now makes the response show what a reload shows.
    return None if value is None else value.astimezone(UTC)


def snapshot(run: Run, attributi: RunAttributi, paths: Sequence[Json] | None) -> Json:
    """The run as the change feed records it: JSON values, attributi by name."""
    values: Json = {
        "number": run.number,
        "started": _iso(run.started),
        "stopped": _iso(run.stopped),
        "experiment_type_id": run.experiment_type_id,
        "attributi": attributi.to_names(run.attributi),
    }
    if paths is not None:
        values["data_paths"] = list(paths)
    return values


def run_json(run: Run, attributi: RunAttributi, paths: Sequence[Json]) -> Json:
    """The run as the API returns it."""
    return {
        "number": run.number,
        "started": run.started,
        "stopped": run.stopped,
        "experiment_type_id": run.experiment_type_id,
        "attributi": attributi.to_names(run.attributi),
        "data_paths": list(paths),
        "version": run.version,
        "created_at": run.created_at,
        "updated_at": run.updated_at,
    }


def describe(beamtime_id: int, ref: RunRef) -> str:
    which = "the latest run" if ref is None else f"run {ref}"
    return f"{which} of beamtime {beamtime_id}"


async def find(session: AsyncSession, beamtime_id: int, ref: RunRef) -> Run | None:
    """The run, as a transient `Run` that carries its values: the writers below update it
    with Core statements, not through the session (the ORM's unit of work cost more CPU than
    the rest of a DAQ system's request)."""
    if ref is None:
        result = await core.execute(session, _LATEST, {"beamtime_id": beamtime_id})
    elif 0 < ref <= MAX_NUMBER:
        result = await core.execute(
            session, _BY_NUMBER, {"beamtime_id": beamtime_id, "number": ref}
        )
    else:
        return None
    row = result.first()
    return None if row is None else Run(**row._mapping)


async def _get(session: AsyncSession, beamtime_id: int, ref: RunRef) -> Run:
    run = await find(session, beamtime_id, ref)
    if run is None:
        raise NotFound(f"{describe(beamtime_id, ref)} does not exist")
    return run


# The statements every DAQ write runs are prebuilt Core statements (see `store.core`).
_DATA_PATHS = (
    select(RunDataPath.path, RunDataPath.source)
    .where(RunDataPath.run_id == bindparam("run_id"))
    .order_by(RunDataPath.id)
)
_INSERT_PATHS = insert(RunDataPath)
_INSERT_RUN = insert(Run)
_RUNS: Any = Run.__table__  # a Table (typed by the ORM as a FromClause)
_OF_BEAMTIME = select(_RUNS).where(_RUNS.c.beamtime_id == bindparam("beamtime_id"))
_BY_NUMBER = _OF_BEAMTIME.where(_RUNS.c.number == bindparam("number"))
_LATEST = _OF_BEAMTIME.order_by(_RUNS.c.number.desc()).limit(1)
_DELETE_PATHS = sql_delete(RunDataPath).where(RunDataPath.run_id == bindparam("run_id"))
_CONFIGURATION = (
    select(UserConfiguration.auto_pilot, UserConfiguration.current_experiment_type_id)
    .where(UserConfiguration.beamtime_id == bindparam("beamtime_id"))
    .order_by(UserConfiguration.id.desc())
    .limit(1)
)


async def data_paths(session: AsyncSession, run_id: int) -> list[Json]:
    rows = await core.execute(session, _DATA_PATHS, {"run_id": run_id})
    return [{"path": path, "source": source} for path, source in rows]


async def _insert_data_paths(session: AsyncSession, run_id: int, paths: Sequence[Json]) -> None:
    if paths:
        # Every row names every column (an executemany needs the same keys in each);
        # "raw" is the column's default.
        rows = [{"run_id": run_id, "source": "raw", **path} for path in paths]
        await core.execute(session, _INSERT_PATHS, rows)


async def _replace_data_paths(session: AsyncSession, run_id: int, paths: Sequence[Json]) -> None:
    await core.execute(session, _DELETE_PATHS, {"run_id": run_id})
    await _insert_data_paths(session, run_id, paths)


async def get(session: AsyncSession, beamtime_id: int, ref: RunRef) -> Json:
    run = await _get(session, beamtime_id, ref)
    attributi = await attributi_store.load(session, beamtime_id)
    return run_json(run, attributi, await data_paths(session, run.id))


async def _experiment_type_errors(
    session: AsyncSession, beamtime_id: int, values: Mapping[str, Any]
) -> list[FieldError]:
    type_id = values.get("experiment_type_id")
    if type_id is None:
        return []
    query = select(ExperimentType.id).where(
        ExperimentType.id == type_id, ExperimentType.beamtime_id == beamtime_id
    )
    if (await core.execute(session, query)).first() is not None:
        return []
    msg = f"experiment type {type_id} does not exist in beamtime {beamtime_id}"
    return [FieldError(("experiment_type_id",), msg)]


async def validate(
    session: AsyncSession,
    beamtime_id: int,
    attributi: RunAttributi,
    values: Mapping[str, Any],
    errors: list[FieldError],
) -> dict[int, Any]:
    """The stored attributi values of `values`, after checking its experiment type; one 422
    lists every problem, `errors` found by the caller included."""
    errors = errors + await _experiment_type_errors(session, beamtime_id, values)
    raw = values.get("attributi", {})
    return await attributi_store.validate(
        session, beamtime_id, attributi, raw, allow_null=True, extra_errors=errors
    )


def _stopped_errors(started: datetime, stopped: datetime | None) -> list[FieldError]:
    if stopped is not None and stopped < started:
        return [FieldError(("stopped",), "a run cannot stop before it started")]
    return []


async def _configuration(session: AsyncSession, beamtime_id: int) -> Any:
    """The current configuration's `auto_pilot` and `current_experiment_type_id`, or None."""
    return (await core.execute(session, _CONFIGURATION, {"beamtime_id": beamtime_id})).first()


async def create(
    session: AsyncSession, beamtime_id: int, values: Mapping[str, Any], *, actor: str
) -> Json:
    """Starts a run. `values` holds the fields the client sent (absent = default)."""
    await lock(session, beamtime_id)
    return await _create_locked(session, beamtime_id, values, actor=actor)


async def _create_locked(
    session: AsyncSession,
    beamtime_id: int,
    values: Mapping[str, Any],
    *,
    actor: str,
    known_free: bool = False,
) -> Json:
    attributi = await attributi_store.load(session, beamtime_id)
    now = changes.utcnow()
    started = _utc(values.get("started")) or now
    errors = _stopped_errors(started, values.get("stopped"))
    stored = await validate(session, beamtime_id, attributi, values, errors)
    configuration = await _configuration(session, beamtime_id)
    auto_pilot = configuration is not None and configuration.auto_pilot
    number = values.get("number")
    previous = None
    if number is None or auto_pilot:
        # The previous run is the one with the highest number (api.md), whatever its start.
        query = (
            select(Run.number, Run.attributi)
            .where(Run.beamtime_id == beamtime_id)
            .order_by(Run.number.desc())
            .limit(1)
        )
        previous = (await core.execute(session, query)).first()
    if number is None:
        number = previous.number + 1 if previous else 1
    elif not known_free and await find(session, beamtime_id, number):
        raise Conflict(f"run {number} already exists in beamtime {beamtime_id}")
    document = {str(key): value for key, value in stored.items() if value is not None}
    experiment_type_id = values.get("experiment_type_id")
    if configuration is not None and "experiment_type_id" not in values:
        experiment_type_id = configuration.current_experiment_type_id
    if auto_pilot and previous is not None:
        document = _auto_pilot(attributi, previous.attributi, document, given=set(stored))
    row = {
        "beamtime_id": beamtime_id,
        "number": number,
        "started": started,
        "stopped": _utc(values.get("stopped")),
        "experiment_type_id": experiment_type_id,
        "attributi": document,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    # A Core insert (the unit of work cost more than the rest of a DAQ system's PUT); the
    # transient Run only carries the values to the feed and the response.
    inserted = await core.execute(session, _INSERT_RUN, row)
    run = Run(id=inserted.inserted_primary_key[0], **row)
    paths = list(values.get("data_paths") or ())
    await _insert_data_paths(session, run.id, paths)
    await changes.record(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=number,
        action="created",
        after=snapshot(run, attributi, paths),
    )
    return run_json(run, attributi, paths)


def _auto_pilot(
    attributi: RunAttributi, previous: Mapping[str, Any], document: Json, *, given: set[int]
) -> Json:
    """Auto-pilot: the previous run's `manual` values carry over unless the client sent a
    value (or an explicit null) for them. `automatic` values describe one run only."""
    copied = {
        str(key): previous[str(key)]
        for key in attributi.manual_ids() - given
        if previous.get(str(key)) is not None
    }
    return {**copied, **document}


async def put(
    session: AsyncSession,
    beamtime_id: int,
    number: int,
    values: Mapping[str, Any],
    *,
    actor: str,
    expected_version: int | None,
) -> tuple[Json, bool]:
    """Create-or-update by number; the flag says whether the run was created."""
    if not 0 < number <= MAX_NUMBER:
        raise ValidationFailed.single(("number",), f"run numbers go from 1 to {MAX_NUMBER}")
    await lock(session, beamtime_id)
    run = await find(session, beamtime_id, number)
    if run is None:
        if expected_version is not None:
            raise PreconditionFailed(f"{describe(beamtime_id, number)} does not exist")
        created = await _create_locked(
            session, beamtime_id, {**values, "number": number}, actor=actor, known_free=True
        )
        return created, True
    updated = await _update_locked(session, run, values, actor=actor, expected=expected_version)
    return updated, False


async def update(
    session: AsyncSession,
    beamtime_id: int,
    ref: RunRef,
    values: Mapping[str, Any],
    *,
    actor: str,
    expected_version: int | None,
) -> Json:
    """Changes the fields in `values`: attributi are merged (None clears one), data paths
    replaced."""
    await lock(session, beamtime_id)
    run = await _get(session, beamtime_id, ref)
    return await _update_locked(session, run, values, actor=actor, expected=expected_version)


async def _update_locked(
    session: AsyncSession,
    run: Run,
    values: Mapping[str, Any],
    *,
    actor: str,
    expected: int | None,
) -> Json:
    check_version(run.version, expected, describe(run.beamtime_id, run.number))
    attributi = await attributi_store.load(session, run.beamtime_id)
    started = values.get("started") or run.started
    errors = _stopped_errors(started, values.get("stopped", run.stopped))
    if "started" in values and values["started"] is None:
        errors.append(FieldError(("started",), "a run's start cannot be cleared"))
    stored = await validate(session, run.beamtime_id, attributi, values, errors)
    paths = await data_paths(session, run.id)
    before = snapshot(run, attributi, paths)
    apply_values(run, values, stored)
    if "data_paths" in values:
        paths = list(values["data_paths"] or ())
    after = snapshot(run, attributi, paths)
    if before != after:
        run.updated_at = changes.utcnow()
        await _write_back(session, run)
        if before["data_paths"] != paths:
            await _replace_data_paths(session, run.id, paths)
        await changes.record_update(
            session,
            beamtime_id=run.beamtime_id,
            actor=actor,
            entity=ENTITY,
            entity_id=run.number,
            before=before,
            after=after,
        )
    return run_json(run, attributi, paths)


async def _write_back(session: AsyncSession, run: Run) -> None:
    """Stores the run's changed values and its next version, if nobody changed it since it
    was read (the beamtime lock makes that certain; the version check is the safety net)."""
    values = {f"new_{name}": getattr(run, name) for name in _WRITTEN_BACK}
    values |= {"run_id": run.id, "read_version": run.version, "new_version": run.version + 1}
    if (await core.execute(session, _WRITE_BACK, values)).rowcount != 1:
        raise PreconditionFailed(f"{describe(run.beamtime_id, run.number)} changed meanwhile")
    run.version += 1


_WRITTEN_BACK = (*_SCALAR_FIELDS, "attributi", "updated_at")
# Bound parameters may not share a column's name in an UPDATE: hence the prefixes.
_WRITE_BACK = (
    sql_update(_RUNS)
    .where(_RUNS.c.id == bindparam("run_id"), _RUNS.c.version == bindparam("read_version"))
    .values(
        {_RUNS.c[name]: bindparam(f"new_{name}") for name in _WRITTEN_BACK}
        | {_RUNS.c.version: bindparam("new_version")}
    )
)


def apply_values(run: Run, values: Mapping[str, Any], stored: Mapping[int, Any]) -> None:
    """Sets the sent scalar fields and merges validated attributi into the run's document."""
    for name in _SCALAR_FIELDS:
        if name in values:
            value = values[name]
            setattr(run, name, _utc(value) if isinstance(value, datetime) else value)
    if stored:
        # A new dict (not an in-place change) so that the ORM sees the JSON column change.
        document = dict(run.attributi)
        for key, value in stored.items():
            if value is None:
                document.pop(str(key), None)
            else:
                document[str(key)] = value
        run.attributi = document


async def stop(session: AsyncSession, beamtime_id: int, ref: RunRef, *, actor: str) -> Json:
    """Sets `stopped` to now. A run that has stopped keeps its first stop time, so that a
    control system repeating the call does not move it."""
    await lock(session, beamtime_id)
    run = await _get(session, beamtime_id, ref)
    if run.stopped is not None:
        attributi = await attributi_store.load(session, beamtime_id)
        return run_json(run, attributi, await data_paths(session, run.id))
    now = changes.utcnow()
    return await _update_locked(
        session, run, {"stopped": max(now, run.started)}, actor=actor, expected=None
    )


async def delete(
    session: AsyncSession,
    beamtime_id: int,
    ref: RunRef,
    *,
    actor: str,
    expected_version: int | None,
) -> None:
    await lock(session, beamtime_id)
    run = await _get(session, beamtime_id, ref)
    check_version(run.version, expected_version, describe(beamtime_id, run.number))
    attributi = await attributi_store.load(session, beamtime_id)
    before = snapshot(run, attributi, await data_paths(session, run.id))
    await changes.record(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=run.number,
        action="deleted",
        before=before,
    )
    # Its data paths go with it (ON DELETE CASCADE).
    await core.execute(session, sql_delete(Run).where(Run.id == run.id, Run.version == run.version))
