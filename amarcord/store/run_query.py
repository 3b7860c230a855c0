"""The filter language and sort orders of the run listing, compiled to SQL.

`compile_filter` turns a checked filter (`amarcord.domain.filter_language`) into one SQL
condition whose result equals the domain's reference `evaluate` on every run: a comparison
with an unset value is false, never NULL, so SQL's NULL never reaches a `NOT`. Names of
chemicals and experiment types are resolved to ids in Python (exact, case-sensitive comparison, as
`evaluate` does), which keeps engines' collations out of the result."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Double, and_, case, false, literal, not_, or_, select

from amarcord.db.models import ExperimentType, Run
from amarcord.domain.errors import ValidationFailed
from amarcord.domain.filter_language import (
    COMPARE,
    And,
    CheckedComparison,
    CheckedExpr,
    FieldSpec,
    Not,
    Or,
)
from amarcord.domain.run_ranges import RunRange, parse_run_ranges
from amarcord.domain.values import did_you_mean
from amarcord.store.run_json_sql import JsonSql, Sql, SqlBool

_COLUMNS: dict[str, Any] = {"number": Run.number, "started": Run.started, "stopped": Run.stopped}
_DATETIME_COLUMNS = frozenset({"started", "stopped"})
_NUMBER_KINDS = frozenset({"integer", "decimal", "chemical"})


def parse_ranges(text: str, loc: tuple[str, ...]) -> list[RunRange]:
    try:
        ranges = parse_run_ranges(text)
    except ValueError as error:
        raise ValidationFailed.single(loc, str(error)) from error
    if not ranges:
        raise ValidationFailed.single(loc, "select at least one run, e.g. `10-25,31`")
    return ranges


def in_ranges(ranges: list[RunRange]) -> SqlBool:
    return or_(
        *(
            Run.number.between(bind("integer", first), bind("integer", last))
            for first, last in ranges
        )
    )


def comparisons(expr: CheckedExpr | None) -> Iterator[CheckedComparison]:
    if expr is None:
        return
    if isinstance(expr, Or | And):
        for item in expr.items:
            yield from comparisons(item)
    elif isinstance(expr, Not):
        yield from comparisons(expr.expr)
    else:
        yield expr


def bind(kind: str, value: Any) -> Any:
    """A literal typed for the engines that cast bound parameters (PostgreSQL's INTEGER is 32
    bits, and a decimal must not be compared as an integer)."""
    if kind == "decimal":
        return literal(value, Double)
    if kind in _NUMBER_KINDS:
        return literal(value, BigInteger)
    return value


def _column_value(key: str, value: Any) -> Any:
    if key in _DATETIME_COLUMNS:
        return datetime.fromisoformat(value)
    return bind("integer", value)


@dataclass(frozen=True)
class FilterContext:
    """What compiling needs besides the filter: the engine's JSON accessors and the names of
    the beamtime's experiment types and chemicals by id."""

    sql: JsonSql
    experiment_types: Mapping[int, str]
    chemicals: Mapping[int, str]

    def compile(self, expr: CheckedExpr) -> SqlBool:
        if isinstance(expr, Or):
            return or_(*(self.compile(item) for item in expr.items))
        if isinstance(expr, And):
            return and_(*(self.compile(item) for item in expr.items))
        if isinstance(expr, Not):
            return not_(self.compile(expr.expr))
        key = expr.spec.key
        if key == "experiment_type":
            return self._experiment_type(expr)
        if isinstance(key, str):
            return _column_comparison(key, expr)
        return self._attributo(expr)

    def _experiment_type(self, c: CheckedComparison) -> SqlBool:
        if c.value is None:
            return _null_test(Run.experiment_type_id.is_not(None), c.op)
        value = c.value
        if c.op == "?":
            ids = [id_ for id_, name in self.experiment_types.items() if str(value) in name]
        else:
            test = COMPARE[c.op]
            ids = [id_ for id_, name in self.experiment_types.items() if test(name, value)]
        if not ids:
            return false()
        # IS NOT NULL keeps SQL's NULL (no experiment type) out of an enclosing NOT.
        return and_(Run.experiment_type_id.is_not(None), Run.experiment_type_id.in_(ids))

    def _attributo(self, c: CheckedComparison) -> SqlBool:
        key = str(c.spec.key)
        if c.value is None:
            return _null_test(self.sql.is_set(key), c.op)
        return self.sql.holds(key, self._compare(key, c))

    def _compare(self, key: str, c: CheckedComparison) -> SqlBool:
        kind, value, sql = c.spec.kind, c.value, self.sql
        if kind == "list":
            return sql.has_member(key, value)
        if kind == "boolean":
            return COMPARE[c.op](sql.boolean(key), "true" if value else "false")  # type: ignore[no-any-return]
        if kind == "chemical" and isinstance(value, str):
            ids = [id_ for id_, name in self.chemicals.items() if name == value]
            if not ids:
                # No such name: `==` holds for no run, `!=` for every run with a chemical.
                return false() if c.op == "==" else sql.is_set(key)
            chemical = sql.number(key, "integer")
            return chemical.in_(ids) if c.op == "==" else chemical.not_in(ids)
        if kind in _NUMBER_KINDS:
            return COMPARE[c.op](sql.number(key, kind), bind(kind, value))  # type: ignore[no-any-return]
        if c.op == "?":
            return sql.contains(sql.text(key), str(value))
        return COMPARE[c.op](sql.text(key), value)  # type: ignore[no-any-return]


