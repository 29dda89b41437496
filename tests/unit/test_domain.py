"""Domain rules that need no database: yard addressing, wagon limits, grain units, events."""

from __future__ import annotations

import pytest

from landbridge.domain.containers import Container, Position, PositionKind
from landbridge.domain.errors import InvalidIdentifier, RuleViolation
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.rail import WagonType
from landbridge.domain.units import Gauge, tonnes_to_kg
from landbridge.domain.yard import YardSlot
from landbridge.domain.yard_rules import BlockLimits

BLOCK = BlockLimits(
    code="A", bays=41, rows=8, max_tiers_full=3, max_tiers_empty=3, reefer_plugs=0, dangerous_goods=False
)


def test_slot_parse_and_format_round_trip() -> None:
    slot = YardSlot.parse("a-03-02-1")
    assert slot == YardSlot("A", 3, 2, 1)
    assert str(slot) == "A-03-02-1"
    with pytest.raises(InvalidIdentifier, match="slot"):
        YardSlot.parse("A-3-2")


@pytest.mark.parametrize(
    ("slot", "fragment"),
    [
        ("A-42-01-1", "bay 42 out of range 1-41"),
        ("A-01-09-1", "row 9 out of range 1-8"),
        ("A-01-01-4", "tier 4 exceeds the stack height 3"),
        ("B-01-01-1", "not in block A"),
    ],
)
def test_slot_outside_the_block_is_refused(slot: str, fragment: str) -> None:
    with pytest.raises(RuleViolation, match=fragment):
        YardSlot.parse(slot).check_within(BLOCK)


def test_wagon_slot_layout_and_axle_load() -> None:
    flat_80 = WagonType("kz_flat_80ft", Gauge.BROAD_1520, 80, 25.6, 26_000, 72_000, 4)
    assert flat_80.slot_layout_ft == (40, 40)
    assert flat_80.teu_capacity == 4
    assert flat_80.axle_load_kg(68_000) == 23_500
    assert WagonType("x", Gauge.STANDARD_1435, 60, 19.6, 22_000, 70_000, 4).slot_layout_ft == (40, 20)


def test_container_position_and_teu() -> None:
    box = Container(number=ContainerNumber("CSQU3054383"), iso_type="L5G1")
    assert box.position.kind is PositionKind.ANNOUNCED
    assert box.teu == 2.25
    assert Position(PositionKind.YARD, "A-03-02-1").describe() == "yard A-03-02-1"


def test_grain_mass_is_kept_in_whole_kilograms() -> None:
    assert tonnes_to_kg(2400) == 2_400_000
    assert tonnes_to_kg(0.0275) == 28
