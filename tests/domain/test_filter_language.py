from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amarcord.domain.errors import ValidationFailed
from amarcord.domain.filter_language import (
    OPERATORS,
    RUN_FIELDS,
    And,
    CheckedComparison,
    ChemicalRef,
    Comparison,
    FieldSpec,
    FilterError,
    Not,
    Or,
    check_filter,
    evaluate,
    parse_filter,
    run_filter_fields,
)

FIELDS = run_filter_fields(
    [
        FieldSpec("distance", "decimal"),
        FieldSpec("comment", "string"),
        FieldSpec("mode", "choice", choices=("SFX", "SAXS")),
        FieldSpec("dark", "boolean"),
        FieldSpec("sample", "chemical"),
        FieldSpec("tags", "list", item_kind="string"),
        FieldSpec("ints", "list", item_kind="integer"),
        FieldSpec("floats", "list", item_kind="decimal"),
        FieldSpec("flags", "list", item_kind="boolean"),
        FieldSpec("sample name", "string"),
        FieldSpec("null", "integer"),
    ]
)


def cmp(field, op, value):
    return Comparison(field, op, value)


def check(text, fields=FIELDS):
    expr = parse_filter(text)
    assert expr is not None
    return check_filter(expr, fields)


def error_of(call, *args):
    with pytest.raises(FilterError) as error:
        call(*args)
    return error.value


# --- syntax ---------------------------------------------------------------------------------


def test_the_example_from_the_contract():
    assert parse_filter(
        'sample == "lysozyme" and detector_distance >= 100 and not (comment ? "bad")'
    ) == And(
        (
            cmp("sample", "==", "lysozyme"),
            cmp("detector_distance", ">=", 100),
            Not(cmp("comment", "?", "bad")),
        )
    )


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("a == 1 or b == 2 and c == 3", "a == 1 or (b == 2 and c == 3)"),
        ("a == 1 and b == 2 or c == 3", "(a == 1 and b == 2) or c == 3"),
        ("not a == 1 and b == 2", "(not a == 1) and b == 2"),
        ("not a == 1 or b == 2", "(not (a == 1)) or b == 2"),
        ("((a == 1))", "a == 1"),
        ("a==1 AND b==2 Or NOT c==3", "a == 1 and b == 2 or not c == 3"),
        ("a\n==\t1", "a == 1"),
    ],
)
def test_precedence_and_parentheses(text, same_as):
    assert parse_filter(text) == parse_filter(same_as)


def test_or_of_ands_tree():
    assert parse_filter("a == 1 or b == 2 and c == 3") == Or(
        (cmp("a", "==", 1), And((cmp("b", "==", 2), cmp("c", "==", 3))))
    )


def test_parentheses_override_precedence():
    assert parse_filter("(a == 1 or b == 2) and c == 3") == And(
        (Or((cmp("a", "==", 1), cmp("b", "==", 2))), cmp("c", "==", 3))
    )


def test_double_negation_is_kept():
    assert parse_filter("not not a == 1") == Not(Not(cmp("a", "==", 1)))


def render(node, context=0):
    """Filter text with only the parentheses that precedence requires; a chain nested in a
    chain of its own kind keeps them, so that the parsed tree has the same shape."""
    if isinstance(node, Comparison):
        return f"{node.field} {node.op} {node.value}"
    if isinstance(node, Not):
        return "not " + render(node.expr, 3)
    precedence, word = (1, " or ") if isinstance(node, Or) else (2, " and ")
    text = word.join(render(item, precedence + 1) for item in node.items)
    return f"({text})" if precedence < context else text


comparisons = st.builds(
    Comparison, st.sampled_from(["a", "b", "c"]), st.sampled_from(OPERATORS), st.integers(-5, 5)
)
trees = st.recursive(
    comparisons,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda items: Or(tuple(items))),
        st.lists(children, min_size=2, max_size=3).map(lambda items: And(tuple(items))),
        children.map(Not),
    ),
    max_leaves=12,
)


@given(trees)
def test_minimal_parentheses_parse_back_to_the_same_tree(tree):
    assert parse_filter(render(tree)) == tree