def _null_test(is_set: SqlBool, op: str) -> SqlBool:
    return is_set if op == "!=" else not_(is_set)


def _column_comparison(key: str, c: CheckedComparison) -> SqlBool:
    column = _COLUMNS[key]
    if c.value is None:
        return _null_test(column.is_not(None), c.op)
    compared = COMPARE[c.op](column, _column_value(key, c.value))
    if key == "stopped":
        return and_(column.is_not(None), compared)
    return compared  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# Sorting


@dataclass(frozen=True)
class SortKey:
    """An ORDER BY with unset values last in both directions and the run number breaking
    ties, plus the keyset condition that continues after a given row. `kind` is the kind of
    the sort value: integer, decimal, text or datetime (a datetime column)."""

    value: Sql
    is_set: SqlBool
    descending: bool
    kind: str
    by_number: bool = False
    native_nulls_last: bool = False

    def order_by(self) -> list[Any]:
        direction: Callable[[Any], Any] = operator.methodcaller(
            "desc" if self.descending else "asc"
        )
        if self.by_number:
            return [direction(Run.number)]
        if self.native_nulls_last:
            return [direction(self.value).nulls_last(), direction(Run.number)]
        unset_last = case((self.is_set, 0), else_=1)
        return [unset_last, direction(self.value), direction(Run.number)]

    def after(self, value: Any, number: int) -> SqlBool:
        """The rows that come after the row with this sort value and run number."""
        later = operator.lt if self.descending else operator.gt
        tie_break = later(Run.number, bind("integer", number))
        if self.by_number:
            return tie_break  # type: ignore[no-any-return]
        if value is None:
            return and_(not_(self.is_set), tie_break)
        bound = self._bound(value)
        same = and_(self.value == bound, tie_break)
        return or_(and_(self.is_set, or_(later(self.value, bound), same)), not_(self.is_set))

    def _bound(self, value: Any) -> Any:
        # The value comes back from a client's cursor: check that it is what we put there.
        expected = _CURSOR_TYPES[self.kind]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise _foreign_cursor()
        if self.kind != "datetime":
            return bind(self.kind, value)
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            raise _foreign_cursor() from None

    def cursor_value(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value


_CURSOR_TYPES: dict[str, type | tuple[type, ...]] = {
    "integer": int,
    "decimal": (int, float),
    "text": str,
    "datetime": str,
}


def _foreign_cursor() -> ValidationFailed:
    return ValidationFailed.single(("query", "cursor"), "the cursor does not belong to this list")


def sort_key(sort: str, fields: Mapping[str, FieldSpec], sql: JsonSql) -> SortKey:
    descending = sort.startswith("-")
    spec = _resolve(sort.removeprefix("-").strip(), fields)
    key = spec.key
    if key == "experiment_type":
        type_name = (
            select(ExperimentType.name)
            .where(ExperimentType.id == Run.experiment_type_id)
            .scalar_subquery()
        )
        return SortKey(
            type_name,
            Run.experiment_type_id.is_not(None),
            descending,
            "text",
            native_nulls_last=sql.native_nulls_last,
        )
    if isinstance(key, str):
        column = _COLUMNS[key]
        kind = "datetime" if key in _DATETIME_COLUMNS else "integer"
        return SortKey(
            column, column.is_not(None), descending, kind, key == "number", sql.native_nulls_last
        )
    attributo = str(key)
    is_set = sql.is_set(attributo)
    if spec.kind == "list":
        msg = f"`{spec.name}` is a list; lists cannot be sorted"
        raise ValidationFailed.single(("query", "sort"), msg)
    native = sql.native_nulls_last
    if spec.kind in _NUMBER_KINDS:
        kind = "decimal" if spec.kind == "decimal" else "integer"
        value = sql.number(attributo, kind)
        return SortKey(value, is_set, descending, kind, native_nulls_last=native)
    if spec.kind == "boolean":
        return SortKey(sql.boolean(attributo), is_set, descending, "text", native_nulls_last=native)
    return SortKey(sql.text(attributo), is_set, descending, "text", native_nulls_last=native)


def _resolve(name: str, fields: Mapping[str, FieldSpec]) -> FieldSpec:
    if name in fields:
        return fields[name]
    folded = [spec for spec in fields.values() if spec.name.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    hint = did_you_mean(name, fields)
    raise ValidationFailed.single(("query", "sort"), f"cannot sort by unknown field {name!r}{hint}")
