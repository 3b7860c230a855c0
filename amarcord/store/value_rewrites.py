"""Rewriting the values of attributi inside the JSON documents of runs, chemicals and data sets.

A type change converts every stored value, a deleted attributo or chemical takes its values
with it. Both run in two steps: `prepare` computes every new document and collects every value
that has no new form (so one 422 can name them all and nothing is written), `apply` writes the
documents and their change-feed rows in bulk, because a beamtime can hold 10,000 runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Table, Update, case, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Base, Chemical, DataSet, Run
from amarcord.domain.attributo_types import AttributoType
from amarcord.domain.errors import FieldError, ValidationFailed
from amarcord.domain.values import StoredValue, value_to_json
from amarcord.store import changes

# Two bind parameters per row stay far below every engine's limit (SQLite: 32,766).
_ROWS_PER_UPDATE = 500
# A 422 listing 10,000 unconvertible runs helps nobody; the detail still gives the count.
MAX_REPORTED_ERRORS = 100

Transform = Callable[[Any], StoredValue | None]


@dataclass(frozen=True)
class Holder:
    """A table whose rows carry an `attributi` document, and how clients name its rows."""

    table: Table
    entity: str
    plural: str
    # Runs are known by number, chemicals by name: that is what error locations show.
    label_column: str
    entity_id_column: str


def table_of(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


RUNS = Holder(table_of(Run), "run", "runs", "number", "number")
CHEMICALS = Holder(table_of(Chemical), "chemical", "chemicals", "name", "id")
DATA_SETS = Holder(table_of(DataSet), "data_set", "data_sets", "id", "id")


def holders_of(table: str) -> tuple[Holder, ...]:
    """Data sets are defined by run attributi, so only those appear in their documents."""
    return (RUNS, DATA_SETS) if table == "run" else (CHEMICALS,)


@dataclass(frozen=True)
class Rewrite:
    """How the values of one attributo change. `transform` maps a stored value to its new
    stored form, None to unset it, and raises ValueError when there is none."""

    attributo_id: int
    name: str
    old_type: AttributoType
    new_type: AttributoType
    transform: Transform


@dataclass(frozen=True)
class RowRewrite:
    """The new document of one row; `before`/`after` hold the changed values by name."""

    holder: Holder
    row_id: int
    entity_id: int
    label: str | int
    document: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]


def unset(_stored: object) -> None:
    return None


def _api_form(t: AttributoType, stored: StoredValue | None) -> Any:
    return None if stored is None else value_to_json(t, stored)


def _rewrite_document(
    holder: Holder,
    row: Any,
    rewrites: Sequence[Rewrite],
    errors: list[FieldError],
) -> RowRewrite | None:
    old_document: dict[str, Any] = row.attributi or {}
    document = dict(old_document)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    label = getattr(row, holder.label_column)
    for rewrite in rewrites:
        key = str(rewrite.attributo_id)
        if key not in old_document:
            continue
        old = old_document[key]
        try:
            new = rewrite.transform(old)
        except ValueError as e:
            errors.append(FieldError((holder.plural, label, rewrite.name), str(e)))
            continue
        old_form, new_form = _api_form(rewrite.old_type, old), _api_form(rewrite.new_type, new)
        # Compared as JSON, because 1 == True == 1.0 in Python but not for clients.
        if orjson.dumps(old_form) == orjson.dumps(new_form):
            continue
        before[rewrite.name], after[rewrite.name] = old_form, new_form
        if new is None:
            del document[key]
        else:
            document[key] = new
    if not after:
        return None
    return RowRewrite(
        holder=holder,
        row_id=row.id,
        entity_id=getattr(row, holder.entity_id_column),
        label=label,
        document=document,
        before=before,
        after=after,
    )


async def prepare(
    session: AsyncSession,
    beamtime_id: int,
    holders: Iterable[Holder],
    rewrites: Sequence[Rewrite],
) -> list[RowRewrite]:
    """Every row whose values change, or one ValidationFailed naming every value without a
    new form (loc `[plural, label, attributo name]`, e.g. `["runs", 12, "speed"]`)."""
    result: list[RowRewrite] = []
    errors: list[FieldError] = []
    for holder in holders:
        c = holder.table.c
        columns = {c.id, c.attributi, c[holder.label_column], c[holder.entity_id_column]}
        query = select(*columns).where(c.beamtime_id == beamtime_id).order_by(c.id)
        for row in await session.execute(query):
            rewritten = _rewrite_document(holder, row, rewrites, errors)
            if rewritten is not None:
                result.append(rewritten)
    if errors:
        detail = f"{len(errors)} stored value(s) cannot be converted; nothing was changed"
        raise ValidationFailed(detail, errors[:MAX_REPORTED_ERRORS])
    return result


async def apply(
    session: AsyncSession, beamtime_id: int, rows: Sequence[RowRewrite], *, actor: str
) -> None:
    """Writes the new documents (bumping each row's version) and one `updated` change per row."""
    now = changes.utcnow()
    for holder in {row.holder.entity: row.holder for row in rows}.values():
        mine = [r for r in rows if r.holder is holder]
        for start in range(0, len(mine), _ROWS_PER_UPDATE):
            await session.execute(
                _update_statement(holder, mine[start : start + _ROWS_PER_UPDATE], now)
            )
    await changes.record_many(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entries=[
            (
                r.holder.entity,
                r.entity_id,
                "updated",
                {"attributi": r.before},
                {"attributi": r.after},
            )
            for r in rows
        ],
    )


def _update_statement(holder: Holder, rows: Sequence[RowRewrite], now: datetime) -> Update:
    """One UPDATE for many rows (`SET attributi = CASE id WHEN ... END`): MySQL runs an
    executemany UPDATE as one round trip per row, which made 10,000 runs take seconds."""
    c = holder.table.c
    documents = {r.row_id: literal(r.document, c.attributi.type) for r in rows}
    values: dict[str, Any] = {
        "attributi": case(documents, value=c.id),
        "version": c.version + 1,
    }
    if "updated_at" in c:
        values["updated_at"] = now
    return update(holder.table).where(c.id.in_(list(documents))).values(**values)
