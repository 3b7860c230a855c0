"""The run listing: filter, ranges, day, experiment type, sort and keyset pages, all in SQL.

The full table (10,000 runs x 30 attributi) must come back in a fraction of a second, so this
path avoids per-row overhead: Core selects of the needed columns (no ORM objects), the
attributi documents fetched as raw JSON text and parsed by orjson, one id-to-name map for the
whole table, and the data paths of every listed run in one more query."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Beamtime, ExperimentType, Run, RunDataPath
from amarcord.domain.errors import NotFound
from amarcord.domain.filter_language import (
    CheckedExpr,
    FilterError,
    check_filter,
    parse_filter,
    run_filter_fields,
)
from amarcord.domain.run_ranges import merge_run_ranges
from amarcord.store import core, data_sets
from amarcord.store import run_attributi as attributi_store
from amarcord.store.run_attributi import RunAttributi
from amarcord.store.run_json_sql import JsonSql, SqlBool, json_sql
from amarcord.store.run_query import (
    FilterContext,
    SortKey,
    comparisons,
    in_ranges,
    parse_ranges,
    sort_key,
)

Json = dict[str, Any]
# Above this many runs on a page, their data paths are selected with the page's conditions
# rather than with a list of ids.
_MAX_IDS = 1000


@dataclass(frozen=True)
class ListParams:
    filter: str | None = None
    runs: str | None = None
    day: date | None = None
    experiment_type_id: int | None = None
    data_set_id: int | None = None
    sort: str = "-number"
    limit: int | None = 100  # None: all
    after: Mapping[str, Any] | None = None  # a page's `next_position`


@dataclass(frozen=True)
class RunPage:
    """A page of runs, kept as database rows until `chunks` turns them into API objects a
    slice at a time (a full table of dicts would hold about 30 MB per request at once).
    Timestamps are naive UTC datetimes here: converting 40,000 of them to aware ones is a
    noticeable part of the full table's time, and the encoder can mark them as UTC."""

    rows: Sequence[Any]
    attributi: RunAttributi
    paths: Mapping[int, list[Json]]
    total: int
    next_position: dict[str, Any] | None  # {"value": sort value, "number": run number}

    def chunks(self, size: int) -> Iterator[list[Json]]:
        for first in range(0, len(self.rows), size):
            yield _items(self.rows[first : first + size], self.attributi, self.paths)

    @property
    def items(self) -> list[Json]:
        return [item for chunk in self.chunks(len(self.rows) or 1) for item in chunk]


async def list_runs(
    session: AsyncSession, beamtime_id: int, params: ListParams, *, dialect_kind: str
) -> RunPage:
    beamtime = await session.get(Beamtime, beamtime_id)
    if beamtime is None:
        raise NotFound(f"beamtime {beamtime_id} does not exist")
    attributi = await attributi_store.load(session, beamtime_id)
    sql = json_sql(dialect_kind)
    fields = run_filter_fields(attributi.filter_fields())
    conditions = [Run.beamtime_id == beamtime_id]
    if params.filter is not None:
        checked = _checked_filter(params.filter, fields)
        if checked is not None:
            context = await filter_context(session, beamtime_id, sql, checked)
            conditions.append(context.compile(checked))
    conditions += _parameter_conditions(params, beamtime.timezone)
    if params.data_set_id is not None:
        numbers = await data_sets.run_numbers_in_data_set(session, beamtime_id, params.data_set_id)
        ranges = merge_run_ranges((n, n) for n in numbers)
        conditions.append(in_ranges(ranges) if ranges else false())
    key = sort_key(params.sort, fields, sql)
    return await _page(
        session, attributi=attributi, conditions=conditions, key=key, params=params, sql=sql
    )


def _checked_filter(text: str, fields: Mapping[str, Any]) -> CheckedExpr | None:
    try:
        expr = parse_filter(text)
        return None if expr is None else check_filter(expr, fields)
    except FilterError as error:
        raise error.as_validation_failed(("query", "filter")) from None


async def filter_context(
    session: AsyncSession, beamtime_id: int, sql: JsonSql, checked: CheckedExpr | None = None
) -> FilterContext:
    """The names that `checked` compares with (all of them when `checked` is None)."""
    kinds = {(c.spec.key == "experiment_type", c.spec.kind) for c in comparisons(checked)}
    experiment_types: dict[int, str] = {}
    chemicals: dict[int, str] = {}
    if checked is None or (True, "string") in kinds:
        rows = await session.execute(
            select(ExperimentType.id, ExperimentType.name).where(
                ExperimentType.beamtime_id == beamtime_id
            )
        )
        experiment_types = {id_: name for id_, name in rows}  # noqa: C416 (rows are Row objects)
    if checked is None or (False, "chemical") in kinds:
        chemicals = await attributi_store.chemical_names_by_id(session, beamtime_id)
    return FilterContext(sql, experiment_types, chemicals)


