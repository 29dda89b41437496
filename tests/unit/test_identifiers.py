"""Identifiers: ISO 6346 containers, wagon numbers, IMO, LOCODE, HS, IMDG."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso6346

from landbridge.domain.dangerous_goods import DangerousGoods
from landbridge.domain.errors import InvalidIdentifier
from landbridge.domain.identifiers import (
    ContainerNumber,
    HSCode,
    IMONumber,
    UICWagonNumber,
    UNLocode,
    Wagon1520Number,
    parse_wagon_number,
)
from landbridge.domain.iso_types import size_type


def test_container_number_is_normalised_and_checked() -> None:
    number = ContainerNumber(" csqu 305438-3 ")
    assert number == "CSQU3054383"
    assert number.owner_code == "CSQ"
    assert number.category == "U"
    assert number.formatted() == "CSQU 305438 3"


def test_wrong_check_digit_names_the_right_one() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        ContainerNumber("CSQU3054384")
    assert caught.value.field == "number"
    assert "check digit should be 3" in caught.value.reason


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("CSQX3054383", "category must be U, J or Z"), ("CS1U3054383", "owner code"), ("CSQU305438", "11 characters")],
)
def test_malformed_container_numbers(value: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifier, match=fragment):
        ContainerNumber(value)


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
    st.sampled_from("UJZ"),
    st.integers(0, 999_999),
)
def test_every_number_with_its_computed_check_digit_is_accepted(owner: str, category: str, serial: int) -> None:
    stem = f"{owner}{category}{serial:06d}"
    digit = iso6346.calc_check_digit(stem)
    assert ContainerNumber(stem + digit) == stem + digit
    wrong = str((int(digit) + 1) % 10)
    with pytest.raises(InvalidIdentifier):
        ContainerNumber(stem + wrong)


def test_uic_wagon_number_luhn() -> None:
    assert UICWagonNumber("21 81 2471 217-3") == "218124712173"
    with pytest.raises(InvalidIdentifier, match="should be 3"):
        UICWagonNumber("218124712174")


def test_1520_wagon_number() -> None:
    number = Wagon1520Number("42000018")
    assert number.kind == "flat"
    assert isinstance(parse_wagon_number("42000018"), Wagon1520Number)
    assert isinstance(parse_wagon_number("218124712173"), UICWagonNumber)
    with pytest.raises(InvalidIdentifier):
        Wagon1520Number("42000014")


def test_imo_locode_hs() -> None:
    assert IMONumber("IMO 9074729") == "9074729"
    with pytest.raises(InvalidIdentifier, match="imo_number"):
        IMONumber("9074728")
    assert UNLocode("cn lyg").country == "CN"
    with pytest.raises(InvalidIdentifier):
        UNLocode("CN1YG")
    wheat = HSCode("1001.99.0000")
    assert wheat.subheading == "100199"
    assert wheat.national_extension == "0000"
    with pytest.raises(InvalidIdentifier, match="chapter 77"):
        HSCode("770000")


def test_size_types() -> None:
    assert size_type("45G1").teu == 2
    assert size_type("45G1").is_high_cube
    assert size_type("L5G1").length_ft == 45
    assert size_type("L5G1").height_mm == 2896
    assert size_type("22R1").is_reefer
    assert size_type("22T1").is_tank
    assert size_type("22U1").is_open_top
    with pytest.raises(InvalidIdentifier, match="iso_type"):
        size_type("99X9")


def test_dangerous_goods() -> None:
    assert DangerousGoods("2.1", "1965", "II").primary_class == "2"
    with pytest.raises(InvalidIdentifier, match="imdg_class"):
        DangerousGoods("10", "1965")
    with pytest.raises(InvalidIdentifier, match="un_number"):
        DangerousGoods("3", "12")
