"""The run attributi of one beamtime, loaded once per request: for validating values, for
turning id-keyed stored documents into name-keyed API objects, and for filter fields."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Attributo, Chemical
from amarcord.domain.attributo_types import AttributoType, ListType, parse_attributo_type
from amarcord.domain.errors import FieldError, ValidationFailed
from amarcord.domain.filter_language import FieldSpec, Kind
from amarcord.domain.limits import exceeds_int64
from amarcord.domain.values import AttributoInfo, StoredValue, validate_values, value_to_json
from amarcord.store import attributi_cache, core


@dataclass(frozen=True)
class RunAttributi:
    """A beamtime's run attributi, with the lookups that requests need."""

    infos: tuple[AttributoInfo, ...]
    by_id: dict[int, AttributoInfo] = field(init=False)
    # Stored documents are keyed by str(id): this maps those keys to names.
    name_of_key: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {info.id: info for info in self.infos})
        object.__setattr__(self, "name_of_key", {str(info.id): info.name for info in self.infos})

    def rename(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """A stored document (keyed by id) keyed by name, values as stored: the listing's
        hot path. Writers store decimals as floats (`validate_values`), and every engine
        keeps the JSON text as written, so values need no further conversion."""
        names = self.name_of_key
        try:
            # C-level loops, twice as fast as a comprehension over 10,000 documents.
            return dict(zip(map(names.__getitem__, document), document.values(), strict=True))
        except KeyError:
            # A value of an attributo deleted meanwhile: leave it out.
            return {names[key]: value for key, value in document.items() if key in names}

    def to_names(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """A stored document as the API shows one run, through `value_to_json`."""
        by_id = self.by_id
        return {
            info.name: value_to_json(info.type, value)
            for key, value in document.items()
            if (info := by_id.get(int(key))) is not None
        }

    def chemical_names(self) -> set[str]:
        return {info.name.casefold() for info in self.infos if info.type.kind == "chemical"}

    def manual_ids(self) -> set[int]:
        return {info.id for info in self.infos if info.group == "manual"}

    def filter_fields(self) -> list[FieldSpec]:
        return [_field_spec(info) for info in self.infos]


def _field_spec(info: AttributoInfo) -> FieldSpec:
    t = info.type
    kind: Kind = t.kind
    item_kind = t.item_kind if isinstance(t, ListType) else None
    choices = tuple(t.choices) if t.kind == "choice" else None
    return FieldSpec(info.name, kind, item_kind=item_kind, choices=choices, key=info.id)


async def load(session: AsyncSession, beamtime_id: int) -> RunAttributi:
    """The beamtime's run attributi; in a transaction that locked the beamtime, the ones
    kept from an earlier transaction when none has changed since (`attributi_cache`)."""
    kept: RunAttributi | None = attributi_cache.kept(session, beamtime_id)
    if kept is not None:
        return kept
    rows = await core.execute(session, _LOAD, {"beamtime_id": beamtime_id})
    infos = tuple(
        AttributoInfo(id=id_, name=name, type=_parsed_type(type_), group=group)
        for id_, name, type_, group in rows
    )
    loaded = RunAttributi(infos)
    attributi_cache.keep(session, beamtime_id, loaded)
    return loaded


# Every run write loads its beamtime's attributi: a prebuilt Core statement, with each type
# definition as its stored JSON text (the key of the parsed types below).
_LOAD = (
    select(Attributo.id, Attributo.name, cast(Attributo.type, Text), Attributo.group)
    .where(Attributo.beamtime_id == bindparam("beamtime_id"), Attributo.associated_table == "run")
    .order_by(Attributo.position, Attributo.id)
)


@functools.lru_cache(maxsize=4096)
def _parsed_type(stored: str) -> AttributoType:
    # Parsing validates units with pint, a few milliseconds per request for a beamtime's
    # attributi; the parsed types are immutable, so each distinct definition is parsed once.
    return parse_attributo_type(orjson.loads(stored))


async def chemical_ids(session: AsyncSession, beamtime_id: int) -> set[int]:
    rows = await session.scalars(select(Chemical.id).where(Chemical.beamtime_id == beamtime_id))
    return set(rows)


async def chemical_names_by_id(session: AsyncSession, beamtime_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(Chemical.id, Chemical.name).where(Chemical.beamtime_id == beamtime_id)
    )
    return {id_: name for id_, name in rows}  # noqa: C416 (rows are Row objects)


async def validate(
    session: AsyncSession,
    beamtime_id: int,
    attributi: RunAttributi,
    raw: Mapping[str, object],
    *,
    allow_null: bool,
    extra_errors: Collection[FieldError] = (),
) -> dict[int, StoredValue | None]:
    """Stored values keyed by attributo id for `raw` (keyed by name). Every offending field,
    including `extra_errors` found by the caller, ends up in one ValidationFailed."""
    errors = list(extra_errors)
    checked: dict[str, object] = {}
    for name, value in raw.items():
        if exceeds_int64(value):
            errors.append(FieldError(("attributi", name), "integers are limited to 64 bits"))
        else:
            checked[name] = value
    known = None
    if attributi.chemical_names().intersection(name.casefold() for name in checked):
        known = await chemical_ids(session, beamtime_id)
    try:
        values = validate_values(
            {info.name: info for info in attributi.infos},
            checked,
            loc=("attributi",),
            known_chemical_ids=known,
            allow_null=allow_null,
        )
    except ValidationFailed as failure:
        errors.extend(failure.errors)
    if errors:
        raise ValidationFailed(f"{len(errors)} invalid field(s)", errors)
    return values
