from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amarcord.domain.run_ranges import (
    contains,
    format_run_ranges,
    merge_run_ranges,
    parse_run_ranges,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1-5,8,10-12", [(1, 5), (8, 8), (10, 12)]),
        (" 1 - 5 , 8 ,\t10-12 ", [(1, 5), (8, 8), (10, 12)]),
        ("8,1-5", [(1, 5), (8, 8)]),
        ("1-5,3-7", [(1, 7)]),
        ("1-3,4-6", [(1, 6)]),
        ("1-10,2-3", [(1, 10)]),
        ("5,5,5", [(5, 5)]),
        ("0", [(0, 0)]),
        ("7-7", [(7, 7)]),
        ("1-2000000000", [(1, 2000000000)]),
        ("", []),
        ("   ", []),
    ],
)
def test_parse(text, expected):
    assert parse_run_ranges(text) == expected


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("1,,2", "empty part"),
        ("1,", "empty part"),
        (",1", "empty part"),
        ("5-1", "`5-1` is reversed: write `1-5`"),
        ("-3", "`-3`: run numbers cannot be negative"),
        ("1--3", "`1--3`: run numbers cannot be negative"),
        ("1.5", "`1.5`"),
        ("abc", "`abc`"),
        ("1-", "`1-`"),
        ("+3", "`+3`"),
        ("1-2-3", "`1-2-3`"),
        ("1 2", "`1 2`"),
        ("١", "`١`"),
        ("1-2147483648", "`1-2147483648`: run numbers go up to 2147483647"),
        ("5,99999999999999999999", "`99999999999999999999`: run numbers go up to 2147483647"),
        ("1-" + "9" * 5000, "run numbers go up to 2147483647"),
        ("0002147483647-0002147483648", "run numbers go up to 2147483647"),
    ],
)
def test_parse_rejects_and_names_the_part(text, named):
    with pytest.raises(ValueError) as error:
        parse_run_ranges(text)
    assert named in str(error.value)


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ([1, 2, 3, 4, 5, 8], "1-5,8"),
        ([8, 3, 1, 2, 2, 5, 4], "1-5,8"),
        ([], ""),
        ([7], "7"),
        ([1, 2], "1-2"),
        ([1, 3, 5], "1,3,5"),
        (range(10, 20), "10-19"),
    ],
)
def test_format(numbers, expected):
    assert format_run_ranges(numbers) == expected


def test_format_refuses_negative_numbers():
    with pytest.raises(ValueError, match="negative"):
        format_run_ranges([-1, 2])


def test_the_largest_run_number_parses():
    assert parse_run_ranges("2147483647") == [(2147483647, 2147483647)]


def test_merge_keeps_gaps():
    assert merge_run_ranges([(5, 6), (1, 3)]) == [(1, 3), (5, 6)]


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, False), (1, True), (5, True), (6, False), (8, True), (9, False), (12, True), (13, False)],
)
def test_contains(number, expected):
    assert contains(parse_run_ranges("1-5,8,10-12"), number) is expected


def test_contains_nothing():
    assert not contains([], 1)


def expand(ranges):
    return {n for first, last in ranges for n in range(first, last + 1)}


@given(st.sets(st.integers(min_value=0, max_value=300), max_size=60))
def test_format_then_parse_gives_the_same_runs(numbers):
    ranges = parse_run_ranges(format_run_ranges(numbers))
    assert expand(ranges) == numbers
    assert all(contains(ranges, n) == (n in numbers) for n in range(-1, 302))


@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 50)), max_size=20))
def test_parse_then_format_is_canonical(pairs):
    ranges = parse_run_ranges(",".join(f"{first}-{first + length}" for first, length in pairs))
    canonical = format_run_ranges(expand(ranges))
    assert parse_run_ranges(canonical) == ranges
    assert all(later[0] > earlier[1] + 1 for earlier, later in pairwise(ranges))
