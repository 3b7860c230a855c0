"""The filter language's syntax tree, operators, kinds and its error."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeAlias, TypeVar

from amarcord.domain.errors import Loc, ValidationFailed

Operator = Literal["==", "!=", "<", "<=", ">", ">=", "?"]
Kind = Literal["integer", "decimal", "string", "boolean", "datetime", "choice", "list", "chemical"]
LiteralValue = int | float | str | bool | None

OPERATORS: tuple[Operator, ...] = ("==", "!=", "<", "<=", ">", ">=", "?")
# The comparison operators as functions: on Python values (`evaluate`) and on SQL
# expressions (the run listing's translation), which overload the same operators.
COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class FilterError(ValueError):
    """A filter that does not parse or does not fit the fields; `position` is the 0-based
    offset into the filter text, `hint` the short advice that ends `message`."""

    def __init__(self, problem: str, position: int, hint: str | None = None) -> None:
        self.message = problem if hint is None else f"{problem}; {hint}"
        self.position = position
        self.hint = hint
        super().__init__(f"{self.message} (at position {position})")

    def as_validation_failed(self, loc: Loc = ("filter",)) -> ValidationFailed:
        return ValidationFailed.single(loc, str(self))


C = TypeVar("C")


@dataclass(frozen=True)
class Comparison:
    """``field op value`` as written; positions locate error messages and take no part in
    equality, so that trees of equivalent filters compare equal."""

    field: str
    op: Operator
    value: LiteralValue
    position: int = dataclasses.field(default=0, compare=False)
    value_position: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class Or(Generic[C]):
    items: tuple[Node[C], ...]


@dataclass(frozen=True)
class And(Generic[C]):
    items: tuple[Node[C], ...]


@dataclass(frozen=True)
class Not(Generic[C]):
    expr: Node[C]


Node: TypeAlias = Or[C] | And[C] | Not[C] | C
Expr: TypeAlias = Node[Comparison]
