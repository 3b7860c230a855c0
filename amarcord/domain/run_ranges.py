"""Run ranges such as ``1-5,8,10-12``: the form in which people select runs and in which data
sets list the runs that match them.

Ranges are kept as inclusive ``(first, last)`` pairs, never expanded, so ``1-1000000000`` costs
no more than ``1-5``. The canonical form, which `parse_run_ranges` returns and
`format_run_ranges` prints, is sorted, with overlapping and adjacent ranges merged.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from amarcord.domain.limits import MAX_ID

RunRange = tuple[int, int]

_PART = re.compile(r"([0-9]+)(?:\s*-\s*([0-9]+))?")


def parse_run_ranges(text: str) -> list[RunRange]:
    """Parses ``"1-5, 8,10-12"`` into canonical ranges; blank text selects no runs.

    Raises `ValueError` naming the offending part for empty parts (``"1,,2"``), reversed
    ranges, negative numbers, numbers beyond the 32-bit run numbers and anything that is not
    a number."""
    if not text.strip():
        return []
    return merge_run_ranges(_parse_part(part) for part in text.split(","))


def _parse_part(part: str) -> RunRange:
    stripped = part.strip()
    if not stripped:
        raise ValueError("empty part in run ranges: remove the extra comma")
    match = _PART.fullmatch(stripped)
    if match is None:
        if stripped.startswith("-") or "--" in stripped:
            raise ValueError(f"`{stripped}`: run numbers cannot be negative")
        raise ValueError(f"`{stripped}` is neither a run number nor a range like `1-5`")
    # Digits beyond the largest run number are refused before int() (which also refuses
    # more than 4,300 digits, with a message about Python).
    if any(len(digits.lstrip("0")) > len(str(MAX_ID)) for digits in match.groups() if digits):
        raise ValueError(f"`{stripped[:40]}`: run numbers go up to {MAX_ID}")
    first = int(match.group(1))
    last = first if match.group(2) is None else int(match.group(2))
    if last < first:
        raise ValueError(f"`{stripped}` is reversed: write `{last}-{first}`")
    if last > MAX_ID:
        raise ValueError(f"`{stripped}`: run numbers go up to {MAX_ID}")
    return first, last


def merge_run_ranges(ranges: Iterable[RunRange]) -> list[RunRange]:
    """Sorts ranges and merges those that overlap or touch (``1-3,4-6`` is ``1-6``)."""
    merged: list[RunRange] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def format_run_ranges(numbers: Iterable[int]) -> str:
    """Prints run numbers in canonical form: ``[8, 1, 2, 3, 2]`` → ``"1-3,8"``; none → ``""``."""
    numbers = list(numbers)
    if any(number < 0 for number in numbers):
        raise ValueError("run numbers cannot be negative")
    return ",".join(
        str(first) if first == last else f"{first}-{last}"
        for first, last in merge_run_ranges((number, number) for number in numbers)
    )


def contains(ranges: Sequence[RunRange], number: int) -> bool:
    """Whether `number` lies in canonical `ranges` (as `parse_run_ranges` returns them)."""
    index = bisect_right(ranges, number, key=lambda run_range: run_range[0])
    return index > 0 and number <= ranges[index - 1][1]
