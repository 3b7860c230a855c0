"""Parsing filter text into the syntax tree (lark, LALR), with positions and advice in errors."""

from __future__ import annotations

import math
import re

from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedToken

from amarcord.domain.filter_language.syntax import (
    OPERATORS,
    And,
    Comparison,
    Expr,
    FilterError,
    LiteralValue,
    Not,
    Operator,
    Or,
)

_OPERATOR_BY_TEXT: dict[str, Operator] = {op: op for op in OPERATORS}

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
