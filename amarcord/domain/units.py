"""Physical units of decimal attributi, checked and converted with one shared pint registry."""

from __future__ import annotations

import re
import tokenize
from functools import cache, lru_cache
from typing import Any

import pint

# pint's expression parser reports malformed input with whatever its internals trip over
# (AssertionError for "**", ZeroDivisionError for "1/0", TokenError for "mm((" ...), so the
# only way to turn every bad expression into one readable ValueError is to catch all of these.
_PARSE_ERRORS = (
    pint.PintError,
    ValueError,
    TypeError,
    AttributeError,
    ArithmeticError,
    AssertionError,
    LookupError,
    SyntaxError,
    tokenize.TokenError,
)

# pint silently drops characters it does not know ("mm!" parses as millimeter), so anything
# outside the unit grammar is refused before pint sees it.
_UNIT_CHARACTERS = re.compile(r"[\w\s*/^().\-%°]+")


@cache
def registry() -> Any:
    """The process-wide registry; building one takes a noticeable fraction of a second."""
    return pint.UnitRegistry()


# pint parses slowly (~1 ms); a retype converts every stored value with the same two units.
@lru_cache(maxsize=256)
def _parse_unit(text: str) -> Any:
    stripped = text.strip()
    if not stripped:
        raise ValueError("a unit must not be empty")
    if not _UNIT_CHARACTERS.fullmatch(stripped):
        raise ValueError(f"{text!r} is not a unit: it contains characters outside unit syntax")
    try:
        return registry().Unit(stripped)
    except pint.UndefinedUnitError as e:
        names = ", ".join(repr(name) for name in e.unit_names)
        raise ValueError(f"{text!r} is not a unit: {names} unknown") from e
    except _PARSE_ERRORS as e:
        # A scaling factor ("3 mm") is the common mistake; pint's own wording is cryptic.
        raise ValueError(f"{text!r} is not a unit expression (e.g. 'mm', 'MHz', 'mm / s')") from e


@lru_cache(maxsize=1024)
def canonical_unit(text: str) -> str:
    """The short pint form ("mm / s", "°C", "µm"): equal strings mean equal units.

    A plain number or a ratio that cancels ("1", "m/m") is refused, because an attributo
    without a unit says the same more clearly."""
    unit = _parse_unit(text)
    canonical = f"{unit:~}"
    if not canonical:
        raise ValueError(f"{text!r} is dimensionless; leave the unit empty instead")
    return canonical


def units_compatible(a: str, b: str) -> bool:
    """Whether values in unit `a` can be expressed in unit `b` (same dimensionality)."""
    return bool(_parse_unit(a).is_compatible_with(_parse_unit(b)))


def convert_quantity(value: float, from_unit: str, to_unit: str) -> float:
    """`value` in `from_unit` expressed in `to_unit`; offset units (°C → °F) shift correctly."""
    scale, offset = _affine(from_unit, to_unit)
    # Conversion factors leave binary noise (20 °C → 67.99999999999993 °F) that people would
    # see in the logbook. Offset units round through kelvin and lose about three of the 15 to 17
    # digits a double holds, so 12 significant digits keep everything that is real.
    return float(f"{value * scale + offset:.12g}")


@lru_cache(maxsize=256)
def _affine(from_unit: str, to_unit: str) -> tuple[float, float]:
    """Every unit conversion is affine, f(x) = scale * x + offset (offset only for units such
    as °C). pint takes ~0.2 ms per conversion, so a retype of 10,000 values asks it only for
    f(0) and f(1) of the pair."""
    source, target = _parse_unit(from_unit), _parse_unit(to_unit)
    try:
        at_zero = float(registry().Quantity(0.0, source).to(target).magnitude)
        at_one = float(registry().Quantity(1.0, source).to(target).magnitude)
    except pint.DimensionalityError as e:
        raise ValueError(
            f"cannot convert {from_unit} to {to_unit}: "
            f"{source.dimensionality} is not {target.dimensionality}"
        ) from e
    except pint.PintError as e:
        raise ValueError(f"cannot convert {from_unit} to {to_unit}: {e}") from e
    return at_one - at_zero, at_zero
