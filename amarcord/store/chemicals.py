"""Chemicals: the samples of a beamtime, with typed attributi and attached files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Beamtime, Chemical, ChemicalFile, File
from amarcord.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from amarcord.domain.limits import exceeds_int64
from amarcord.domain.values import AttributoInfo, StoredValue, validate_values
from amarcord.store import attributi, changes, chemical_references
from amarcord.store.beamtimes import check_version, lock, lock_and_get

ENTITY = "chemical"


@dataclass(frozen=True)
class ChemicalRecord:
    """A chemical as clients see it: values keyed by attributo name, file ids ascending."""

    id: int
    name: str
    responsible_person: str
    attributi: dict[str, Any]
    file_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ChemicalPage:
    items: list[ChemicalRecord]
    total: int
    has_more: bool


def snapshot(
    row: Chemical, infos_by_id: Mapping[int, AttributoInfo], file_ids: Sequence[int]
) -> dict[str, Any]:
    """The chemical's fields as JSON values, for the change feed (attributi by name)."""
    return {
        "name": row.name,
        "responsible_person": row.responsible_person,
        "attributi": attributi.named_values(infos_by_id, row.attributi or {}),
        "file_ids": sorted(file_ids),
    }


async def file_ids_of(session: AsyncSession, chemical_ids: Iterable[int]) -> dict[int, list[int]]:
    wanted = list(chemical_ids)
    result: dict[int, list[int]] = {chemical_id: [] for chemical_id in wanted}
    if wanted:
        rows = await session.execute(
            select(ChemicalFile.chemical_id, ChemicalFile.file_id)
            .where(ChemicalFile.chemical_id.in_(wanted))
            .order_by(ChemicalFile.file_id)
        )
        for chemical_id, file_id in rows:
            result[chemical_id].append(file_id)
    return result