@pytest.mark.parametrize("op", OPERATORS)
def test_every_operator(op):
    assert parse_filter(f"a {op} 1") == cmp("a", op, 1)
    assert parse_filter(f"a{op}1") == cmp("a", op, 1)


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("12", 12),
        ("-12", -12),
        ("+12", 12),
        ("0", 0),
        ("1.5", 1.5),
        ("-1.5e-3", -0.0015),
        ("2E3", 2000.0),
        (".5", 0.5),
        ("5.", 5.0),
        ('"lyso"', "lyso"),
        ('""', ""),
        (r'"say \"hi\""', 'say "hi"'),
        (r'"a\\b"', "a\\b"),
        (r'"a\nb\tc\rd"', "a\nb\tc\rd"),
        ('"ünïcødé and ?"', "ünïcødé and ?"),
        ("true", True),
        ("FALSE", False),
        ("Null", None),
    ],
)
def test_literals(literal, value):
    parsed = parse_filter(f"a == {literal}")
    assert parsed == cmp("a", "==", value)
    assert type(parsed.value) is type(value)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("`sample name` == 1", "sample name"),
        ("`pH (at 20 °C)` == 1", "pH (at 20 °C)"),
        ("`null` == 1", "null"),
        ("`and` == 1", "and"),
        ("`a``b` == 1", "a`b"),
        ("_x9 == 1", "_x9"),
        ("andy == 1", "andy"),
        ("notes == 1", "notes"),
        ("order == 1", "order"),
    ],
)
def test_field_names(text, field):
    assert parse_filter(text) == cmp(field, "==", 1)


def test_positions_of_field_and_value():
    parsed = parse_filter('  x == 1 and `y z` ? "q"')
    assert isinstance(parsed, And)
    first, second = parsed.items
    assert (first.position, first.value_position) == (2, 7)
    assert (second.position, second.value_position) == (13, 21)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_is_no_filter(text):
    assert parse_filter(text) is None


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("sample", 6, "the filter ends too early; expected an operator"),
        ('sample "x"', 7, "expected an operator (==, !=, <, <=, >, >=, ?) after `sample`"),
        ("a ==", 4, "expected a value (a number, a quoted string, true, false or null) after `==`"),
        ("a == b", 5, "fields are compared with values, not with other fields"),
        ("3 < a", 0, "expected a field name, `not` or `(` at the start"),
        ("3 < a", 0, "a comparison starts with the field"),
        ("null == 1", 0, "a field named `null` is written in backticks"),
        ("a == 1 b == 2", 7, "expected `and`, `or` or the end of the filter after `1`"),
        ("(a == 1", 7, "expected `)` after `1`"),
        ("(a == 1 b", 8, "expected `and`, `or` or `)` after `1`"),
        ("a == 1)", 6, "unexpected `)`; expected the end of the filter"),
        ("a == 1 and", 10, "expected a field name, `not` or `(` after `and`"),
        ("a == 1 and  ", 10, "the filter ends too early"),
        ("not", 3, "after `not`"),
        ("()", 1, "unexpected `)`"),
        ("a = 1", 2, "compare with `==`"),
        ("a === 1", 4, "compare with `==`"),
        ("a ! 1", 2, "write `!=` or `not`"),
        ("a == 1 && b == 2", 7, "write `and`"),
        ("a == 1 || b == 2", 7, "write `or`"),
        ("a == 'x'", 5, "double quotes"),
        ('a == "x', 5, "unterminated string"),
        ("`a == 1", 0, "unterminated or empty quoted field name"),
        ("`` == 1", 0, "unterminated or empty quoted field name"),
        ("a == 1 # x", 7, "unexpected character `#`"),
        (r'a == "x\q"', 7, r"unknown escape `\q`"),
        ("a == 1e999", 5, "out of range"),
        ("a == 1.2.3", 8, "unexpected `.3`"),
    ],
)
def test_syntax_errors(text, position, message):
    error = error_of(parse_filter, text)
    assert error.position == position
    assert message in error.message
    assert str(error).endswith(f"(at position {position})")


@pytest.mark.parametrize(
    "text", ["not " * 3000 + "a == 1", "a == 1 and (" * 1500 + "a == 1" + ")" * 1500]
)
def test_deep_nesting_is_refused(text):
    assert "nests more than 100 levels" in error_of(parse_filter, text).message


def test_redundant_parentheses_do_not_nest():
    assert parse_filter("(" * 3000 + "a == 1" + ")" * 3000) == cmp("a", "==", 1)


