"""The grouped matching of `RunIndex` must agree with the plain rules of `domain.data_sets`."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from amarcord.domain.data_sets import MatchRule, run_matches_data_set
from amarcord.store.data_set_runs import RunIndex

RULES = {
    "1": MatchRule("decimal", 0.1),
    "2": MatchRule("decimal", 0.5, tolerance_is_absolute=True),
    "3": MatchRule("boolean"),
    "4": MatchRule("string"),
    "5": MatchRule("list"),
    "6": MatchRule("integer"),
}
VALUES: dict[str, Any] = {
    "1": st.sampled_from([None, 200.0, 220.0, 225.0, 180.0]),
    "2": st.sampled_from([None, 10.0, 10.5, 10.6]),
    "3": st.sampled_from([None, True, False]),
    "4": st.sampled_from([None, "lyso", "thau"]),
    "5": st.sampled_from([None, [1, 2], [2, 1], []]),
    "6": st.sampled_from([None, 1, 2]),
}


def documents() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=VALUES).map(
        lambda d: {key: value for key, value in d.items() if value is not None}
    )


@given(st.lists(documents(), max_size=40), documents())
def test_index_agrees_with_the_rules(runs: list[dict[str, Any]], data_set: dict[str, Any]) -> None:
    numbered = list(enumerate(runs, start=1))
    expected = [n for n, doc in numbered if run_matches_data_set(data_set, doc, RULES)]
    assert RunIndex(numbered, RULES).matching(data_set) == expected


def test_no_rules_match_every_run() -> None:
    runs = [(1, {}), (2, {"9": "ignored"})]
    assert RunIndex(runs, {}).matching({}) == [1, 2]
