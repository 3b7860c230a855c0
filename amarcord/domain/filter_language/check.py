"""Checking a syntax tree against the fields (attributi and run fields): names resolved,
operators allowed by each kind, literals normalised to the stored form."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from amarcord.domain.filter_language.syntax import (
    And,
    Comparison,
    Expr,
    FilterError,
    Kind,
    LiteralValue,
    Node,
    Not,
    Operator,
    Or,
)
from amarcord.domain.limits import exceeds_int64
from amarcord.domain.values import datetime_to_stored

_LIST_ITEM_KINDS = ("integer", "decimal", "string", "boolean")


@dataclass(frozen=True)
class FieldSpec:
    """A field that filters may name. `key` is opaque here: the store uses it to find the
    column or attributo, and `evaluate` looks values up by it (by `name` when it is None)."""

    name: str
    kind: Kind
    item_kind: str | None = None
    choices: tuple[str, ...] | None = None
    key: object = None

    def __post_init__(self) -> None:
        if self.kind == "list" and self.item_kind not in _LIST_ITEM_KINDS:
            raise ValueError(f"list field {self.name!r} needs an item kind of {_LIST_ITEM_KINDS}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"choice field {self.name!r} needs choices")

    @property
    def lookup_key(self) -> object:
        return self.name if self.key is None else self.key


RUN_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("number", "integer", key="number"),
    FieldSpec("started", "datetime", key="started"),
    FieldSpec("stopped", "datetime", key="stopped"),
    FieldSpec("experiment_type", "string", key="experiment_type"),
)


def run_filter_fields(attributi: Iterable[FieldSpec]) -> dict[str, FieldSpec]:
    """The fields of a run filter: the run attributi and the built-in `RUN_FIELDS` (keyed by
    their names). A built-in wins over an attributo of the same name, whatever its case."""
    builtin = {spec.name.casefold() for spec in RUN_FIELDS}
    fields = {spec.name: spec for spec in attributi if spec.name.casefold() not in builtin}
    fields.update((spec.name, spec) for spec in RUN_FIELDS)
    return fields


@dataclass(frozen=True)
class CheckedComparison:
    """A comparison resolved to its field, with the literal in the field's stored form."""

    spec: FieldSpec
    op: Operator
    value: LiteralValue
    position: int = dataclasses.field(default=0, compare=False)


CheckedExpr: TypeAlias = Node[CheckedComparison]

_OPERATORS_BY_KIND: dict[str, tuple[Operator, ...]] = {
    "integer": ("==", "!=", "<", "<=", ">", ">="),
    "decimal": ("==", "!=", "<", "<=", ">", ">="),
    "datetime": ("==", "!=", "<", "<=", ">", ">="),
    "string": ("==", "!=", "?"),
    "choice": ("==", "!="),
    "boolean": ("==", "!="),
    "chemical": ("==", "!="),
    "list": ("?",),
}
_DESCRIPTIONS = {
    "integer": "an integer",
    "decimal": "a decimal",
    "datetime": "a date and time",
    "string": "a string",
    "choice": "a choice",
    "boolean": "a boolean",
    "chemical": "a chemical",
    "list": "a list",
}
_WANTED = {
    "integer": "a whole number",
    "decimal": "a number",
    "datetime": 'an ISO 8601 time in quotes, e.g. "2026-11-22T14:03:00Z"',
    "string": "a quoted string",
    "choice": "one of its choices in quotes",
    "boolean": "true or false",
    "chemical": 'a chemical id or a chemical name in quotes, e.g. "lysozyme"',
}


def check_filter(expr: Expr, fields: Mapping[str, FieldSpec]) -> CheckedExpr:
    """Resolves every field name in `fields` (case-insensitively) and checks and normalises
    every literal against the field's kind; raises `FilterError` at the offending position."""
    return _check(expr, _FieldTable(fields))


def _check(expr: Expr, table: _FieldTable) -> CheckedExpr:
    if isinstance(expr, Or):
        return Or(tuple(_check(item, table) for item in expr.items))
    if isinstance(expr, And):
        return And(tuple(_check(item, table) for item in expr.items))
    if isinstance(expr, Not):
        return Not(_check(expr.expr, table))
    spec = table.resolve(expr.field, expr.position)
    value = _check_comparison(spec, expr)
    return CheckedComparison(spec, expr.op, value, expr.position)


