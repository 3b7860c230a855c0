"""Converting stored attributo values when an attributo's type changes.

Every converter turns an old stored value into a raw value for the new type; `coerce_value`
then enforces the new type's constraints, so no converter has to repeat a range or length
check. A decimal becomes an integer only when it is whole: truncating 1.7 to 1 would destroy
a measurement without anyone noticing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from amarcord.domain.attributo_types import AttributoType, ChoiceType, DecimalType, ListType
from amarcord.domain.units import convert_quantity, units_compatible
from amarcord.domain.values import StoredValue, coerce_value

# Values reaching a converter have passed `coerce_value` for the old type, so each converter
# may rely on the stored form of its source kind.
_Converter = Callable[[Any], object]


class ConversionError(ValueError):
    """A stored value (or every value of a kind) cannot be expressed in the new type."""


_TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
_FALSE_WORDS = frozenset({"false", "0", "no", "off"})


def parse_boolean(text: str) -> bool:
    """true/1/yes/on or false/0/no/off, in any case; anything else is an error, never a guess."""
    word = text.strip().casefold()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ValueError(f"{text!r} is neither true/yes/on/1 nor false/no/off/0")


def _parse_number(text: str) -> int | float:
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        return float(stripped)
    except ValueError as e:
        raise ValueError(f"{text!r} is not a number") from e


def _same(value: object) -> object:
    return value


def _boolean_to_string(value: bool) -> str:
    return "true" if value else "false"


def _nonzero(value: float) -> bool:
    return value != 0


# Conversions between scalar kinds; the same rules apply to list items (minus the ones in
# _NOT_FOR_LIST_ITEMS). Pairs that are absent have no conversion.
_SCALAR: dict[tuple[str, str], _Converter] = {
    ("integer", "integer"): _same,
    ("integer", "decimal"): _same,
    ("integer", "string"): str,
    ("integer", "boolean"): _nonzero,
    ("decimal", "decimal"): _same,
    ("decimal", "integer"): _same,
    ("decimal", "string"): str,
    ("decimal", "boolean"): _nonzero,
    ("string", "string"): _same,
    ("string", "integer"): _parse_number,
    ("string", "decimal"): _parse_number,
    ("string", "boolean"): parse_boolean,
    ("string", "datetime"): _same,
    ("string", "choice"): _same,
    ("boolean", "boolean"): _same,
    ("boolean", "string"): _boolean_to_string,
    ("boolean", "integer"): int,
    ("boolean", "decimal"): float,
    ("choice", "choice"): _same,
    ("choice", "string"): _same,
    ("datetime", "datetime"): _same,
    ("datetime", "string"): _same,
    ("chemical", "chemical"): _same,
}

# In a list, true/false next to numbers is almost certainly a wrongly typed list, not a count.
_NOT_FOR_LIST_ITEMS = frozenset(
    {
        ("integer", "boolean"),
        ("decimal", "boolean"),
        ("boolean", "integer"),
        ("boolean", "decimal"),
    }
)

# A scalar becomes a one-item list.
_INTO_LIST = frozenset(
    {
        ("integer", "integer"),
        ("integer", "decimal"),
        ("decimal", "integer"),
        ("decimal", "decimal"),
        ("string", "string"),
    }
)


def _describe(t: AttributoType) -> str:
    if isinstance(t, DecimalType) and t.unit is not None:
        return f"decimal ({t.unit})"
    if isinstance(t, ListType):
        return f"list of {t.item_kind}"
    return t.kind


def _list_converter(old: ListType, new: ListType) -> _Converter | None:
    pair = (old.item_kind, new.item_kind)
    item = _SCALAR.get(pair)
    if item is None or pair in _NOT_FOR_LIST_ITEMS:
        return None

    def convert(values: list[Any]) -> list[object]:
        converted: list[object] = []
        for index, value in enumerate(values):
            try:
                converted.append(item(value))
            except ValueError as e:
                raise ValueError(f"item {index}: {e}") from e
        return converted

    return convert


def _decimal_converter(old: DecimalType, new: DecimalType, ignore_units: bool) -> _Converter | str:
    from_unit, to_unit = old.unit, new.unit
    if ignore_units or from_unit is None or to_unit is None or from_unit == to_unit:
        return _same
    if not units_compatible(from_unit, to_unit):
        return f"{from_unit} cannot be converted to {to_unit}; ignore units to keep the numbers"

    def convert(value: float) -> float:
        return convert_quantity(value, from_unit, to_unit)

    return convert


def _singleton(value: object) -> list[object]:
    return [value]


def _plan(old: AttributoType, new: AttributoType, ignore_units: bool) -> _Converter | str:
    """The converter for this pair of types, or why there is none."""
    if isinstance(old, DecimalType) and isinstance(new, DecimalType):
        return _decimal_converter(old, new, ignore_units)
    convert: _Converter | None
    if isinstance(old, ListType) and isinstance(new, ListType):
        convert = _list_converter(old, new)
    elif isinstance(new, ListType):
        fits = (old.kind, new.item_kind) in _INTO_LIST and new.admits_length(1)
        convert = _singleton if fits else None
    else:
        convert = _SCALAR.get((old.kind, new.kind))
    return convert or f"no conversion from {_describe(old)} to {_describe(new)}"


def conversion_problem(
    old: AttributoType, new: AttributoType, *, ignore_units: bool = False
) -> str | None:
    """Why no value of type `old` can become one of type `new`, or None if values may convert."""
    plan = _plan(old, new, ignore_units)
    return plan if isinstance(plan, str) else None


def can_convert(old: AttributoType, new: AttributoType, *, ignore_units: bool = False) -> bool:
    return conversion_problem(old, new, ignore_units=ignore_units) is None


def convert_value(
    old: AttributoType,
    new: AttributoType,
    stored: object,
    *,
    ignore_units: bool,
    default_tz: tzinfo | None = None,
) -> StoredValue | None:
    """`stored` (a value of type `old`) in the stored form of `new`; None means "now unset"
    (only for an empty legacy choice).

    `default_tz` places strings without offset when a string attributo becomes a datetime.
    Raises `ConversionError` naming both kinds and the value.
    """
    convert = _plan(old, new, ignore_units)
    if isinstance(convert, str):
        raise ConversionError(convert)
    if isinstance(old, ChoiceType) and stored == "":
        # AMARCORD stored "" for a choice nobody picked; it is not a value to carry over.
        return None
    try:
        return coerce_value(new, convert(coerce_value(old, stored)), default_tz=default_tz)
    except ValueError as e:
        raise ConversionError(
            f"cannot convert {_describe(old)} value {stored!r} to {_describe(new)}: {e}"
        ) from e
