"""How the twin loader puts an arriving eastbound train's boxes on the scenario's 1435 mm flats (issue #19):
a 40 ft box per wagon, 20 ft boxes paired heaviest with lightest within the payload, never past the
train type's wagon count — what does not fit is handed back (it enters by road, counted), not faked."""

from __future__ import annotations

from landbridge.services.twin_load.player import Box, east_wagons

PAYLOAD_KG, GRAIN_BOX_KG = 50_000, 29_300  # cn_flat_40ft; a 20 ft box with 27 t of wheat


def _twenty(serial: int, mass_kg: int | None) -> Box:
    return Box(f"B{serial:03d}", 1, mass_kg is not None, mass_kg)


def test_twenties_pair_heaviest_with_lightest_and_two_grain_boxes_never_share_a_wagon() -> None:
    forty = Box("F001", 2, True, 25_000)
    grain = [_twenty(serial, GRAIN_BOX_KG) for serial in range(3)]
    light = [_twenty(10, 9_000), _twenty(11, None)]  # a laden box and an empty one (tare 2,300 kg)

    wagons, beyond = east_wagons([*grain, forty, *light], PAYLOAD_KG, wagons=50)

    assert beyond == []
    assert [[box.number for box in wagon] for wagon in wagons] == [
        ["F001"],
        ["B000", "B011"],  # grain + the lightest (the empty box)
        ["B001", "B010"],  # grain + the next lightest
        ["B002"],  # grain alone: with another grain box it would be 58.6 t on a 50 t flat
    ]


def test_boxes_beyond_the_train_types_wagons_are_handed_back() -> None:
    grain = [_twenty(serial, GRAIN_BOX_KG) for serial in range(5)]

    wagons, beyond = east_wagons(grain, PAYLOAD_KG, wagons=3)

    assert len(wagons) == 3 and all(len(wagon) == 1 for wagon in wagons)
    assert [box.number for box in beyond] == ["B003", "B004"]