class _FieldTable:
    def __init__(self, fields: Mapping[str, FieldSpec]) -> None:
        self._exact = dict(fields)
        self._folded: dict[str, list[FieldSpec]] = {}
        for name, spec in fields.items():
            self._folded.setdefault(name.casefold(), []).append(spec)

    def resolve(self, name: str, position: int) -> FieldSpec:
        if name in self._exact:
            return self._exact[name]
        candidates = self._folded.get(name.casefold(), [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            spellings = " or ".join(f"`{spec.name}`" for spec in candidates)
            raise FilterError(f"`{name}` is ambiguous", position, f"write {spellings}")
        raise FilterError(f"unknown field `{name}`", position, self._suggest(name))

    def _suggest(self, name: str) -> str | None:
        close = difflib.get_close_matches(name.casefold(), list(self._folded), n=1)
        return f"did you mean `{self._folded[close[0]][0].name}`?" if close else None


def _check_comparison(spec: FieldSpec, comparison: Comparison) -> LiteralValue:
    op, value = comparison.op, comparison.value
    if value is None:
        if op in ("==", "!="):
            return None
        raise FilterError(
            f"`null` cannot be compared with `{op}`", comparison.value_position, "use == or !="
        )
    allowed = _OPERATORS_BY_KIND[spec.kind]
    if op not in allowed:
        raise FilterError(
            f"`{op}` does not apply to `{spec.name}`, which is {_DESCRIPTIONS[spec.kind]}",
            comparison.position,
            "use " + " or ".join(f"`{allowed_op}`" for allowed_op in allowed),
        )
    return _normalise(spec, value, comparison.value_position)


def _normalise(spec: FieldSpec, value: LiteralValue, position: int) -> LiteralValue:
    if spec.kind == "list":
        kind = str(spec.item_kind)
        problem = f"`{spec.name}` is a list of {kind} items"
        hint = f"`?` takes {_WANTED[kind]}"
    else:
        kind = spec.kind
        problem = f"`{spec.name}` is {_DESCRIPTIONS[kind]}"
        hint = f"compare it with {_WANTED[kind]}"
    normalised = _NORMALISERS[kind](spec, value, position)
    if normalised is None:
        raise FilterError(problem, position, hint)
    return normalised


# A normaliser returns the stored form of a (non-null) literal, None when the literal has the
# wrong type, and raises FilterError when it has the right type but an impossible value.


def _normalise_integer(_spec: FieldSpec, value: LiteralValue, position: int) -> LiteralValue:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return _int64(int(value), position)


def _int64(value: int, position: int) -> int:
    if exceeds_int64(value):
        raise FilterError(f"{value} is out of range", position, "integers have 64 bits")
    return value


def _normalise_decimal(_spec: FieldSpec, value: LiteralValue, position: int) -> LiteralValue:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:
        raise FilterError(f"{value} is out of range", position, "use an exponent") from None


def _normalise_string(_spec: FieldSpec, value: LiteralValue, _position: int) -> LiteralValue:
    return value if isinstance(value, str) else None


def _normalise_boolean(_spec: FieldSpec, value: LiteralValue, _position: int) -> LiteralValue:
    return value if isinstance(value, bool) else None


def _normalise_choice(spec: FieldSpec, value: LiteralValue, position: int) -> LiteralValue:
    if not isinstance(value, str):
        return None
    choices = spec.choices or ()
    if value in choices:
        return value
    same = [choice for choice in choices if choice.casefold() == value.casefold()]
    close = same or difflib.get_close_matches(value, choices, n=1)
    hint = f'did you mean "{close[0]}"?' if close else f"choose one of {_quoted(choices)}"
    raise FilterError(f'`{spec.name}` has no choice "{value}"', position, hint)


def _quoted(choices: Sequence[str]) -> str:
    return ", ".join(f'"{choice}"' for choice in choices)


def _normalise_datetime(spec: FieldSpec, value: LiteralValue, position: int) -> LiteralValue:
    if not isinstance(value, str):
        return None
    example = '"2026-11-22T14:03:00Z"'
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FilterError(
            f'"{value}" is not an ISO 8601 time', position, f"write e.g. {example}"
        ) from None
    if moment.tzinfo is None:
        raise FilterError(
            f'"{value}" has no time zone offset', position, f"add one, e.g. {example}"
        )
    try:
        return datetime_to_stored(moment)
    except ValueError:
        raise FilterError(f'"{value}" is out of range', position) from None


def _normalise_chemical(_spec: FieldSpec, value: LiteralValue, position: int) -> LiteralValue:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return _int64(value, position)
    return None


_NORMALISERS: dict[str, Callable[[FieldSpec, LiteralValue, int], LiteralValue]] = {
    "integer": _normalise_integer,
    "decimal": _normalise_decimal,
    "string": _normalise_string,
    "boolean": _normalise_boolean,
    "choice": _normalise_choice,
    "datetime": _normalise_datetime,
    "chemical": _normalise_chemical,
}