async def records(
    session: AsyncSession, beamtime_id: int, rows: Sequence[Chemical]
) -> list[ChemicalRecord]:
    infos = await attributi.infos_by_id(session, beamtime_id, "chemical")
    files = await file_ids_of(session, (row.id for row in rows))
    return [
        ChemicalRecord(
            id=row.id,
            name=row.name,
            responsible_person=row.responsible_person,
            attributi=attributi.named_values(infos, row.attributi or {}),
            file_ids=files[row.id],
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        for row in rows
    ]


async def _row(session: AsyncSession, beamtime_id: int, chemical_id: int) -> Chemical:
    row = await session.get(Chemical, chemical_id)
    if row is None or row.beamtime_id != beamtime_id:
        raise NotFound(f"chemical {chemical_id} does not exist in beamtime {beamtime_id}")
    return row


def _feed(row: Chemical, actor: str) -> dict[str, Any]:
    """The change-feed fields every change of this chemical shares."""
    return {"beamtime_id": row.beamtime_id, "actor": actor, "entity": ENTITY, "entity_id": row.id}


async def get(session: AsyncSession, beamtime_id: int, chemical_id: int) -> ChemicalRecord:
    (record,) = await records(session, beamtime_id, [await _row(session, beamtime_id, chemical_id)])
    return record


async def list_page(
    session: AsyncSession, beamtime_id: int, *, limit: int, after: tuple[str, int] | None
) -> ChemicalPage:
    """Ordered by name, case-insensitively."""
    scope = Chemical.beamtime_id == beamtime_id
    query = select(Chemical).where(scope).order_by(Chemical.name_key, Chemical.id)
    if after is not None:
        query = query.where(tuple_(Chemical.name_key, Chemical.id) > tuple_(*after))
    rows = list((await session.scalars(query.limit(limit + 1))).all())
    total = await session.scalar(select(func.count()).select_from(Chemical).where(scope)) or 0
    items = await records(session, beamtime_id, rows[:limit])
    return ChemicalPage(items=items, total=total, has_more=len(rows) > limit)


async def check_name(
    session: AsyncSession, beamtime_id: int, name: str, *, exclude_id: int | None = None
) -> None:
    clash = select(Chemical.name).where(
        Chemical.beamtime_id == beamtime_id, Chemical.name_key == name.casefold()
    )
    if exclude_id is not None:
        clash = clash.where(Chemical.id != exclude_id)
    existing = await session.scalar(clash)
    if existing is not None:
        raise Conflict(f"the chemical {existing!r} already exists in this beamtime")


def _oversized_integers(raw: Mapping[str, object]) -> list[FieldError]:
    return [
        FieldError(("attributi", name), "integers are limited to 64 bits")
        for name, value in raw.items()
        if exceeds_int64(value)
    ]


async def _file_errors(
    session: AsyncSession, beamtime_id: int, file_ids: Sequence[int]
) -> list[FieldError]:
    if not file_ids:
        return []
    known = set(
        await session.scalars(
            select(File.id).where(File.beamtime_id == beamtime_id, File.id.in_(set(file_ids)))
        )
    )
    return [
        FieldError(("body", "file_ids", index), f"there is no file {file_id} in this beamtime")
        for index, file_id in enumerate(file_ids)
        if file_id not in known
    ]


async def _checked(
    session: AsyncSession,
    beamtime: Beamtime,
    raw: Mapping[str, object],
    file_ids: Sequence[int] | None,
    *,
    allow_null: bool,
) -> dict[int, StoredValue | None]:
    """The stored values of `raw`; one ValidationFailed lists every bad value and file id."""
    errors = _oversized_integers(raw)
    oversized = {error.loc[-1] for error in errors}
    errors += await _file_errors(session, beamtime.id, file_ids or ())
    infos = await attributi.infos_by_name(session, beamtime.id, "chemical")
    values: dict[int, StoredValue | None] = {}
    try:
        values = validate_values(
            infos,
            {name: value for name, value in raw.items() if name not in oversized},
            loc=("attributi",),
            known_chemical_ids=None,
            default_tz=ZoneInfo(beamtime.timezone),
            allow_null=allow_null,
        )
    except ValidationFailed as failure:
        errors += failure.errors
    if errors:
        raise ValidationFailed(f"{len(errors)} invalid field(s)", errors)
    return values


def merged(document: Mapping[str, Any], values: Mapping[int, StoredValue | None]) -> dict[str, Any]:
    """`document` with `values` set; None removes a value."""
    result = dict(document)
    for attributo_id, value in values.items():
        if value is None:
            result.pop(str(attributo_id), None)
        else:
            result[str(attributo_id)] = value
    return result


def link_files(session: AsyncSession, chemical_id: int, file_ids: Iterable[int]) -> list[int]:
    """Attaches the files (a repeated id counts once); returns the ids ascending."""
    unique = sorted(set(file_ids))
    session.add_all(ChemicalFile(chemical_id=chemical_id, file_id=f) for f in unique)
    return unique


async def insert(
    session: AsyncSession,
    beamtime_id: int,
    values: Mapping[str, Any],
    document: dict[str, Any],
    *,
    actor: str,
) -> Chemical:
    """Adds a chemical whose name and values the caller has checked, in a locked beamtime."""
    now = changes.utcnow()
    row = Chemical(
        beamtime_id=beamtime_id,
        name=values["name"],
        name_key=values["name"].casefold(),
        responsible_person=values["responsible_person"],
        attributi=document,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    file_ids = link_files(session, row.id, values["file_ids"])
    infos = await attributi.infos_by_id(session, beamtime_id, "chemical")
    await changes.record(
        session, **_feed(row, actor), action="created", after=snapshot(row, infos, file_ids)
    )
    await session.flush()
    return row


async def create(
    session: AsyncSession, beamtime_id: int, values: dict[str, Any], *, actor: str
) -> ChemicalRecord:
    beamtime = await lock_and_get(session, beamtime_id)
    stored = await _checked(
        session, beamtime, values["attributi"], values["file_ids"], allow_null=True
    )
    await check_name(session, beamtime_id, values["name"])
    row = await insert(session, beamtime_id, values, merged({}, stored), actor=actor)
    return await get(session, beamtime_id, row.id)


async def update(
    session: AsyncSession,
    beamtime_id: int,
    chemical_id: int,
    values: dict[str, Any],
    *,
    actor: str,
    expected_version: int | None,
) -> ChemicalRecord:
    """Changes the fields sent: attributi are merged (null clears one), file_ids replaced."""
    beamtime = await lock_and_get(session, beamtime_id)
    row = await _row(session, beamtime_id, chemical_id)
    check_version(row.version, expected_version, f"chemical {chemical_id}")
    new_files = values.get("file_ids")
    stored = await _checked(
        session, beamtime, values.get("attributi") or {}, new_files, allow_null=True
    )
    if "name" in values:
        await check_name(session, beamtime_id, values["name"], exclude_id=row.id)
    infos = await attributi.infos_by_id(session, beamtime_id, "chemical")
    old_files = (await file_ids_of(session, [row.id]))[row.id]
    before = snapshot(row, infos, old_files)
    row.attributi = merged(row.attributi or {}, stored)
    for name in ("name", "responsible_person"):
        if name in values:
            setattr(row, name, values[name])
    row.name_key = row.name.casefold()
    files = old_files if new_files is None else sorted(set(new_files))
    after = snapshot(row, infos, files)
    if before != after:
        # One flush, so that the version goes up once however many things changed.
        row.updated_at = changes.utcnow()
        await session.flush()
        if files != old_files:
            await session.execute(
                sql_delete(ChemicalFile).where(ChemicalFile.chemical_id == row.id)
            )
            link_files(session, row.id, files)
        await changes.record_update(session, **_feed(row, actor), before=before, after=after)
    return await get(session, beamtime_id, row.id)


async def delete(
    session: AsyncSession,
    beamtime_id: int,
    chemical_id: int,
    *,
    actor: str,
    force: bool,
    expected_version: int | None,
) -> None:
    """409 while runs or data sets refer to the chemical. With `force`, the runs' values are
    cleared and the data sets deleted: a data set is defined by its values, and one whose
    sample is gone no longer describes anything."""
    await lock(session, beamtime_id)
    row = await _row(session, beamtime_id, chemical_id)
    check_version(row.version, expected_version, f"chemical {chemical_id}")
    references = await chemical_references.find(session, beamtime_id, chemical_id)
    if references and not force:
        raise Conflict(
            f"chemical {row.name!r} is used by {references.describe()}; "
            "delete with force=true to clear those values and delete those data sets"
        )
    infos = await attributi.infos_by_id(session, beamtime_id, "chemical")
    files = (await file_ids_of(session, [row.id]))[row.id]
    await changes.record(
        session, **_feed(row, actor), action="deleted", before=snapshot(row, infos, files)
    )
    await chemical_references.detach(session, beamtime_id, references, actor=actor)
    await session.delete(row)
