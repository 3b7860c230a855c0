"""The run filter language of ``GET /runs?filter=``, e.g.
``sample == "lysozyme" and detector_distance >= 100 and not (comment ? "bad")``.

Syntax
    A filter is comparisons joined by ``or``, ``and`` and ``not`` with parentheses. ``not``
    binds tighter than ``and``, which binds tighter than ``or``: ``a or b and not c`` means
    ``a or (b and (not c))``. A comparison is always *field operator literal*; the field
    comes first, and two fields cannot be compared with each other.

    Operators: ``== != < <= > >=`` and ``?`` (a string contains, or a list has as a member).

    Literals: integers (``12``), decimals with optional sign and exponent (``-1.5e-3``),
    double-quoted strings with the escapes ``\\" \\\\ \\n \\t \\r``, ``true``, ``false``,
    ``null``.

    Fields: ``[A-Za-z_][A-Za-z0-9_]*``, or any text in backticks (`` `sample name` ``; a
    backtick inside is doubled). Field names are matched case-insensitively; when two fields
    differ only in case, the exact spelling is required.

    Keywords (``and or not true false null``) are case-insensitive and reserved: a field
    named ``null`` must be written `` `null` ``.

    Blank text is no filter: `parse_filter` returns None.

Types (`check_filter`)
    ==========  =====================  ========================================================
    kind        operators              literal (normalised form)
    ==========  =====================  ========================================================
    integer     == != < <= > >=        whole number within 64 bits (int); ``1e3`` is 1000
    decimal     == != < <= > >=        number (float)
    datetime    == != < <= > >=        ISO 8601 string with offset or ``Z`` (UTC text below)
    string      == != ?                string
    choice      == !=                  one of the choices
    boolean     == !=                  ``true`` / ``false``
    chemical    == !=                  chemical id (int) or chemical name (str)
    list        ?                      one item of the list's item kind, normalised likewise
    ==========  =====================  ========================================================

    Every kind also accepts ``== null`` and ``!= null``; ``null`` with any other operator is
    an error. A datetime literal without an offset (or a date alone) is refused because its
    time zone would be a guess; the ``date`` parameter selects whole days. Datetimes are
    normalised to the stored form (`amarcord.domain.values.datetime_to_stored`): fixed-width
    UTC text ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` whose text order is time order.

Semantics (`evaluate`: the reference that the SQL translation must agree with)
    - A field is *unset* when the run has no value for it (absent or None). An empty list is
      a value, not unset.
    - ``f == null`` is true exactly when f is unset, ``f != null`` exactly when it is set.
    - Every other comparison with an unset field is false, ``!=`` included. The logic is
      two-valued: ``not (f == 3)`` is true for an unset f (SQL's NULL must not leak through
      ``NOT``).
    - ``==``/``!=`` are exact (no tolerance for decimals). Strings compare case-sensitively.
    - ``s ? "x"`` is case-sensitive substring containment (every string contains ``""``;
      SQL ``LIKE`` is case-insensitive on some engines and treats ``%``/``_`` specially, so it
      is not a faithful translation); ``l ? x`` is membership.
    - A chemical compared with an integer compares its id, with a string its name (exact).
    - There is no implicit default: an unset boolean is neither true nor false here (unlike
      data-set matching).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeAlias, TypeVar

from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedToken

from amarcord.domain.errors import Loc, ValidationFailed
from amarcord.domain.values import datetime_to_stored, stored_to_datetime

Operator = Literal["==", "!=", "<", "<=", ">", ">=", "?"]
Kind = Literal["integer", "decimal", "string", "boolean", "datetime", "choice", "list", "chemical"]
LiteralValue = int | float | str | bool | None

OPERATORS: tuple[Operator, ...] = ("==", "!=", "<", "<=", ">", ">=", "?")
_OPERATOR_BY_TEXT: dict[str, Operator] = {op: op for op in OPERATORS}
_LIST_ITEM_KINDS = ("integer", "decimal", "string", "boolean")
_INT64 = 2**63


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


# ---------------------------------------------------------------------------------------------
# Syntax tree

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


# ---------------------------------------------------------------------------------------------
# Parsing

_GRAMMAR = r"""
?start: disjunction
?disjunction: conjunction (_OR conjunction)*
?conjunction: negation (_AND negation)*
?negation: _NOT negation -> negation
         | _atom
_atom: comparison | "(" disjunction ")"
comparison: (NAME | QUOTED_NAME) OPERATOR (STRING | NUMBER | TRUE | FALSE | NULL)

