"""Copying chemicals from another beamtime (usually an earlier one of the same group).

Values travel by attributo name, since ids differ between beamtimes; a value whose target
attributo has another type is converted like a retype would (units included). Files belong
to one beamtime, so attached files are copied too: the target links to its own file with the
same content if it has one, otherwise the file row is copied and its chunks are copied inside
the database (INSERT ... SELECT), never through this process."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from amarcord.db.models import Attributo, Beamtime, Chemical, File, FileChunk
from amarcord.domain.attributo_types import attributo_type_to_json
from amarcord.domain.conversion import ConversionError, conversion_problem, convert_value
from amarcord.domain.errors import ErrorCollector, ValidationFailed
from amarcord.domain.values import AttributoInfo, StoredValue
from amarcord.store import attributi, changes, chemicals, files
from amarcord.store.beamtimes import lock_and_get
from amarcord.store.value_rewrites import table_of


@dataclass(frozen=True)
class CopyResult:
    chemicals: list[chemicals.ChemicalRecord]
    created_attributi: list[Attributo]


async def _sources(
    session: AsyncSession, from_beamtime_id: int, chemical_ids: Sequence[int]
) -> list[Chemical]:
    if await session.get(Beamtime, from_beamtime_id) is None:
        raise ValidationFailed.single(
            ("body", "from_beamtime_id"), f"beamtime {from_beamtime_id} does not exist"
        )
    rows = await session.scalars(
        select(Chemical).where(
            Chemical.beamtime_id == from_beamtime_id, Chemical.id.in_(set(chemical_ids))
        )
    )
    by_id = {row.id: row for row in rows}
    errors = ErrorCollector()
    for index, chemical_id in enumerate(chemical_ids):
        if chemical_id not in by_id:
            msg = f"there is no chemical {chemical_id} in beamtime {from_beamtime_id}"
            errors.add(("body", "chemical_ids", index), msg)
    errors.raise_if_any()
    # A repeated id is copied once.
    return list({chemical_id: by_id[chemical_id] for chemical_id in chemical_ids}.values())


def _targets(
    used: Iterable[AttributoInfo],
    existing: Mapping[str, AttributoInfo],
    *,
    create_missing: bool,
    beamtime_id: int,
) -> list[AttributoInfo]:
    """The source attributi the target lacks; 422 for those it may not create or that have
    a type the values cannot be converted to."""
    missing: list[AttributoInfo] = []
    errors = ErrorCollector()
    for info in used:
        target = existing.get(info.name.casefold())
        if target is None:
            missing.append(info)
            if not create_missing:
                msg = (
                    f"beamtime {beamtime_id} has no chemical attributo {info.name!r}; "
                    "copy with create_missing_attributi=true to create it"
                )
                errors.add(("attributi", info.name), msg, "missing_attributo")
            continue
        problem = conversion_problem(info.type, target.type)
        if problem is not None:
            errors.add(("attributi", info.name), problem, "incompatible_attributo")
    errors.raise_if_any("the chemicals' attributi do not fit the target beamtime")
    return missing


def _converted(
    source: Chemical,
    source_infos: Mapping[int, AttributoInfo],
    targets: Mapping[str, AttributoInfo],
    tz: ZoneInfo,
    errors: ErrorCollector,
) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, stored in (source.attributi or {}).items():
        info = source_infos.get(int(key))
        if info is None:
            continue
        target = targets[info.name.casefold()]
        value: StoredValue | None = stored
        if attributo_type_to_json(info.type) != attributo_type_to_json(target.type):
            try:
                value = convert_value(
                    info.type, target.type, stored, ignore_units=False, default_tz=tz
                )
            except ConversionError as e:
                errors.add(("chemicals", source.name, info.name), str(e))
                continue
        if value is not None:
            document[str(target.id)] = value
    return document


async def _copy_files(
    session: AsyncSession, file_ids: set[int], beamtime_id: int, actor: str
) -> dict[int, int]:
    """Source file id → the target beamtime's file with the same content."""
    if not file_ids:
        return {}
    sources = list(
        await session.scalars(
            select(File).where(File.id.in_(sorted(file_ids))).options(undefer(File.thumbnail))
        )
    )
    same_content = select(File.sha256, File.id).where(
        File.beamtime_id == beamtime_id, File.sha256.in_([f.sha256 for f in sources])
    )
    existing = {row.sha256: row.id for row in await session.execute(same_content)}
    chunk_table = table_of(FileChunk)
    chunks = chunk_table.c
    mapping: dict[int, int] = {}
    for source in sources:
        if source.sha256 in existing:
            mapping[source.id] = existing[source.sha256]
            continue
        copy = File(
            beamtime_id=beamtime_id,
            created_at=changes.utcnow(),
            thumbnail=source.thumbnail,
            **files.snapshot(source),
        )
        session.add(copy)
        await session.flush()
        content = select(literal(copy.id, Integer), chunks.chunk_index, chunks.data).where(
            chunks.file_id == source.id
        )
        await session.execute(
            insert(chunk_table).from_select(
                [chunks.file_id, chunks.chunk_index, chunks.data], content
            )
        )
        await changes.record(
            session,
            beamtime_id=beamtime_id,
            actor=actor,
            entity=files.ENTITY,
            entity_id=copy.id,
            action="created",
            after=files.snapshot(copy),
        )
        mapping[source.id] = copy.id
    return mapping


