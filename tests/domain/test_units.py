import pytest

from amarcord.domain.units import canonical_unit, convert_quantity, registry, units_compatible


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (["mm/s", "mm / s", "  mm/s ", "millimeter/second", "mm*s**-1"], "mm / s"),
        (["MHz", "megahertz"], "MHz"),
        (["degC", "°C", "degree_Celsius"], "°C"),
        (["um", "µm", "micrometer"], "µm"),
        (["angstrom", "Å"], "Å"),
        (["1/s", "s^-1"], "1 / s"),
        (["mm*mm", "mm^2", "mm**2"], "mm ** 2"),
        (["percent", "%"], "%"),
    ],
)
def test_equal_units_have_one_canonical_form(spellings: list[str], canonical: str) -> None:
    assert {canonical_unit(spelling) for spelling in spellings} == {canonical}


def test_different_units_stay_different() -> None:
    assert canonical_unit("mm/s") != canonical_unit("mm/ms")


@pytest.mark.parametrize("text", ["mm / s", "°C", "µm", "Å", "1 / s", "mm ** 2", "%", "keV"])
def test_canonical_form_is_a_fixed_point(text: str) -> None:
    assert canonical_unit(canonical_unit(text)) == canonical_unit(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("bananas", "'bananas' unknown"),
        ("mm/bananas", "'bananas' unknown"),
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("3 mm", "not a unit expression"),
        ("2", "not a unit expression"),
        ("**", "not a unit expression"),
        ("mm/", "not a unit expression"),
        ("1/0", "not a unit expression"),
        ("mm((", "not a unit expression"),
        ("mm ** mm", "not a unit expression"),
        ("mm + s", "characters outside unit syntax"),
        ("mm!", "characters outside unit syntax"),
        ("mm\x00", "characters outside unit syntax"),
        ("1", "dimensionless"),
        ("m/m", "dimensionless"),
    ],
)
def test_bad_units_are_refused_readably(text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        canonical_unit(text)
    assert fragment in str(info.value)
    assert repr(text) in str(info.value) or not text.strip()


def test_registry_is_shared() -> None:
    assert registry() is registry()


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (1.5, "MHz", "kHz", 1500.0),
        (0.1, "m", "mm", 100.0),
        (1 / 3, "m", "mm", 333.333333333),
        (20.0, "degC", "degF", 68.0),
        (-40.0, "degF", "degC", -40.0),
        (0.0, "degC", "K", 273.15),
        (5.0, "mm / s", "mm / s", 5.0),
        (2.0, "keV", "eV", 2000.0),
    ],
)
def test_convert_quantity(value: float, from_unit: str, to_unit: str, expected: float) -> None:
    assert convert_quantity(value, from_unit, to_unit) == expected


def test_convert_quantity_refuses_other_dimensions() -> None:
    with pytest.raises(
        ValueError, match=r"cannot convert MHz to mm: 1 / \[time\] is not \[length\]"
    ):
        convert_quantity(1.0, "MHz", "mm")


def test_convert_quantity_refuses_bad_units() -> None:
    with pytest.raises(ValueError, match="bananas"):
        convert_quantity(1.0, "bananas", "mm")


@pytest.mark.parametrize(
    ("a", "b", "compatible"),
    [("MHz", "kHz", True), ("degC", "degF", True), ("mm/s", "m/ms", True), ("MHz", "mm", False)],
)
def test_units_compatible(a: str, b: str, compatible: bool) -> None:
    assert units_compatible(a, b) is compatible
