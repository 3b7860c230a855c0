"""Which runs belong to which data sets, computed for many data sets at once.

A beamtime can hold 10,000 runs, so the runs of the relevant experiment types are loaded once
(number and attributi only) and grouped by their values of the attributi that match by
equality. A data set then only looks at the one group that can match it and applies the
full rules of `domain.data_sets` (tolerances) to that group alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Text, func, null, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from amarcord.db.models import Run
from amarcord.domain.data_sets import MatchRule, run_matches_data_set

RunValues = tuple[int, Mapping[str, Any]]
Decode = Callable[[Any], Mapping[str, Any]]


def _whole(document: Any) -> Mapping[str, Any]:
    return document or {}


def _nothing(_: Any) -> Mapping[str, Any]:
    return {}


def _values_of(
    keys: Sequence[str], session: AsyncSession
) -> tuple[ColumnElement[Any] | InstrumentedAttribute[Any], Decode]:
    """What to select for the attributi `keys` of a run, and how to read it.

    SQLite parses a document faster than Python does, and a multi-path `json_extract` hands
    back a small array of just the values needed. On MySQL/MariaDB and PostgreSQL the same
    projection costs more than shipping the whole document (measured), so they do that."""
    if not keys:
        return null(), _nothing
    if session.get_bind().dialect.name != "sqlite":
        return Run.attributi, _whole
    # With a single path json_extract returns the bare value, with two or more an array.
    paths = [f'$."{key}"' for key in (keys if len(keys) > 1 else [*keys, *keys])]

    def decode(array: str) -> Mapping[str, Any]:
        values = orjson.loads(array)
        # Not strict: a single key was asked for twice. A JSON null stays in, as None: the
        # matching rules treat it exactly like a missing value.
        return dict(zip(keys, values, strict=False))

    return type_coerce(func.json_extract(Run.attributi, *paths), Text), decode


async def runs_of_types(
    session: AsyncSession, beamtime_id: int, keys_by_type: Mapping[int, Collection[str]]
) -> dict[int, list[RunValues]]:
    """The number and attributi of every run of these experiment types, by type, in
    ascending run number. The attributi hold at least the keys asked for."""
    result: dict[int, list[RunValues]] = {type_id: [] for type_id in keys_by_type}
    if not result:
        return result
    keys = sorted({key for type_keys in keys_by_type.values() for key in type_keys})
    column, decode = _values_of(keys, session)
    # On the connection, not the session: plain Core rows skip the ORM's loading machinery.
    connection = await session.connection()
    rows = await connection.execute(
        select(Run.number, Run.experiment_type_id, column)
        .where(Run.beamtime_id == beamtime_id, Run.experiment_type_id.in_(list(result)))
        .order_by(Run.number)
    )
    for number, type_id, values in rows:
        result[type_id].append((number, decode(values)))
    return result


def _as_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


class RunIndex:
    """The runs of one experiment type, ready to be matched against its data sets."""

    def __init__(self, runs: Sequence[RunValues], rules: Mapping[str, MatchRule]) -> None:
        kinds = {key: rule.kind for key, rule in rules.items()}
        self._booleans = [key for key, kind in kinds.items() if kind == "boolean"]
        self._lists = [key for key, kind in kinds.items() if kind == "list"]
        self._plain = [
            key for key, kind in kinds.items() if kind not in ("boolean", "list", "decimal")
        ]
        # Only decimals (tolerances) need the rules once the groups are formed.
        self._fuzzy = {key: rule for key, rule in rules.items() if rule.kind == "decimal"}
        self._groups: dict[Hashable, list[RunValues]] = defaultdict(list)
        for run in runs:
            self._groups[self._signature(run[1])].append(run)

    def _signature(self, document: Mapping[str, Any]) -> Hashable:
        """Equal exactly when the two documents match on every non-decimal attributo: a
        missing boolean counts as false, None only equals None, lists compare as tuples."""
        get = document.get
        return (
            tuple(map(get, self._plain)),
            tuple([get(key) is True for key in self._booleans]),
            tuple([_as_tuple(get(key)) for key in self._lists]),
        )

    def matching(self, data_set_document: Mapping[str, Any]) -> list[int]:
        """The numbers of the runs that belong to a data set, ascending."""
        candidates = self._groups.get(self._signature(data_set_document), ())
        if not self._fuzzy:
            return [number for number, _ in candidates]
        return [
            number
            for number, document in candidates
            if run_matches_data_set(data_set_document, document, self._fuzzy)
        ]