def _parameter_conditions(params: ListParams, timezone: str) -> list[SqlBool]:
    conditions: list[SqlBool] = []
    if params.runs is not None:
        conditions.append(in_ranges(parse_ranges(params.runs, ("query", "runs"))))
    if params.day is not None:
        start, end = day_bounds(params.day, timezone)
        conditions += [Run.started >= start, Run.started < end]
    if params.experiment_type_id is not None:
        conditions.append(Run.experiment_type_id == params.experiment_type_id)
    return conditions


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants at which `day` starts and ends in `timezone` (23 or 25 hours apart
    on the days daylight saving time changes)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    return start, end


async def _page(
    session: AsyncSession,
    *,
    attributi: RunAttributi,
    conditions: list[SqlBool],
    key: SortKey,
    params: ListParams,
    sql: JsonSql,
) -> RunPage:
    paged = [*conditions]
    if params.after is not None:
        paged.append(key.after(params.after["value"], params.after["number"]))
    if key.by_number or params.limit is None:
        query = _columns(sql, key.value).where(*paged).order_by(*key.order_by())
        if params.limit is not None:
            query = query.limit(params.limit + 1)
        long = params.limit is None or params.limit > _MAX_IDS or len(conditions) > 1
        rows: Sequence[Any] = (await core.execute(session, query, long=long)).all()
        total = None
    else:
        rows, total = await _sorted_by_value(session, paged, key, params, sql)
    has_more = params.limit is not None and len(rows) > params.limit
    if has_more:
        rows = rows[: params.limit]
    if total is None:
        if params.after is None and not has_more:
            total = len(rows)
        else:
            count = select(func.count()).select_from(Run).where(*conditions)
            total = (await core.execute(session, count, long=True)).scalar() or 0
    paths = await _data_paths(session, [row[0] for row in rows], conditions)
    next_position = None
    if has_more:
        last = rows[-1]
        next_position = {"value": key.cursor_value(last[9]), "number": last[1]}
    return RunPage(rows, attributi, paths, total, next_position)


def _columns(sql: JsonSql, sort_value: Any) -> Any:
    return select(
        Run.id,
        Run.number,
        sql.timestamp(Run.started),
        sql.timestamp(Run.stopped),
        Run.experiment_type_id,
        sql.raw_document(),
        Run.version,
        sql.timestamp(Run.created_at),
        sql.timestamp(Run.updated_at),
        sort_value,
    )


async def _sorted_by_value(
    session: AsyncSession, paged: list[SqlBool], key: SortKey, params: ListParams, sql: JsonSql
) -> tuple[Sequence[Any], int | None]:
    """Sorting by a value: first the ids in order, then the page's rows. Sorting only ids
    keeps the attributi documents out of the database's sorter. A first page fetches every
    matching id, so the total comes from the same scan (a window count would double it)."""
    first_page = params.after is None
    limit = (params.limit or 0) + 1
    query = select(Run.id).where(*paged).order_by(*key.order_by())
    if not first_page:
        query = query.limit(limit)
    ids = list((await core.execute(session, query, long=True)).scalars())
    total = len(ids) if first_page else None
    ids = ids[:limit]
    if not ids:
        return [], total
    position = {id_: index for index, id_ in enumerate(ids)}
    fetched = await core.execute(session, _columns(sql, key.value).where(Run.id.in_(ids)))
    return sorted(fetched.all(), key=lambda row: position[row[0]]), total


async def _data_paths(
    session: AsyncSession, run_ids: list[int], conditions: list[SqlBool]
) -> dict[int, list[Json]]:
    if not run_ids:
        return {}
    query = select(RunDataPath.run_id, RunDataPath.path, RunDataPath.source).order_by(
        RunDataPath.id
    )
    if len(run_ids) <= _MAX_IDS:
        query = query.where(RunDataPath.run_id.in_(run_ids))
    else:
        query = query.where(RunDataPath.run_id.in_(select(Run.id).where(*conditions)))
    paths: dict[int, list[Json]] = {}
    for run_id, path, source in await core.execute(session, query, long=len(run_ids) > _MAX_IDS):
        paths.setdefault(run_id, []).append({"path": path, "source": source})
    return paths


def _items(rows: Any, attributi: RunAttributi, paths: Mapping[int, list[Json]]) -> list[Json]:
    # The hot loop of the full table: locals, one dict literal per run, nothing else.
    loads = orjson.loads
    to_names = attributi.rename
    no_paths: list[Json] = []
    return [
        {
            "number": number,
            "started": started,
            "stopped": stopped,
            "experiment_type_id": experiment_type_id,
            "attributi": to_names(loads(document)),
            "data_paths": paths.get(run_id, no_paths),
            "version": version,
            "created_at": created_at,
            "updated_at": updated_at,
        }
        for (
            run_id,
            number,
            started,
            stopped,
            experiment_type_id,
            document,
            version,
            created_at,
            updated_at,
            _,
        ) in rows
    ]