def test_syntax_error_hint_is_the_expectation():
    error = error_of(parse_filter, 'sample "lyso"')
    assert error.hint == "expected an operator (==, !=, <, <=, >, >=, ?) after `sample`"
    assert error.message == 'unexpected `"lyso"`; ' + error.hint


def test_filter_error_is_a_value_error_and_a_422():
    error = error_of(parse_filter, "a ==")
    assert isinstance(error, ValueError)
    failed = error.as_validation_failed()
    assert isinstance(failed, ValidationFailed)
    assert failed.errors[0].loc == ("filter",)
    assert "after `==`" in failed.errors[0].msg


# --- checking -------------------------------------------------------------------------------

SAMPLE_LITERALS = {
    "number": "3",
    "distance": "2.5",
    "started": '"2026-11-22T14:03:00Z"',
    "comment": '"x"',
    "experiment_type": '"serial"',
    "mode": '"SFX"',
    "dark": "true",
    "sample": "4",
    "tags": '"x"',
}
ALLOWED = {
    "number": {"==", "!=", "<", "<=", ">", ">="},
    "distance": {"==", "!=", "<", "<=", ">", ">="},
    "started": {"==", "!=", "<", "<=", ">", ">="},
    "comment": {"==", "!=", "?"},
    "experiment_type": {"==", "!=", "?"},
    "mode": {"==", "!="},
    "dark": {"==", "!="},
    "sample": {"==", "!="},
    "tags": {"?"},
}


@pytest.mark.parametrize("field", sorted(SAMPLE_LITERALS))
@pytest.mark.parametrize("op", OPERATORS)
def test_operator_by_kind(field, op):
    text = f"{field} {op} {SAMPLE_LITERALS[field]}"
    if op in ALLOWED[field]:
        checked = check(text)
        assert isinstance(checked, CheckedComparison)
        assert checked.spec is FIELDS[field]
    else:
        error = error_of(check, text)
        assert error.position == 0
        assert f"`{op}` does not apply to `{field}`" in error.message


@pytest.mark.parametrize("field", sorted(SAMPLE_LITERALS))
def test_every_kind_can_be_compared_with_null(field):
    assert check(f"{field} == null") == CheckedComparison(FIELDS[field], "==", None)
    assert check(f"{field} != null") == CheckedComparison(FIELDS[field], "!=", None)


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "?"])
def test_null_only_with_equality(op):
    error = error_of(check, f"number {op} null")
    assert error.position == len(f"number {op} ")
    assert error.message == f"`null` cannot be compared with `{op}`; use == or !="


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("number == 3", 3),
        ("number == 3.0", 3),
        ("number == 1e3", 1000),
        ("number > -9223372036854775808", -(2**63)),
        ("distance == 3", 3.0),
        ("distance == -1.5e2", -150.0),
        ('started == "2026-11-22T14:03:00Z"', "2026-11-22T14:03:00.000000Z"),
        ('started == "2026-11-22T14:03:00.5+02:00"', "2026-11-22T12:03:00.500000Z"),
        ('started == "2026-11-22 14:03Z"', "2026-11-22T14:03:00.000000Z"),
        ('started == "0999-01-01T00:00:00-01:00"', "0999-01-01T01:00:00.000000Z"),
        ("sample == 4", 4),
        ('sample == "lysozyme"', "lysozyme"),
        ('mode == "SAXS"', "SAXS"),
        ("dark == false", False),
        ('tags ? "x"', "x"),
        ("ints ? 2.0", 2),
        ("floats ? 2", 2.0),
        ("flags ? true", True),
    ],
)
def test_literals_are_normalised(text, value):
    checked = check(text)
    assert checked.value == value
    assert type(checked.value) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('number > "3"', "`number` is an integer; compare it with a whole number"),
        ("number > 2.5", "`number` is an integer"),
        ("number == true", "`number` is an integer"),
        ("number == 9223372036854775808", "9223372036854775808 is out of range"),
        ('distance == "3"', "`distance` is a decimal; compare it with a number"),
        ("distance == true", "`distance` is a decimal"),
        ("comment == 3", "`comment` is a string; compare it with a quoted string"),
        ("comment ? true", "`comment` is a string"),
        ("experiment_type == 1", "`experiment_type` is a string"),
        ("dark == 1", "`dark` is a boolean; compare it with true or false"),
        ('dark == "true"', "`dark` is a boolean"),
        ("started > 3", "`started` is a date and time; compare it with an ISO 8601 time"),
        ('started > "yesterday"', '"yesterday" is not an ISO 8601 time'),
        ('started > "2026-11-22"', '"2026-11-22" has no time zone offset'),
        ('started > "2026-11-22T10:00:00"', "has no time zone offset"),
        ('started > "0001-01-01T00:00:00+01:00"', "is out of range"),
        ("mode == 1", "`mode` is a choice"),
        ('mode == "sfx"', '`mode` has no choice "sfx"; did you mean "SFX"?'),
        ('mode == "SAX"', 'did you mean "SAXS"?'),
        ('mode == "zzz"', 'choose one of "SFX", "SAXS"'),
        ("sample == true", "`sample` is a chemical; compare it with a chemical id or a chemical"),
        ("sample == 2.5", "`sample` is a chemical"),
        ("tags ? 1", "`tags` is a list of string items; `?` takes a quoted string"),
        ('ints ? "1"', "`ints` is a list of integer items; `?` takes a whole number"),
        ("ints ? 1.5", "`ints` is a list of integer items"),
        ("ints ? true", "`ints` is a list of integer items"),
        ('floats ? "x"', "`floats` is a list of decimal items; `?` takes a number"),
        ("flags ? 1", "`flags` is a list of boolean items; `?` takes true or false"),
    ],
)
def test_type_mismatches_point_at_the_literal(text, message):
    error = error_of(check, text)
    assert message in error.message
    assert error.position == text.index(" ", text.index(" ") + 1) + 1


