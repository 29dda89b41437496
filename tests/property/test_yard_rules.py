"""The pure stacking rules: segregation is symmetric, and whatever the proposal picks passes every check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from landbridge.domain.errors import Conflict, RuleViolation
from landbridge.domain.yard import YardSlot
from landbridge.domain.yard_rules import BlockLimits, BlockState, Box, StoredBox, segregation_distance

CLASSES = st.sampled_from(["1.1", "2.1", "2.2", "3", "4.1", "4.3", "5.1", "5.2", "6.1", "7", "8", "9"])
BLOCK = BlockLimits("E", bays=6, rows=3, max_tiers_full=2, max_tiers_empty=3, reefer_plugs=2, dangerous_goods=True)
BOXES = st.builds(
    Box,
    number=st.uuids().map(lambda u: u.hex[:11]),
    length_ft=st.sampled_from([20, 40, 45]),
    laden=st.booleans(),
    open_top=st.booleans(),
    needs_power=st.booleans(),
    dg_classes=st.frozensets(CLASSES, max_size=2),
)


@given(CLASSES, CLASSES)
def test_segregation_is_symmetric_and_class_9_is_free(a: str, b: str) -> None:
    assert segregation_distance(a, b) == segregation_distance(b, a)
    assert segregation_distance(a, "9") == 0 and segregation_distance(a, a) == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(BOXES, max_size=14))
def test_proposals_pass_every_check_and_never_overfill(boxes: list[Box]) -> None:
    """Fill a block box by box with the proposal; the result must be a legal stacking at every step."""
    stored: list[StoredBox] = []
    for box in boxes:
        state = BlockState(BLOCK, stored)
        slot = state.propose(box)
        if slot is None:
            continue
        state.check(box, slot)  # raises if the proposal broke a rule
        stored.append(StoredBox(box, slot))
    cells: dict[tuple[int, int, int], str] = {}
    for item in stored:
        bays = (item.slot.bay - 1, item.slot.bay) if item.box.length_ft >= 40 else (item.slot.bay,)
        for bay in bays:
            assert (bay, item.slot.row, item.slot.tier) not in cells
            cells[(bay, item.slot.row, item.slot.tier)] = item.box.number
    assert sum(1 for s in stored if s.box.needs_power) <= BLOCK.reefer_plugs


def test_a_taken_slot_is_a_conflict_and_a_long_box_needs_an_even_bay() -> None:
    first = Box("A", 20, laden=False)
    state = BlockState(BLOCK, [StoredBox(first, YardSlot("E", 1, 1, 1))])
    try:
        state.check(Box("B", 20, laden=False), YardSlot("E", 1, 1, 1))
    except Conflict as error:
        assert error.field == "slot"
    else:
        raise AssertionError("a taken slot must be refused")
    try:
        state.check(Box("C", 40, laden=False), YardSlot("E", 3, 2, 1))
    except RuleViolation as error:
        assert "even bay" in error.reason
    else:
        raise AssertionError("a 40 ft box at an odd bay must be refused")
