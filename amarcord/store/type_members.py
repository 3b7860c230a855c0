"""Experiment types as other resources see them: their attributi, with what data sets need
to know about them, and references to them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Attributo, ExperimentType, ExperimentTypeAttributo
from amarcord.domain.attributo_types import AttributoType, DecimalType, parse_attributo_type
from amarcord.domain.data_sets import MatchRule
from amarcord.domain.errors import Loc, ValidationFailed
from amarcord.domain.values import AttributoInfo, value_to_json


@dataclass(frozen=True)
class Member:
    """One attributo of an experiment type. Data sets hold values of the run attributi
    only: chemical attributi describe the type's samples but no run carries them."""

    attributo_id: int
    name: str
    associated_table: str
    role: str | None
    type: AttributoType

    @property
    def key(self) -> str:
        """The attributo's key in stored documents."""
        return str(self.attributo_id)

    @property
    def is_run_attributo(self) -> bool:
        return self.associated_table == "run"

    def info(self) -> AttributoInfo:
        return AttributoInfo(id=self.attributo_id, name=self.name, type=self.type, group="")

    def rule(self) -> MatchRule:
        t = self.type
        if isinstance(t, DecimalType):
            return MatchRule(t.kind, t.tolerance, t.tolerance_is_absolute)
        return MatchRule(t.kind)


async def check_experiment_type(
    session: AsyncSession, beamtime_id: int, type_id: int, loc: Loc
) -> None:
    """A reference to an experiment type in a request body must be one of this beamtime's."""
    found = await session.scalar(
        select(ExperimentType.id).where(
            ExperimentType.id == type_id, ExperimentType.beamtime_id == beamtime_id
        )
    )
    if found is None:
        msg = f"experiment type {type_id} does not exist in beamtime {beamtime_id}"
        raise ValidationFailed.single(loc, msg)


async def members_of(session: AsyncSession, type_ids: Collection[int]) -> dict[int, list[Member]]:
    """The attributi of each experiment type in their listed order (every id gets a list)."""
    result: dict[int, list[Member]] = {type_id: [] for type_id in type_ids}
    if not result:
        return result
    link = ExperimentTypeAttributo
    rows = await session.execute(
        select(
            link.experiment_type_id,
            link.role,
            Attributo.id,
            Attributo.name,
            Attributo.associated_table,
            Attributo.type,
        )
        .join(Attributo, Attributo.id == link.attributo_id)
        .where(link.experiment_type_id.in_(list(result)))
        .order_by(link.experiment_type_id, link.position)
    )
    for type_id, role, attributo_id, name, table, type_ in rows:
        member = Member(attributo_id, name, table, role, parse_attributo_type(type_))
        result[type_id].append(member)
    return result


def run_members(members: Iterable[Member]) -> list[Member]:
    return [member for member in members if member.is_run_attributo]


def match_rules(members: Iterable[Member]) -> dict[str, MatchRule]:
    """The rules of `domain.data_sets`, keyed like stored documents."""
    return {member.key: member.rule() for member in run_members(members)}


def named_values(members: Iterable[Member], document: Mapping[str, Any]) -> dict[str, Any]:
    """The values of a stored document that belong to `members`, keyed by name."""
    return {
        member.name: value_to_json(member.type, document[member.key])
        for member in run_members(members)
        if document.get(member.key) is not None
    }
