"""File names as clients send them: only the last path component is kept, control characters
are dropped and the name is shortened to what the database holds."""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

MAX_NAME_LENGTH = 255
FALLBACK_NAME = "upload"


def clean_filename(raw: str | None) -> str:
    """A safe display name: browsers send `C:\\Users\\me\\x.png`, scripts send `../x.png`."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if not name:
        return FALLBACK_NAME
    return shorten(name, MAX_NAME_LENGTH)


def shorten(name: str, limit: int) -> str:
    """Cuts the stem, not the extension, so that a long name keeps its type."""
    if len(name) <= limit:
        return name
    suffix = PurePath(name).suffix
    if len(suffix) >= limit // 2:
        suffix = ""
    return name[: limit - len(suffix)] + suffix
