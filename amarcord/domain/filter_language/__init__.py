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

The package in reading order: `syntax` (the tree, operators, kinds, `FilterError`), `parse`
(text to tree), `check` (tree against the fields, literals normalised), `evaluate` (the
reference semantics). Import from the package; its modules are its own business.
"""

from amarcord.domain.filter_language.check import (
    RUN_FIELDS,
    CheckedComparison,
    CheckedExpr,
    FieldSpec,
    check_filter,
    run_filter_fields,
)
from amarcord.domain.filter_language.evaluate import ChemicalRef, evaluate
from amarcord.domain.filter_language.parse import parse_filter
from amarcord.domain.filter_language.syntax import (
    COMPARE,
    OPERATORS,
    And,
    Comparison,
    Expr,
    FilterError,
    Kind,
    LiteralValue,
    Not,
    Operator,
    Or,
)

__all__ = [
    "COMPARE",
    "OPERATORS",
    "RUN_FIELDS",
    "And",
    "CheckedComparison",
    "CheckedExpr",
    "ChemicalRef",
    "Comparison",
    "Expr",
    "FieldSpec",
    "FilterError",
    "Kind",
    "LiteralValue",
    "Not",
    "Operator",
    "Or",
    "check_filter",
    "evaluate",
    "parse_filter",
    "run_filter_fields",
]