@pytest.mark.parametrize(
    ("text", "message", "hint", "position"),
    [
        ('smaple == "x"', "unknown field `smaple`", "did you mean `sample`?", 0),
        ("number == 1 and numbr > 3", "unknown field `numbr`", "did you mean `number`?", 16),
        ("not (STARTD == null)", "unknown field `STARTD`", "did you mean `started`?", 5),
        ("`sample nme` == null", "unknown field `sample nme`", "did you mean `sample name`?", 0),
        ("zzzzzz == 1", "unknown field `zzzzzz`", None, 0),
    ],
)
def test_unknown_fields(text, message, hint, position):
    error = error_of(check, text)
    assert error.message == (message if hint is None else f"{message}; {hint}")
    assert error.hint == hint
    assert error.position == position


def test_field_names_are_case_insensitive():
    assert check("NUMBER == 1") == check("number == 1")
    assert check("Sample == 1").spec is FIELDS["sample"]


def test_exact_spelling_resolves_fields_that_differ_only_in_case():
    fields = {"pH": FieldSpec("pH", "decimal", key=1), "PH": FieldSpec("PH", "string", key=2)}
    assert check("pH == 1", fields).spec.key == 1
    assert check('PH == "x"', fields).spec.key == 2
    error = error_of(check, "ph == 1", fields)
    assert error.message == "`ph` is ambiguous; write `pH` or `PH`"


def test_keyword_named_field_needs_backticks():
    assert check("`null` == 1").spec is FIELDS["null"]


def test_check_keeps_the_structure():
    checked = check('not (number > 3 or comment ? "x") and dark == true')
    assert checked == And(
        (
            Not(
                Or(
                    (
                        CheckedComparison(FIELDS["number"], ">", 3),
                        CheckedComparison(FIELDS["comment"], "?", "x"),
                    )
                )
            ),
            CheckedComparison(FIELDS["dark"], "==", True),
        )
    )


def test_built_in_fields_win_over_attributi_of_the_same_name():
    own = FieldSpec("Number", "string", key=7)
    fields = run_filter_fields([own])
    assert fields["number"] == RUN_FIELDS[0]
    assert own not in fields.values()
    assert {spec.name for spec in RUN_FIELDS} == {
        "number",
        "started",
        "stopped",
        "experiment_type",
    }


@pytest.mark.parametrize(
    "spec",
    [
        lambda: FieldSpec("tags", "list"),
        lambda: FieldSpec("tags", "list", item_kind="chemical"),
        lambda: FieldSpec("mode", "choice"),
        lambda: FieldSpec("mode", "choice", choices=()),
    ],
)
def test_incomplete_field_specs_are_refused(spec):
    with pytest.raises(ValueError, match="needs"):
        spec()


# --- evaluation -----------------------------------------------------------------------------

