"""Attributi: the typed, user-defined columns of the runs and chemicals of one beamtime."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Attributo
from amarcord.domain.attributo_types import (
    AssociatedTable,
    AttributoType,
    attributo_type_to_json,
    check_kind_allowed,
    parse_attributo_type,
)
from amarcord.domain.conversion import convert_value
from amarcord.domain.errors import Conflict, NotFound, ValidationFailed
from amarcord.domain.values import AttributoInfo, value_to_json
from amarcord.store import attributi_cache, changes, value_rewrites
from amarcord.store.beamtimes import check_version, lock, lock_and_get

ENTITY = "attributo"
# The run's own fields: an attributo of the same name would be ambiguous in filters and sorting.
RUN_BUILT_INS = frozenset({"number", "started", "stopped", "experiment_type"})
_TYPE_LOC = ("body", "type", "kind")


@dataclass(frozen=True)
class AttributoPage:
    items: list[Attributo]
    total: int
    has_more: bool


def type_of(row: Attributo) -> AttributoType:
    return parse_attributo_type(row.type)


def table_of(row: Attributo) -> AssociatedTable:
    return "run" if row.associated_table == "run" else "chemical"


def info_of(row: Attributo) -> AttributoInfo:
    return AttributoInfo(id=row.id, name=row.name, type=type_of(row), group=row.group)


def snapshot(row: Attributo) -> dict[str, Any]:
    """The attributo's fields as JSON values, for the change feed."""
    return {
        "name": row.name,
        "description": row.description,
        "group": row.group,
        "associated_table": row.associated_table,
        "type": row.type,
    }


def named_values(
    infos_by_id: Mapping[int, AttributoInfo], document: Mapping[str, Any]
) -> dict[str, Any]:
    """A stored document (keyed by attributo id) as the API shows it (keyed by name)."""
    named: dict[str, Any] = {}
    for key, stored in document.items():
        info = infos_by_id.get(int(key))
        if info is not None and stored is not None:
            named[info.name] = value_to_json(info.type, stored)
    return named


def _feed(row: Attributo, actor: str) -> dict[str, Any]:
    """The change-feed fields every change of this attributo shares."""
    return {"beamtime_id": row.beamtime_id, "actor": actor, "entity": ENTITY, "entity_id": row.id}


async def get(session: AsyncSession, beamtime_id: int, attributo_id: int) -> Attributo:
    row = await session.get(Attributo, attributo_id)
    if row is None or row.beamtime_id != beamtime_id:
        raise NotFound(f"attributo {attributo_id} does not exist in beamtime {beamtime_id}")
    return row


def _ordered() -> tuple[Any, ...]:
    return (Attributo.associated_table, Attributo.position, Attributo.id)


async def of_beamtime(
    session: AsyncSession, beamtime_id: int, table: AssociatedTable | None = None
) -> list[Attributo]:
    """The beamtime's attributi (of one table, if given), ordered by table and position."""
    query = select(Attributo).where(Attributo.beamtime_id == beamtime_id)
    if table is not None:
        query = query.where(Attributo.associated_table == table)
    return list(await session.scalars(query.order_by(*_ordered())))


async def infos_by_name(
    session: AsyncSession, beamtime_id: int, table: AssociatedTable
) -> dict[str, AttributoInfo]:
    """What `domain.values.validate_values` needs: the table's attributi keyed by name."""
    return {row.name: info_of(row) for row in await of_beamtime(session, beamtime_id, table)}


async def infos_by_id(
    session: AsyncSession, beamtime_id: int, table: AssociatedTable
) -> dict[int, AttributoInfo]:
    """The table's attributi keyed by id, to turn stored documents into name-keyed values."""
    return {row.id: info_of(row) for row in await of_beamtime(session, beamtime_id, table)}


async def list_page(
    session: AsyncSession,
    beamtime_id: int,
    *,
    table: AssociatedTable | None,
    limit: int,
    after: tuple[str, int, int] | None,
) -> AttributoPage:
    scope = [Attributo.beamtime_id == beamtime_id]
    if table is not None:
        scope.append(Attributo.associated_table == table)
    query = select(Attributo).where(*scope).order_by(*_ordered())
    if after is not None:
        query = query.where(tuple_(*_ordered()) > tuple_(*after))
    rows = list((await session.scalars(query.limit(limit + 1))).all())
    total = await session.scalar(select(func.count()).select_from(Attributo).where(*scope)) or 0
    return AttributoPage(items=rows[:limit], total=total, has_more=len(rows) > limit)