OPERATOR: "==" | "!=" | "<=" | ">=" | "<" | ">" | "?"
_AND: "and"i
_OR: "or"i
_NOT: "not"i
TRUE: "true"i
FALSE: "false"i
NULL: "null"i
NAME: /[A-Za-z_][A-Za-z0-9_]*/
QUOTED_NAME: /`(?:[^`]|``)+`/
STRING: /"(?:[^"\\]|\\.)*"/s
NUMBER: /[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/
%ignore /\s+/
"""

# The basic lexer (rather than lark's contextual one) makes keywords reserved everywhere;
# the contextual lexer would read `null` as a field name wherever a literal cannot stand.
_PARSER = Lark(_GRAMMAR, parser="lalr", lexer="basic")

_KEYWORDS = frozenset({"_AND", "_OR", "_NOT", "TRUE", "FALSE", "NULL"})
_VALUE_TOKENS = frozenset({"STRING", "NUMBER", "TRUE", "FALSE", "NULL"})
_FIELD_TOKENS = frozenset({"NAME", "QUOTED_NAME"})
_EXPECTATIONS = (
    ({"OPERATOR"}, "an operator (==, !=, <, <=, >, >=, ?)"),
    (_VALUE_TOKENS, "a value (a number, a quoted string, true, false or null)"),
    ({"NAME", "QUOTED_NAME", "_NOT", "LPAR"}, "a field name, `not` or `(`"),
    ({"_AND", "_OR"}, "`and`, `or`"),
    ({"RPAR"}, "`)`"),
    ({"$END"}, "the end of the filter"),
)
_CHARACTER_HINTS = {
    '"': ("unterminated string", 'close it with `"`'),
    "`": ("unterminated or empty quoted field name", "close it with a backtick"),
    "'": ("unexpected `'`", 'strings are written in double quotes, e.g. "lysozyme"'),
    "=": ("unexpected `=`", "compare with `==`"),
    "!": ("unexpected `!`", "write `!=` or `not`"),
    "&": ("unexpected `&`", "write `and`"),
    "|": ("unexpected `|`", "write `or`"),
}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_MAX_DEPTH = 100


def parse_filter(text: str) -> Expr | None:
    """Parses filter text into a syntax tree; blank text means no filter (None)."""
    if not text.strip():
        return None
    tree = _parse_tree(text)
    return _build(tree)


def _parse_tree(text: str) -> Tree[Token]:
    tokens = _lex(text)
    try:
        tree: Tree[Token] = _PARSER.parse(text)
    except UnexpectedToken as e:
        raise _syntax_error(text, tokens, e.token, set(e.expected)) from None
    return tree


def _lex(text: str) -> list[Token]:
    try:
        return list(_PARSER.lex(text))
    except UnexpectedCharacters as e:
        problem, hint = _CHARACTER_HINTS.get(e.char, (f"unexpected character `{e.char}`", None))
        raise FilterError(problem, e.pos_in_stream or 0, hint) from None


def _syntax_error(text: str, tokens: list[Token], found: Token, expected: set[str]) -> FilterError:
    at_end = found.type == "$END"
    before = tokens if at_end else [token for token in tokens if _at(token) < _at(found)]
    depth = sum({"LPAR": 1, "RPAR": -1}.get(token.type, 0) for token in before)
    # LALR states are shared between nesting levels, so `)` is offered even when nothing is
    # open and the end of input even inside parentheses.
    expected.discard("RPAR" if depth == 0 else "$END")
    wanted = [words for names, words in _EXPECTATIONS if expected & names]
    where = f"after `{before[-1]}`" if before else "at the start"
    hint = f"expected {' or '.join(wanted)} {where}"
    if at_end:
        return FilterError("the filter ends too early", len(text.rstrip()), hint)
    return FilterError(f"unexpected `{found}`", _at(found), hint + _advice(found, expected))


def _at(token: Token) -> int:
    return token.start_pos or 0


def _advice(found: Token, expected: set[str]) -> str:
    if "NAME" in expected and found.type in _KEYWORDS:
        return f"; a field named `{found}` is written in backticks"
    if "NAME" in expected and found.type in _VALUE_TOKENS:
        return "; a comparison starts with the field, e.g. `number > 3`"
    if "NUMBER" in expected and found.type in _FIELD_TOKENS:
        return "; fields are compared with values, not with other fields"
    return ""


