"""The twin loader plays the flows that had no operations command before (issue #19): an eastbound train
arriving loaded at the base (announced with its wagons, received with its boxes on them, unloaded into
the yard, released), and the grain it brings (tipped into the silos, shipped from them).

A short hand-made trace in the twin's own record shapes (``docs`` of ``simulation/trace.py``) keeps the
test quick; the long runs are ``landbridge db load-twin`` and tests/integration/test_load_twin.py.
"""

from __future__ import annotations

from typing import Any

from landbridge.scenarios import load_scenario
from landbridge.services.invariants import check_invariants
from landbridge.services.seeding import seed_scenario
from landbridge.services.twin_load.flows import FlowRecord, TwinRun
from landbridge.services.twin_load.load import _blocks
from landbridge.services.twin_load.player import TwinPlayer
from landbridge.simulation.trace import EPOCH_UTC, container_number
from landbridge.store.repositories import EVERYTHING
from landbridge.store.unit_of_work import UnitOfWork

GRAIN_T = 27.0  # the scenario's box_payload_t


def _box(box: int, teu: int, category: str, *, empty: bool = False) -> dict[str, Any]:
    return {"box": box, "container": container_number(box), "teu": teu, "empty": empty, "category": category}


def _east_train(train: str, at_h: float, unloaded_h: float, boxes: list[dict[str, Any]]) -> list[FlowRecord]:
    teu = sum(box["teu"] for box in boxes)
    fields = {"train": train, "route": "almaty", "direction": "east", "teu": teu, "boxes": len(boxes)}
    records = [FlowRecord(at_h, "train_arrived", fields)]
    stock_t = 0.0
    for box in boxes:
        records.append(FlowRecord(unloaded_h, "box_unloaded", {"train": train, **box}))
        records.append(FlowRecord(unloaded_h, "yard_in", box))
        if box["category"] == "grain":
            stock_t += GRAIN_T
            records.append(
                FlowRecord(unloaded_h, "grain_tipped", {"train": train, "tonnes": GRAIN_T, "silo_stock_t": stock_t})
            )
    return records


def test_an_eastbound_train_and_its_grain_are_played_through_the_rail_and_grain_commands(database_url: str) -> None:
    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    boxes = [_box(1, 2, "rail_to_sea"), _box(2, 1, "rail_to_road"), _box(3, 1, "rail_to_road", empty=True)]
    boxes += [_box(4, 1, "grain"), _box(5, 1, "grain"), _box(6, 2, "rail_to_road", empty=True)]
    records = _east_train("E0001-almaty", 1.0, 2.5, boxes)
    records.append(FlowRecord(20.0, "grain_shipped", {"tonnes": 40.0, "silo_stock_t": 14.0}))
    run = TwinRun(records, EPOCH_UTC, days=1, seed=1)
    player = TwinPlayer(database_url, run, _blocks(UnitOfWork.for_url(database_url)), load_scenario())

    summary = player.play()

    assert summary.refused == {}, summary.first_refusals
    assert summary.skipped == {}, "every eastbound box came by its train"
    assert summary.commands["announce train"] == 1
    assert summary.commands["receive train"] == 1
    assert summary.commands["unload wagon"] == len(boxes)
    assert summary.commands["release train"] == 1
    with UnitOfWork.for_url(database_url) as uow:
        train = uow.rail.train("E0001-almaty")
        assert train is not None and (train.direction, train.status) == ("east", "released")
        wagons = uow.rail.wagons("E0001-almaty")
        # two 40 ft boxes on a flat each; the 20 ft ones paired, but never two grain boxes (58.6 t > 50 t)
        assert len(wagons) == 4
        rows = uow.containers.rows({box["container"] for box in boxes})
        assert {row.position_kind for row in rows.values()} == {"yard"}
    with UnitOfWork.for_url(database_url) as uow:
        grain_boxes = uow.containers.rows({container_number(4), container_number(5)})
        assert {row.load_state for row in grain_boxes.values()} == {"empty"}, "tipped into the silo"
        lots = {lot.reference: (lot.silo_code, lot.mass_kg) for lot in uow.grain.lots(EVERYTHING)}
        assert lots == {f"TW-G-{container_number(4)}": ("S01", 0), f"TW-G-{container_number(5)}": ("S01", 14_000)}
        assert uow.grain.ledger(EVERYTHING)["TWINGRAIN"] == {
            "received_kg": 54_000,
            "shipped_kg": 40_000,
            "in_stock_kg": 14_000,
        }
        ship = uow.vessels.get("TW-GV0001")
        assert ship is not None and (ship.berth_code, ship.status) == ("32", "departed")
    assert summary.commands["receive grain"] == 2 and summary.commands["ship grain"] == 2
    reports = check_invariants(UnitOfWork.for_url(database_url))
    assert all(report.holds for report in reports), [r.problems for r in reports if not r.holds]
