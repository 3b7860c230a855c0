from __future__ import annotations

import pytest

from amarcord.domain.filenames import FALLBACK_NAME, MAX_NAME_LENGTH, clean_filename


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("crystal.jpg", "crystal.jpg"),
        ("C:\\Users\\me\\crystal.jpg", "crystal.jpg"),
        ("../../etc/passwd", "passwd"),
        ("Kristall größer 🙂.png", "Kristall größer 🙂.png"),
        ("bad\x00name\r\n.txt", "badname.txt"),
        ("..", FALLBACK_NAME),
        ("", FALLBACK_NAME),
        (None, FALLBACK_NAME),
    ],
)
def test_clean_filename(raw: str | None, expected: str) -> None:
    assert clean_filename(raw) == expected


def test_long_names_keep_their_extension() -> None:
    name = clean_filename("x" * 400 + ".h5")
    assert len(name) == MAX_NAME_LENGTH
    assert name.endswith("x.h5")
