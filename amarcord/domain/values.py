"""Attributo values: checking incoming JSON against a type and producing the stored form.

Values live in a JSON column keyed by attributo id, so the stored form is plain JSON:
integer → int, decimal → finite float, string/choice → str, boolean → bool, chemical → int
(the chemical's id), list → list of its items' stored form, and datetime → a UTC string of
fixed width (`2026-11-22T14:03:00.000000Z`) whose string order is its time order.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TypeVar, assert_never

from amarcord.domain.attributo_types import (
    AttributoType,
    BooleanType,
    ChemicalType,
    ChoiceType,
    DateTimeType,
    DecimalType,
    IntegerType,
    ListItemKind,
    ListType,
    StringType,
)
from amarcord.domain.errors import ErrorCollector, Loc
from amarcord.domain.limits import exceeds_int64

StoredScalar = int | float | str | bool
StoredValue = StoredScalar | list[StoredScalar]

_Number = TypeVar("_Number", int, float)

_STORED_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")

_ITEM_TYPES: dict[ListItemKind, IntegerType | DecimalType | StringType | BooleanType] = {
    "integer": IntegerType(),
    "decimal": DecimalType(),
    "string": StringType(),
    "boolean": BooleanType(),
}


@dataclass(frozen=True)
class AttributoInfo:
    """What value validation needs to know about one attributo."""

    id: int
    name: str
    type: AttributoType
    group: str


_JSON_KINDS: dict[type, str] = {
    type(None): "null",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "an object",
}


def _json_kind(raw: object) -> str:
    """How a JSON client would name the type of `raw`, for error messages."""
    return _JSON_KINDS.get(type(raw), type(raw).__name__)


def _wrong_kind(expected: str, raw: object) -> ValueError:
    # A ValueError rather than a TypeError: to the client this is just an invalid value.
    return ValueError(f"expected {expected}, got {_json_kind(raw)}")


def datetime_to_stored(dt: datetime) -> str:
    """The fixed-width UTC form; a naive datetime is refused because its instant is unknown."""
    if dt.utcoffset() is None:
        raise ValueError(f"{dt.isoformat()} has no time zone")
    try:
        u = dt.astimezone(UTC)
    except OverflowError as e:
        raise ValueError(f"{dt.isoformat()} is out of range in UTC") from e
    # Spelled out because strftime pads years below 1000 differently across platforms.
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}"
        f"T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


def stored_to_datetime(s: str) -> datetime:
    """The aware UTC datetime of a stored string (only the exact stored form is accepted)."""
    if not _STORED_DATETIME.fullmatch(s):
        raise ValueError(f"{s!r} is not a stored datetime (YYYY-MM-DDTHH:MM:SS.ffffffZ)")
    return datetime.fromisoformat(s)


def _as_integer(raw: object) -> int:
    # bool is an int subclass in Python but a different type in JSON.
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(f"{raw} is not a whole number")
        value = int(raw)  # 1e300 is whole, and far beyond what can be stored
    else:
        raise _wrong_kind("an integer", raw)
    if exceeds_int64(value):
        raise ValueError(f"{raw} is beyond the 64-bit integers")
    return value


def _as_decimal(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _wrong_kind("a number", raw)
    try:
        value = float(raw)
    except OverflowError as e:
        raise ValueError(f"{raw} is too large") from e
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value}")
    return value


def _in_range(
    value: _Number,
    minimum: float | None,
    maximum: float | None,
    exclusive_minimum: bool = False,
    exclusive_maximum: bool = False,
) -> _Number:
    if minimum is not None:
        if exclusive_minimum and value <= minimum:
            raise ValueError(f"{value} must be greater than {minimum}")
        if value < minimum:
            raise ValueError(f"{value} is below the minimum {minimum}")
    if maximum is not None:
        if exclusive_maximum and value >= maximum:
            raise ValueError(f"{value} must be less than {maximum}")
        if value > maximum:
            raise ValueError(f"{value} is above the maximum {maximum}")
    return value


def _as_string(raw: object, max_length: int | None = None) -> str:
    if not isinstance(raw, str):
        raise _wrong_kind("a string", raw)
    if max_length is not None and len(raw) > max_length:
        raise ValueError(f"{len(raw)} characters exceed the maximum length {max_length}")
    return raw


def _as_boolean(raw: object) -> bool:
    if not isinstance(raw, bool):
        raise _wrong_kind("true or false", raw)
    return raw


def _as_datetime(raw: object, default_tz: tzinfo | None) -> str:
    if isinstance(raw, datetime):
        dt = raw
    elif isinstance(raw, str):
        try:
            dt = datetime.fromisoformat(raw.strip())
        except ValueError as e:
            raise ValueError(f"{raw!r} is not an ISO 8601 date and time") from e
    else:
        raise _wrong_kind("an ISO 8601 date and time string", raw)
    if dt.utcoffset() is None:
        if default_tz is None:
            raise ValueError(
                f"{raw!r} has no time zone offset; add one, e.g. 'Z' for UTC or '+02:00'"
            )
        # fold=0: a wall-clock time that occurs twice (end of DST) means its first occurrence.
        dt = dt.replace(tzinfo=default_tz)
    return datetime_to_stored(dt)


def _as_choice(raw: object, choices: list[str]) -> str:
    value = _as_string(raw)
    if value not in choices:
        allowed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{value!r} is not one of the choices {allowed}")
    return value


def _as_chemical_id(raw: object) -> int:
    value = _as_integer(raw)
    if value < 1:
        raise ValueError(f"{value} is not a chemical id")
    return value


def _as_list(raw: object, t: ListType) -> list[StoredScalar]:
    if not isinstance(raw, list):
        raise _wrong_kind("an array", raw)
    if t.min_items is not None and len(raw) < t.min_items:
        raise ValueError(f"expected at least {t.min_items} items, got {len(raw)}")
    if t.max_items is not None and len(raw) > t.max_items:
        raise ValueError(f"expected at most {t.max_items} items, got {len(raw)}")
    item_type = _ITEM_TYPES[t.item_kind]
    items: list[StoredScalar] = []
    problems: list[str] = []
    for index, item in enumerate(raw):
        try:
            items.append(_coerce_scalar(item_type, item, None))
        except ValueError as e:
            problems.append(f"item {index}: {e}")
    if problems:
        raise ValueError("; ".join(problems))
    return items


def _coerce_scalar(
    t: IntegerType | DecimalType | StringType | BooleanType | DateTimeType | ChoiceType,
    raw: object,
    default_tz: tzinfo | None,
) -> StoredScalar:
    match t:
        case IntegerType():
            return _in_range(_as_integer(raw), t.minimum, t.maximum)
        case DecimalType():
            value = _as_decimal(raw)
            return _in_range(value, t.minimum, t.maximum, t.exclusive_minimum, t.exclusive_maximum)
        case StringType():
            return _as_string(raw, t.max_length)
        case BooleanType():
            return _as_boolean(raw)
        case DateTimeType():
            return _as_datetime(raw, default_tz)
        case ChoiceType():
            return _as_choice(raw, t.choices)
        case _:
            assert_never(t)


def coerce_value(t: AttributoType, raw: object, *, default_tz: tzinfo | None = None) -> StoredValue:
    """The stored form of `raw` (a JSON value) for type `t`, or a ValueError saying what is wrong.

    A float with an integral value (3.0) is an integer; an integer is a decimal; a boolean is
    neither. A datetime without offset is refused unless `default_tz` says where it was taken.
    """
    match t:
        case ListType():
            return _as_list(raw, t)
        case ChemicalType():
            return _as_chemical_id(raw)
        case _:
            return _coerce_scalar(t, raw, default_tz)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A hint like "; did you mean 'detector_distance'?" for a misspelt name, or ""."""
    by_folded = {candidate.casefold(): candidate for candidate in candidates}
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=3)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(by_folded[match]) for match in close) + "?"