LYSO = ChemicalRef(4, "lysozyme")
RUN = {
    "number": 12,
    "started": datetime(2026, 11, 22, 14, 3, tzinfo=UTC),
    "distance": 120.5,
    "comment": "thin crystals, Bad ice",
    "mode": "SFX",
    "dark": False,
    "sample": LYSO,
    "tags": ["a", "b"],
    "ints": [1, 2],
    "flags": [True],
    "experiment_type": "serial",
}


def holds(text, values=RUN):
    return evaluate(check(text), values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("number == 12", True),
        ("number != 12", False),
        ("number < 13 and number <= 12 and number > 11 and number >= 12", True),
        ("number < 12", False),
        ("distance > 120.4", True),
        ("distance == 120.5", True),
        ("distance >= 121", False),
        ('started == "2026-11-22T15:03:00+01:00"', True),
        ('started > "2026-11-22T14:02:59.999999Z"', True),
        ('started < "2026-11-22T14:03:00Z"', False),
        ('comment ? "thin"', True),
        ('comment ? "bad"', False),
        ('comment ? "Bad"', True),
        ('comment ? ""', True),
        ('comment == "thin crystals, Bad ice"', True),
        ('mode == "SFX"', True),
        ('mode != "SFX"', False),
        ("dark == false", True),
        ("dark == true", False),
        ("sample == 4", True),
        ("sample == 5", False),
        ('sample == "lysozyme"', True),
        ('sample == "Lysozyme"', False),
        ('sample != "thaumatin"', True),
        ('tags ? "a"', True),
        ('tags ? "c"', False),
        ("ints ? 2", True),
        ("ints ? 3", False),
        ("flags ? true", True),
        ("flags ? false", False),
        ('experiment_type == "serial"', True),
        ("number == null", False),
        ("number != null", True),
        ("number == 1 or number == 12 and dark == true", False),
        ("(number == 1 or number == 12) and dark == false", True),
        ("number == 12 or number == 1 and dark == true", True),
        ("not number == 12", False),
        ("not not number == 12", True),
        ('sample == "lysozyme" and distance >= 100 and not (comment ? "bad")', True),
    ],
)
def test_evaluation(text, expected):
    assert holds(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stopped == null", True),
        ("stopped != null", False),
        ('stopped < "2030-01-01T00:00:00Z"', False),
        ('stopped >= "2030-01-01T00:00:00Z"', False),
        ('stopped != "2030-01-01T00:00:00Z"', False),
        ('not stopped != "2030-01-01T00:00:00Z"', True),
        ("dark == false", False),
        ("dark != true", False),
        ("not dark == true", True),
        ('comment ? ""', False),
        ('comment != "x"', False),
        ("sample != 4", False),
        ('tags ? "a"', False),
        ("number > 0 or number == null", True),
    ],
)
def test_unset_values(text, expected):
    unset = {"number": None, "tags": None}
    assert holds(text, unset) is expected


def test_an_empty_list_is_set():
    assert holds("tags != null", {"tags": []})
    assert not holds('tags ? ""', {"tags": []})


def test_list_membership_does_not_confuse_booleans_and_integers():
    assert not holds("ints ? 1", {"ints": [True]})
    assert not holds("flags ? true", {"flags": [1]})


@pytest.mark.parametrize(
    "started",
    [
        datetime(2026, 11, 22, 14, 3),
        datetime(2026, 11, 22, 19, 3, tzinfo=timezone(timedelta(hours=5))),
        "2026-11-22T14:03:00.000000Z",
    ],
)
def test_datetimes_naive_as_utc_aware_or_stored_text(started):
    assert holds('started == "2026-11-22T14:03:00Z"', {"started": started})
    assert holds('started < "2026-11-22T14:03:00.000001Z"', {"started": started})


def test_values_are_looked_up_by_key():
    fields = {"pH": FieldSpec("pH", "decimal", key=17)}
    checked = check_filter(parse_filter("ph > 7"), fields)
    assert evaluate(checked, {17: 7.5})
    assert not evaluate(checked, {"pH": 7.5})


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('started == "2026-11-22T14:03:00Z"', "2026-11-22T14:03:00Z"),
        ('started == "2026-11-22T14:03:00Z"', 1),
        ("sample == 4", 4),
    ],
)
def test_evaluator_insists_on_domain_values(text, value):
    field = text.split()[0]
    with pytest.raises((TypeError, ValueError)):
        holds(text, {field: value})
