"""SQL functions with one meaning on every engine.

`unicode_lower` lowercases every script's letters, for case-insensitive search: SQLite's own
`lower()` (and its `LIKE`) folds ASCII letters only, so "jürgen" did not find "Jürgen" there,
and MariaDB compares `TEXT` columns under an accent-insensitive collation, so "ä" found every
"a". The comparison that follows is then byte for byte on all three engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Text

SQLITE_LOWER = "amarcord_lower"  # registered on every SQLite connection (db/sqlite_driver.py)


class unicode_lower(FunctionElement[str]):  # noqa: N801 (named like the SQL function it is)
    type = Text()
    name = "unicode_lower"
    inherit_cache = True


@compiles(unicode_lower)
def _lower(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL: lower() follows the database's Unicode character classes.
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _lower_sqlite(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_LOWER}({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "mysql")
@compiles(unicode_lower, "mariadb")
def _lower_mysql(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    # LOWER() folds Unicode; the binary collation keeps "ä" and "a" apart in the LIKE after it.
    return f"(lower({compiler.process(element.clauses, **kw)}) COLLATE utf8mb4_bin)"


def python_lower(value: object) -> object:
    """The SQLite side of `unicode_lower`: Python's `str.lower`, NULL and non-text unchanged."""
    return value.lower() if isinstance(value, str) else value