def _validate_one(
    info: AttributoInfo,
    raw: object,
    *,
    known_chemical_ids: Collection[int] | None,
    default_tz: tzinfo | None,
    allow_null: bool,
) -> StoredValue | None:
    if raw is None:
        if allow_null:
            return None
        raise ValueError("null is not allowed here; leave the attributo out to keep it unset")
    value = coerce_value(info.type, raw, default_tz=default_tz)
    is_chemical = isinstance(info.type, ChemicalType)
    if is_chemical and known_chemical_ids is not None and value not in known_chemical_ids:
        raise ValueError(f"there is no chemical with id {value} in this beamtime")
    return value


def validate_values(
    attributi: Mapping[str, AttributoInfo],
    raw: Mapping[str, object],
    *,
    loc: Loc = ("attributi",),
    known_chemical_ids: Collection[int] | None,
    default_tz: tzinfo | None = None,
    allow_null: bool,
) -> dict[int, StoredValue | None]:
    """Stored values keyed by attributo id (None clears a value) for `raw` keyed by name.

    Names match case-insensitively. Every problem is collected into one `ValidationFailed`
    whose errors point at `loc + (name,)` as the client spelt the name. With
    `known_chemical_ids` None, chemical ids are not checked for existence.
    """
    by_folded_name = {info.name.casefold(): info for info in attributi.values()}
    names = [info.name for info in attributi.values()]
    spelt_as: dict[int, str] = {}
    errors = ErrorCollector()
    values: dict[int, StoredValue | None] = {}
    for name, value in raw.items():
        field_loc = (*loc, name)
        info = by_folded_name.get(name.casefold())
        if info is None:
            hint = did_you_mean(name, names)
            errors.add(field_loc, f"unknown attributo {name!r}{hint}", "unknown_attributo")
            continue
        if info.id in spelt_as:
            msg = f"{name!r} and {spelt_as[info.id]!r} name the same attributo"
            errors.add(field_loc, msg, "duplicate_attributo")
            continue
        spelt_as[info.id] = name
        try:
            values[info.id] = _validate_one(
                info,
                value,
                known_chemical_ids=known_chemical_ids,
                default_tz=default_tz,
                allow_null=allow_null,
            )
        except ValueError as e:
            errors.add(field_loc, str(e))
    errors.raise_if_any(f"{len(errors.errors)} invalid attributo value(s)")
    return values


def value_to_json(t: AttributoType, stored: StoredValue) -> object:
    """The API form of a stored value; the one place to change should the two ever differ.

    Numbers are normalised because some databases' JSON columns hand 3.0 back as 3."""
    if isinstance(t, DecimalType) and isinstance(stored, int | float):
        return float(stored)
    if isinstance(stored, list):
        if isinstance(t, ListType) and t.item_kind == "decimal":
            return [float(item) for item in stored]
        return list(stored)
    return stored
