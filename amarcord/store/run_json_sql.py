"""SQL over the runs' attributi documents (JSON keyed by attributo id), one accessor per engine.

Each engine has its own JSON functions, and their defaults differ in ways that change results:
MySQL/MariaDB hand back a JSON `null` as the text 'null', PostgreSQL's `CAST(... AS INTEGER)`
is 32 bits, SQLite's `json_extract` turns `true` into 1, SQLAlchemy skips `CAST(... AS DOUBLE)`
on MySQL, and `LIKE` ignores case on two of the three. The accessors below give every kind of
value one meaning on all engines:

- `is_set`: the key exists and its value is not JSON null;
- `number`: integers as 64-bit integers, decimals as doubles;
- `text`: the string itself (strings, choices, datetimes in their fixed-width UTC form),
  compared byte for byte;
- `boolean`: the text 'true' or 'false';
- `contains`: case-sensitive substring containment (every string contains "");
- `has_member`: a list has an item equal to the value (booleans are not numbers).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Double,
    Float,
    LargeBinary,
    Text,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import JSON

from amarcord.db.models import Run

Sql = ColumnElement[Any]
SqlBool = ColumnElement[bool]


class _CastDouble(FunctionElement[float]):
    """`CAST(x AS DOUBLE)`, which SQLAlchemy leaves out on MySQL/MariaDB."""

    type = Float()
    name = "cast_double"
    inherit_cache = True


@compiles(_CastDouble)
def _compile_cast_double(element: _CastDouble, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DOUBLE)"


def _path(key: str) -> str:
    return f'$."{key}"'


class JsonSql:
    """The accessors for SQLite; the other engines override what differs."""

    # ORDER BY ... NULLS LAST (SQLite 3.30+, PostgreSQL): unset values last without a second
    # extraction of the value per row.
    native_nulls_last = True

    def __init__(self) -> None:
        self.doc = Run.__table__.c.attributi

    def holds(self, key: str, comparison: SqlBool) -> SqlBool:
        """`comparison` of the value at `key`, false (never NULL) when the value is unset.
        Here an unset value extracts as NULL, so one extraction per row is enough."""
        return func.coalesce(comparison, false())

    def raw_document(self) -> Sql:
        """The whole document as JSON text, left for orjson to parse (faster than the
        driver's and SQLAlchemy's per-row deserialisation)."""
        return type_coerce(self.doc, Text)

    def extract(self, key: str) -> Sql:
        return func.json_extract(self.doc, _path(key))

    def timestamp(self, column: Any) -> Sql:
        """A timestamp column as the listing prints it. SQLite keeps timestamps as text
        ("2026-11-20 08:05:00.250000"), which SQLAlchemy parses in Python: a third of the
        full table's time for 40,000 of them. Here the database rewrites that text into the
        RFC 3339 form the API prints ("2026-11-20T08:05:00.250000Z", or without the fraction
        when it is zero, as orjson and pydantic print a datetime)."""
        iso = func.replace(func.replace(column, " ", "T"), ".000000", "")
        return type_coerce(iso.concat("Z"), Text)

    def is_set(self, key: str) -> SqlBool:
        # json_extract gives SQL NULL for both a missing key and a JSON null.
        return self.extract(key).is_not(None)

    def number(self, key: str, kind: str) -> Sql:
        # SQLite keeps JSON numbers' own types: integers stay exact.
        return self.extract(key)

    def text(self, key: str) -> Sql:
        return self.extract(key)

    def boolean(self, key: str) -> Sql:
        return func.json_type(self.doc, _path(key))

    def contains(self, haystack: Sql, needle: str) -> SqlBool:
        return func.instr(haystack, needle) > 0

    def has_member(self, key: str, item: object) -> SqlBool:
        items = func.json_each(self.doc, _path(key)).table_valued("value", "type").alias("item")
        # The type check keeps `true` (which json_each reports as 1) apart from the number 1.
        is_boolean = items.c.type.in_(("true", "false"))
        condition = is_boolean if isinstance(item, bool) else ~is_boolean
        return exists(select(1).select_from(items).where(items.c.value == item, condition))


class _NativeTimestamps:
    """Engines whose drivers return timestamps as datetime objects, parsed in C: kept naive
    (UTC), for the encoder to print with "Z"."""

    def timestamp(self, column: Any) -> Sql:
        return type_coerce(column, DateTime())


class MysqlJsonSql(_NativeTimestamps, JsonSql):
    native_nulls_last = False

    def holds(self, key: str, comparison: SqlBool) -> SqlBool:
        # A JSON null extracts as the JSON value null, not as SQL NULL.
        return and_(self.is_set(key), comparison)

    def is_set(self, key: str) -> SqlBool:
        return func.coalesce(func.json_type(self.extract(key)), "NULL") != "NULL"

    def number(self, key: str, kind: str) -> Sql:
        if kind == "decimal":
            return _CastDouble(self.extract(key))
        return cast(self.extract(key), BigInteger)

    def text(self, key: str) -> Sql:
        return func.json_unquote(self.extract(key))

    def boolean(self, key: str) -> Sql:
        return self.text(key)

    def contains(self, haystack: Sql, needle: str) -> SqlBool:
        # Bytes, not characters: no collation can make the match case-insensitive.
        return func.locate(cast(literal(needle), LargeBinary), cast(haystack, LargeBinary)) > 0

    def has_member(self, key: str, item: object) -> SqlBool:
        candidate = orjson.dumps(item).decode()
        return func.coalesce(func.json_contains(self.extract(key), candidate), 0) == 1


class PostgresJsonSql(_NativeTimestamps, JsonSql):
    def raw_document(self) -> Sql:
        # SQLAlchemy's asyncpg codec would parse the json column whatever the declared type.
        return cast(self.doc, Text)

    def text(self, key: str) -> Sql:
        return self.doc.op("->>", return_type=Text)(key)

    def is_set(self, key: str) -> SqlBool:
        # ->> gives SQL NULL for a JSON null as well as for a missing key.
        return self.text(key).is_not(None)

    def number(self, key: str, kind: str) -> Sql:
        return cast(self.text(key), Double if kind == "decimal" else BigInteger)

    def boolean(self, key: str) -> Sql:
        return self.text(key)

    def contains(self, haystack: Sql, needle: str) -> SqlBool:
        return func.strpos(haystack, needle) > 0

    def has_member(self, key: str, item: object) -> SqlBool:
        # jsonb containment compares numbers by value and keeps booleans apart from them.
        value = cast(self.doc.op("->", return_type=JSON)(key), JSONB)
        candidate = cast(literal(orjson.dumps([item]).decode()), JSONB)
        return func.coalesce(value.op("@>", return_type=Boolean)(candidate), False)


_ACCESSORS: dict[str, type[JsonSql]] = {
    "sqlite": JsonSql,
    "mysql": MysqlJsonSql,
    "postgresql": PostgresJsonSql,
}


def json_sql(dialect_kind: str) -> JsonSql:
    """The accessors for 'sqlite', 'mysql' (also MariaDB) or 'postgresql'."""
    return _ACCESSORS[dialect_kind]()