async def copy(
    session: AsyncSession,
    beamtime_id: int,
    *,
    from_beamtime_id: int,
    chemical_ids: Sequence[int],
    create_missing_attributi: bool,
    actor: str,
) -> CopyResult:
    target = await lock_and_get(session, beamtime_id)
    sources = await _sources(session, from_beamtime_id, chemical_ids)
    source_infos = await attributi.infos_by_id(session, from_beamtime_id, "chemical")
    used_ids = sorted(
        {int(key) for source in sources for key in source.attributi or {}}.intersection(
            source_infos
        )
    )
    existing = {
        info.name.casefold(): info
        for info in (await attributi.infos_by_id(session, beamtime_id, "chemical")).values()
    }
    missing = _targets(
        (source_infos[i] for i in used_ids),
        existing,
        create_missing=create_missing_attributi,
        beamtime_id=beamtime_id,
    )
    for source in sources:
        await chemicals.check_name(session, beamtime_id, source.name)
    created = [await _create_like(session, beamtime_id, info, actor) for info in missing]
    targets = {**existing, **{row.name_key: attributi.info_of(row) for row in created}}
    errors = ErrorCollector()
    tz = ZoneInfo(target.timezone)
    documents = [_converted(s, source_infos, targets, tz, errors) for s in sources]
    errors.raise_if_any("some values cannot be converted to the target's attributi")
    linked = await chemicals.file_ids_of(session, (s.id for s in sources))
    file_map = await _copy_files(
        session, {f for ids in linked.values() for f in ids}, beamtime_id, actor
    )
    new_ids = []
    for source, document in zip(sources, documents, strict=True):
        row = await chemicals.insert(
            session,
            beamtime_id,
            {
                "name": source.name,
                "responsible_person": source.responsible_person,
                "file_ids": [file_map[f] for f in linked[source.id]],
            },
            document,
            actor=actor,
        )
        new_ids.append(row.id)
    return CopyResult(
        chemicals=[await chemicals.get(session, beamtime_id, i) for i in new_ids],
        created_attributi=created,
    )


async def _create_like(
    session: AsyncSession, beamtime_id: int, info: AttributoInfo, actor: str
) -> Attributo:
    source = await session.get(Attributo, info.id)
    assert source is not None
    values = {
        "name": source.name,
        "description": source.description,
        "group": source.group,
        "associated_table": "chemical",
    }
    return await attributi.insert(
        session, beamtime_id, values, info.type, actor=actor, name_loc=("attributi", info.name)
    )
