"""Where a chemical is used: in runs, through chemical-kind run attributi, and in the data
sets defined by such values. Deleting a chemical either refuses or detaches these."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import DataSet
from amarcord.domain.run_ranges import format_run_ranges
from amarcord.domain.values import StoredValue
from amarcord.store import attributi, changes, value_rewrites
from amarcord.store.changes import ChangeEntry
from amarcord.store.value_rewrites import DATA_SETS, RUNS, RowRewrite


@dataclass(frozen=True)
class References:
    runs: list[RowRewrite]
    data_sets: list[RowRewrite]

    def __bool__(self) -> bool:
        return bool(self.runs or self.data_sets)

    def describe(self) -> str:
        parts = []
        if self.runs:
            parts.append(f"runs {format_run_ranges(int(r.label) for r in self.runs)}")
        if self.data_sets:
            parts.append(f"data sets {', '.join(str(r.label) for r in self.data_sets)}")
        return " and ".join(parts)


def _clear_if(chemical_id: int, stored: StoredValue) -> StoredValue | None:
    return None if stored == chemical_id else stored


async def find(session: AsyncSession, beamtime_id: int, chemical_id: int) -> References:
    """The runs whose values would be cleared and the data sets that refer to the chemical."""
    rewrites = [
        value_rewrites.Rewrite(
            info.id, info.name, info.type, info.type, partial(_clear_if, chemical_id)
        )
        for info in (await attributi.infos_by_id(session, beamtime_id, "run")).values()
        if info.type.kind == "chemical"
    ]
    if not rewrites:
        return References([], [])
    rows = await value_rewrites.prepare(session, beamtime_id, (RUNS, DATA_SETS), rewrites)
    return References(
        runs=[r for r in rows if r.holder is RUNS],
        data_sets=[r for r in rows if r.holder is DATA_SETS],
    )


async def detach(
    session: AsyncSession, beamtime_id: int, references: References, *, actor: str
) -> None:
    """Clears the runs' values and deletes the data sets, with their change-feed rows."""
    await value_rewrites.apply(session, beamtime_id, references.runs, actor=actor)
    ids = [r.row_id for r in references.data_sets]
    if not ids:
        return
    infos = await attributi.infos_by_id(session, beamtime_id, "run")
    entries: list[ChangeEntry] = [
        (
            "data_set",
            data_set.id,
            "deleted",
            {
                "experiment_type_id": data_set.experiment_type_id,
                "attributi": attributi.named_values(infos, data_set.attributi or {}),
            },
            None,
        )
        for data_set in await session.scalars(select(DataSet).where(DataSet.id.in_(ids)))
    ]
    await session.execute(delete(DataSet).where(DataSet.id.in_(ids)))
    await changes.record_many(session, beamtime_id=beamtime_id, actor=actor, entries=entries)