def _build(node: Tree[Token] | Token, depth: int = 0) -> Expr:
    assert isinstance(node, Tree)
    # Checking and evaluation recurse too; a bound here keeps all of them off Python's limit.
    if depth > _MAX_DEPTH:
        raise FilterError(f"the filter nests more than {_MAX_DEPTH} levels deep", 0)
    if node.data == "disjunction":
        return Or(tuple(_build(child, depth + 1) for child in node.children))
    if node.data == "conjunction":
        return And(tuple(_build(child, depth + 1) for child in node.children))
    if node.data == "negation":
        return Not(_build(node.children[0], depth + 1))
    name, op, value = (child for child in node.children if isinstance(child, Token))
    return Comparison(
        field=_field_name(name),
        op=_OPERATOR_BY_TEXT[str(op)],
        value=_literal(value),
        position=_at(name),
        value_position=_at(value),
    )


def _field_name(token: Token) -> str:
    if token.type == "QUOTED_NAME":
        return str(token)[1:-1].replace("``", "`")
    return str(token)


def _literal(token: Token) -> LiteralValue:
    keywords: dict[str, LiteralValue] = {"TRUE": True, "FALSE": False, "NULL": None}
    if token.type in keywords:
        return keywords[token.type]
    if token.type == "STRING":
        return _unescape(str(token), _at(token))
    return _number(str(token), _at(token))


def _unescape(raw: str, position: int) -> str:
    def replace(match: re.Match[str]) -> str:
        escaped = _ESCAPES.get(match.group(1))
        if escaped is None:
            raise FilterError(
                f"unknown escape `{match.group(0)}` in a string",
                position + 1 + match.start(),
                'escape only \\" \\\\ \\n \\t \\r',
            )
        return escaped

    return _ESCAPE.sub(replace, raw[1:-1])


def _number(text: str, position: int) -> int | float:
    try:
        number: int | float = int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else float(text)
    except ValueError:
        # Python refuses to convert integers of thousands of digits.
        raise FilterError(f"the number `{text[:20]}…` is too long", position) from None
    if isinstance(number, float) and not math.isfinite(number):
        raise FilterError(f"the number `{text}` is out of range", position)
    return number


# ---------------------------------------------------------------------------------------------
# Checking against the fields


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
    if not -_INT64 <= value < _INT64:
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


# ---------------------------------------------------------------------------------------------
# Reference evaluation


@dataclass(frozen=True)
class ChemicalRef:
    """How `evaluate` receives a chemical value: ids and names both take part in filters."""

    id: int
    name: str


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def evaluate(expr: CheckedExpr, values: Mapping[Any, object]) -> bool:
    """Whether a run with `values` (keyed by each field's `lookup_key`) passes the filter.

    Values are in domain form: int, float, str, bool, list, datetime (naive = UTC, or its
    stored text) and `ChemicalRef` for chemicals; see the module docstring for semantics."""
    if isinstance(expr, Or):
        return any(evaluate(item, values) for item in expr.items)
    if isinstance(expr, And):
        return all(evaluate(item, values) for item in expr.items)
    if isinstance(expr, Not):
        return not evaluate(expr.expr, values)
    return _holds(expr, values.get(expr.spec.lookup_key))


def _holds(comparison: CheckedComparison, actual: object) -> bool:
    if comparison.value is None:
        return (actual is None) == (comparison.op == "==")
    if actual is None:
        return False
    actual = _comparable(comparison, actual)
    if comparison.op != "?":
        return _COMPARE[comparison.op](actual, comparison.value)
    if comparison.spec.kind == "list":
        assert isinstance(actual, list | tuple)
        return any(_same(item, comparison.value) for item in actual)
    assert isinstance(actual, str) and isinstance(comparison.value, str)
    return comparison.value in actual


def _comparable(comparison: CheckedComparison, actual: object) -> object:
    if comparison.spec.kind == "datetime":
        if isinstance(actual, datetime):
            # Database drivers hand back the UTC that the store wrote without its offset.
            return datetime_to_stored(actual if actual.tzinfo else actual.replace(tzinfo=UTC))
        if not isinstance(actual, str):
            raise TypeError(f"{comparison.spec.name}: expected a datetime, got {actual!r}")
        stored_to_datetime(actual)
        return actual
    if comparison.spec.kind == "chemical":
        if not isinstance(actual, ChemicalRef):
            raise TypeError(f"{comparison.spec.name}: expected a ChemicalRef, got {actual!r}")
        return actual.id if isinstance(comparison.value, int) else actual.name
    return actual


def _same(item: object, value: LiteralValue) -> bool:
    # Python's True == 1 must not make a boolean item a member of an integer list or back.
    return isinstance(item, bool) == isinstance(value, bool) and item == value