async def _check_name(
    session: AsyncSession,
    beamtime_id: int,
    table: str,
    name: str,
    *,
    loc: tuple[str | int, ...] = ("body", "name"),
    exclude_id: int | None = None,
) -> None:
    key = name.casefold()
    if table == "run" and key in RUN_BUILT_INS:
        raise ValidationFailed.single(loc, f"{name!r} is a built-in field of runs")
    clash = select(Attributo.name).where(
        Attributo.beamtime_id == beamtime_id,
        Attributo.associated_table == table,
        Attributo.name_key == key,
    )
    if exclude_id is not None:
        clash = clash.where(Attributo.id != exclude_id)
    existing = await session.scalar(clash)
    if existing is not None:
        raise Conflict(f"the {table} attributo {existing!r} already exists in this beamtime")


async def insert(
    session: AsyncSession,
    beamtime_id: int,
    values: dict[str, Any],
    attributo_type: AttributoType,
    *,
    actor: str,
    name_loc: tuple[str | int, ...] = ("body", "name"),
) -> Attributo:
    """Adds an attributo to a beamtime the caller has locked already."""
    # First: nothing read in this transaction from here on may be kept (attributi_cache).
    await attributi_cache.bump(session, beamtime_id)
    table = values["associated_table"]
    check_kind_allowed(table, attributo_type, _TYPE_LOC)
    await _check_name(session, beamtime_id, table, values["name"], loc=name_loc)
    last = select(func.max(Attributo.position)).where(
        Attributo.beamtime_id == beamtime_id, Attributo.associated_table == table
    )
    row = Attributo(
        beamtime_id=beamtime_id,
        name_key=values["name"].casefold(),
        type=attributo_type_to_json(attributo_type),
        position=(await session.scalar(last) or 0) + 1,
        **values,
    )
    session.add(row)
    await session.flush()
    await changes.record(session, **_feed(row, actor), action="created", after=snapshot(row))
    return row


async def create(
    session: AsyncSession,
    beamtime_id: int,
    values: dict[str, Any],
    attributo_type: AttributoType,
    *,
    actor: str,
) -> Attributo:
    await lock(session, beamtime_id)
    return await insert(session, beamtime_id, values, attributo_type, actor=actor)


async def update(
    session: AsyncSession,
    beamtime_id: int,
    attributo_id: int,
    values: dict[str, Any],
    *,
    new_type: AttributoType | None,
    ignore_units: bool,
    actor: str,
    expected_version: int | None,
) -> Attributo:
    """Renames, describes and retypes; a new type converts every stored value first and
    fails, changing nothing, when any of them has no form in the new type."""
    beamtime = await lock_and_get(session, beamtime_id)
    await attributi_cache.bump(session, beamtime_id)
    row = await get(session, beamtime_id, attributo_id)
    check_version(row.version, expected_version, f"attributo {attributo_id}")
    if "name" in values:
        await _check_name(
            session, beamtime_id, row.associated_table, values["name"], exclude_id=row.id
        )
    before = snapshot(row)
    old_type = type_of(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.name_key = row.name.casefold()
    rewritten: list[value_rewrites.RowRewrite] = []
    if new_type is not None and attributo_type_to_json(new_type) != row.type:
        check_kind_allowed(table_of(row), new_type, _TYPE_LOC)
        convert = partial(
            convert_value,
            old_type,
            new_type,
            ignore_units=ignore_units,
            default_tz=ZoneInfo(beamtime.timezone),
        )
        rewrite = value_rewrites.Rewrite(row.id, row.name, old_type, new_type, convert)
        rewritten = await value_rewrites.prepare(
            session, beamtime_id, value_rewrites.holders_of(row.associated_table), [rewrite]
        )
        row.type = attributo_type_to_json(new_type)
    after = snapshot(row)
    if before != after:
        await session.flush()
        await changes.record_update(session, **_feed(row, actor), before=before, after=after)
        await value_rewrites.apply(session, beamtime_id, rewritten, actor=actor)
    return row


async def delete(
    session: AsyncSession,
    beamtime_id: int,
    attributo_id: int,
    *,
    actor: str,
    expected_version: int | None,
) -> None:
    """Removes the attributo and its values from every document; the change feed gets an
    `updated` row for each run, chemical and data set that lost a value (the audit trail
    keeps what it was). Experiment types lose it through their foreign key."""
    await lock(session, beamtime_id)
    await attributi_cache.bump(session, beamtime_id)
    row = await get(session, beamtime_id, attributo_id)
    check_version(row.version, expected_version, f"attributo {attributo_id}")
    t = type_of(row)
    rewrite = value_rewrites.Rewrite(row.id, row.name, t, t, value_rewrites.unset)
    holders = value_rewrites.holders_of(row.associated_table)
    rewritten = await value_rewrites.prepare(session, beamtime_id, holders, [rewrite])
    await changes.record(session, **_feed(row, actor), action="deleted", before=snapshot(row))
    await session.delete(row)
    await value_rewrites.apply(session, beamtime_id, rewritten, actor=actor)
