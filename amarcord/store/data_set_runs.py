"""Which runs belong to which data sets, computed for many data sets at once.

A beamtime can hold 10,000 runs, so the runs of the relevant experiment types are loaded once
(number and attributi document only) and grouped by their values of the attributi that match
by equality. A data set then only looks at the one group that can match it and applies the
full rules of `domain.data_sets` (tolerances) to that group alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Run
from amarcord.domain.data_sets import MatchRule, run_matches_data_set

RunValues = tuple[int, Mapping[str, Any]]


async def runs_of_types(
    session: AsyncSession, beamtime_id: int, type_ids: Collection[int]
) -> dict[int, list[RunValues]]:
    """The number and stored attributi of every run of these experiment types, by type,
    in ascending run number."""
    result: dict[int, list[RunValues]] = {type_id: [] for type_id in type_ids}
    if not result:
        return result
    rows = await session.execute(
        select(Run.number, Run.experiment_type_id, Run.attributi)
        .where(Run.beamtime_id == beamtime_id, Run.experiment_type_id.in_(list(result)))
        .order_by(Run.number)
    )
    for number, type_id, document in rows:
        result[type_id].append((number, document or {}))
    return result


def _hashable(rule: MatchRule, value: object) -> Hashable:
    if rule.kind == "boolean":
        # A missing boolean counts as false, exactly as the matching rules say.
        return value is True
    if isinstance(value, list):
        return tuple(value)
    assert value is None or isinstance(value, Hashable)
    return value


class RunIndex:
    """The runs of one experiment type, ready to be matched against its data sets."""

    def __init__(self, runs: Sequence[RunValues], rules: Mapping[str, MatchRule]) -> None:
        self._rules = rules
        self._exact = [(key, rule) for key, rule in rules.items() if rule.kind != "decimal"]
        self._groups: dict[tuple[Hashable, ...], list[RunValues]] = defaultdict(list)
        for run in runs:
            self._groups[self._signature(run[1])].append(run)

    def _signature(self, document: Mapping[str, Any]) -> tuple[Hashable, ...]:
        return tuple(_hashable(rule, document.get(key)) for key, rule in self._exact)

    def matching(self, data_set_document: Mapping[str, Any]) -> list[int]:
        """The numbers of the runs that belong to a data set, ascending."""
        candidates = self._groups.get(self._signature(data_set_document), ())
        return [
            number
            for number, document in candidates
            if run_matches_data_set(data_set_document, document, self._rules)
        ]
