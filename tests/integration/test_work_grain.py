"""Grain gear gets work instructions (both backends): a grain order becomes jobs whose subject is a lot,
only grain gear gets them, and confirming one records the grain move through the grain services with
the machine and ``occurred_at`` — the silo's stock changes and the audit trail names the machine."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.domain.events import utc_now
from tests.integration.test_operations_rules import hoppers
from tests.integration.test_work import _checked, _events, call, hub
from tests.support import Hub, container_number

__all__ = ["hub"]  # the fixture, shared with test_work


def _receipt(lot: str, mass_kg: int, silo: str = "S01") -> dict[str, Any]:
    return {
        "step": "receive",
        "lot": lot,
        "mass_kg": mass_kg,
        "silo_code": silo,
        "owner_code": "ACME",
        "crop": "wheat",
        "grain_class": "3",
        "moisture_pct": 13,
        "source_kind": "hopper_wagons",
        "wagons": hoppers(mass_kg),
    }


def _empty_box_in_the_yard(hub: Hub) -> str:
    box = container_number(90)
    call(hub, "POST", "/api/v1/vessel-visits", {"reference": "V1", "vessel_name": "F", "eta": "2026-12-01T00:00Z"}, 201)
    call(hub, "POST", "/api/v1/vessel-visits/V1/berth", {"berth_code": "30", "etb": "2026-12-01T01:00Z"})
    call(hub, "POST", "/api/v1/containers", {"number": box, "iso_type": "22G1", "load_state": "empty"}, 201)
    call(hub, "PUT", "/api/v1/vessel-visits/V1/discharge-list", {"entries": [{"container": box}]})
    call(hub, "POST", "/api/v1/vessel-visits/V1/discharge", {"container": box, "slot": "A-01-01-1"})
    return box


def _order(hub: Hub, grain: dict[str, Any], status: int = 201) -> Any:
    return call(hub, "POST", "/api/v1/work/instructions/generate", {"grain": grain}, status, "planner")


def _drive(hub: Hub, driver: str, machine: str, job: int) -> Any:
    call(hub, "POST", f"/api/v1/equipment/{machine}/sign-on", user=driver)
    at = (utc_now().replace(microsecond=0) + timedelta(seconds=1)).isoformat()
    done = call(hub, "POST", f"/api/v1/work/instructions/{job}/confirm", {"occurred_at": at}, user=driver)
    assert done["done"]["done_at"] == at
    return done


def test_a_grain_train_is_tipped_into_a_silo_and_a_box_filled_by_the_grain_gear(hub: Hub) -> None:
    call(hub, "POST", "/api/v1/parties", {"code": "ACME", "name": "Acme", "role": "shipper"}, 201)
    box = _empty_box_in_the_yard(hub)
    made = _order(hub, _receipt("G1", 140_000))
    (tip,) = made["created"]
    assert (tip["kind"], tip["lot"], tip["silo"], tip["container"]) == ("grain_receive", "G1", "S01", None)
    assert (tip["queue"], tip["pool"], tip["length_ft"], tip["mass_kg"]) == ("grain:32", "berth:32", 0, 140_000)
    assert len(made["assigned"]) == 1
    gear = next(iter(made["assigned"]))
    assert gear.startswith("GL") and made["assigned"][gear] == tip["id"]  # grain gear only: no crane, no RMG
    # Filling a box from the lot waits for the lot to be in the silo.
    (fill,) = _order(hub, {"step": "stuff", "lot": "G1", "containers": [{"container": box, "mass_kg": 25_000}]})[
        "created"
    ]
    assert fill["depends_on"] == [tip["id"]] and fill["status"] == "open" and fill["length_ft"] == 20
    twice = _order(hub, {"step": "stuff", "lot": "G1", "containers": [{"container": box, "mass_kg": 1_000}]}, 409)
    assert twice["detail"][0]["loc"][-1] == "grain.containers[0].container"  # one box, one fill job
    assert (fill["from_place"], fill["to_place"]) == ("silo S01", f"container {box}")
    _checked(hub.url)

    done = _drive(hub, "d1", gear, tip["id"])
    assert done["move"]["silo_code"] == "S01" and done["move"]["mass_kg"] == 140_000
    lot = call(hub, "GET", "/api/v1/grain/lots/G1")
    assert (lot["silo_code"], lot["mass_kg"]) == ("S01", 140_000)
    (received,) = _events(hub.url, "grain.received")
    assert f"machine:{gear} instruction:{tip['id']}" in (received.source_reference or "")
    assert received.occurred_at is not None
    (confirmed,) = [e for e in _events(hub.url, "work.instruction_done") if e.subject_id == str(tip["id"])]
    assert confirmed.after["machine"] == gear and confirmed.after["lot"] == "G1"

    # The box is the next job of a grain machine (the one that just tipped, or the other).
    holder = call(hub, "GET", f"/api/v1/work/instructions/{fill['id']}")["machine"]
    assert holder is not None and holder.startswith("GL")
    _drive(hub, "d2" if holder != gear else "d1", holder, fill["id"])
    assert call(hub, "GET", "/api/v1/grain/lots/G1")["mass_kg"] == 115_000
    laden = call(hub, "GET", f"/api/v1/containers/{box}")
    assert laden["load_state"] == "full"
    ledger = call(hub, "GET", "/api/v1/grain/balance")["ACME"]
    assert (ledger["received_kg"], ledger["in_stock_kg"]) == (140_000, 115_000)


def test_a_grain_order_naming_what_does_not_exist_is_refused_and_leaves_nothing(hub: Hub) -> None:
    call(hub, "POST", "/api/v1/parties", {"code": "ACME", "name": "Acme", "role": "shipper"}, 201)
    refused = _order(hub, {"step": "transfer", "lot": "NOPE", "silo_code": "S02"}, 404)
    assert refused["detail"][0]["loc"][-1] == "grain.lot"
    refused = _order(hub, _receipt("G1", 50_000, silo="S999"), 404)
    assert refused["detail"][0]["loc"][-1] == "grain.silo_code"
    refused = _order(hub, {"step": "ship", "lot": "G1"}, 404)  # G1 was never received nor ordered in
    assert refused["detail"][0]["loc"][-1] == "grain.lot"
    _order(hub, _receipt("G1", 50_000))
    assert _order(hub, _receipt("G1", 50_000), 409)["detail"][0]["loc"][-1] == "grain.lot"
    # A lot about to be received can be ordered on: the transfer waits for the receipt.
    (move,) = _order(hub, {"step": "transfer", "lot": "G1", "silo_code": "S02"})["created"]
    assert (move["from_place"], move["to_place"], move["silo"]) == ("silo S01", "silo S02", "S02")
    assert len(move["depends_on"]) == 1
    assert _order(hub, {"step": "receive", "lot": "G2"}, 422)["detail"][0]["loc"][-1] == "grain.mass_kg"
    both = {"step": "stuff", "lot": "G1", "containers": [{"container": container_number(7), "mass_kg": 1_000}] * 2}
    assert _order(hub, both, 422)["detail"][0]["loc"][-1] == "grain.containers[1].container"
    assert len(call(hub, "GET", "/api/v1/work/instructions?queue=grain:32")) == 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # rendering a read model
def test_the_driver_screen_shows_a_grain_job_in_the_drivers_language(hub: Hub) -> None:
    call(hub, "POST", "/api/v1/parties", {"code": "ACME", "name": "Acme", "role": "shipper"}, 201)
    made = _order(hub, _receipt("G7", 100_000))
    gear = next(iter(made["assigned"]))
    call(hub, "POST", f"/api/v1/equipment/{gear}/sign-on", user="d3")
    with TestClient(hub.client.app, cookies={"lb_token": hub.tokens["d3"]}) as driver:
        russian = driver.get("/driver?lang=ru").text
        assert 'id="job-lot"' in russian and "Партия G7" in russian and "100.0 т" in russian
        assert "выгрузка зерна в силос" in russian and "силос S01" in russian and "вагоны-хопперы: 2" in russian
        chinese = driver.get("/driver?lang=zh").text
        assert "粮食卸入筒仓" in chinese and "筒仓 S01" in chinese and "2 节漏斗车" in chinese
    with TestClient(hub.client.app, cookies={"lb_token": hub.tokens["auditor"]}) as room:
        page = room.get("/work").text
        assert 'data-queue="grain:32"' in page and "tip grain into a silo G7" in page  # the gear's job, worded


def test_part_of_a_lot_is_moved_to_another_silo_and_shipped_by_the_grain_gear(hub: Hub) -> None:
    call(hub, "POST", "/api/v1/parties", {"code": "ACME", "name": "Acme", "role": "shipper"}, 201)
    visit = {"reference": "GV1", "vessel_name": "Bulker", "eta": "2026-12-01T00:00Z"}
    call(hub, "POST", "/api/v1/vessel-visits", visit, 201)
    call(hub, "POST", "/api/v1/vessel-visits/GV1/berth", {"berth_code": "32", "etb": "2026-12-01T01:00Z"})
    (tip,) = _order(hub, _receipt("G1", 100_000))["created"]
    split = {"step": "transfer", "lot": "G1", "silo_code": "S02", "mass_kg": 40_000, "new_reference": "G1B"}
    (move,) = _order(hub, split)["created"]
    (ship,) = _order(hub, {"step": "ship", "lot": "G1B", "mass_kg": 40_000, "vessel_visit": "GV1"})["created"]
    assert move["depends_on"] == [tip["id"]] and ship["depends_on"] == [move["id"]]  # the new lot waits for its move
    assert (ship["from_place"], ship["to_place"], ship["visit"]) == ("silo S02", "vessel GV1", "GV1")
    drivers: dict[str, str] = {}
    for job in (tip, move, ship):
        holder = call(hub, "GET", f"/api/v1/work/instructions/{job['id']}")["machine"]
        assert holder is not None and holder.startswith("GL")
        if holder not in drivers:
            drivers[holder] = f"d{len(drivers) + 1}"
            call(hub, "POST", f"/api/v1/equipment/{holder}/sign-on", user=drivers[holder])
        call(hub, "POST", f"/api/v1/work/instructions/{job['id']}/confirm", user=drivers[holder])
    assert call(hub, "GET", "/api/v1/grain/lots/G1")["mass_kg"] == 60_000
    moved = call(hub, "GET", "/api/v1/grain/lots/G1B")
    assert (moved["silo_code"], moved["mass_kg"]) == ("S02", 0)
    ledger = call(hub, "GET", "/api/v1/grain/balance")["ACME"]
    assert (ledger["received_kg"], ledger["shipped_kg"], ledger["in_stock_kg"]) == (100_000, 40_000, 60_000)
    (shipped,) = _events(hub.url, "grain.shipped")
    assert f"instruction:{ship['id']}" in (shipped.source_reference or "") and "machine:GL" in shipped.source_reference


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the planner's choice, not the backend's
def test_a_receipt_without_a_silo_goes_where_the_silo_planner_allocates_it(hub: Hub) -> None:
    call(hub, "POST", "/api/v1/parties", {"code": "ACME", "name": "Acme", "role": "shipper"}, 201)
    unplaced = {key: value for key, value in _receipt("G1", 140_000).items() if key != "silo_code"}
    arriving = {"reference": "G1", "owner_code": "ACME", "crop": "wheat", "mass_kg": 140_000}
    advice = call(hub, "POST", "/api/v1/plans/silo", {"arriving_lots": [arriving]}, user="planner")
    (portion,) = [p for p in advice["allocation"] if p["lot"] == "G1"]
    (tip,) = _order(hub, unplaced)["created"]
    assert (tip["kind"], tip["silo"], tip["to_place"]) == ("grain_receive", portion["silo"], f"silo {portion['silo']}")
    # More than a silo holds (2,400 t): the planner splits it, and the order says so rather than guess.
    whole = {**unplaced, "lot": "G2", "mass_kg": 3_000_000, "wagons": hoppers(3_000_000)}
    refused = _order(hub, whole, 422)["detail"][0]
    assert refused["loc"][-1] == "grain.silo_code" and "splits lot G2" in refused["msg"], refused


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the screen's form over the same service
def test_the_grain_screen_orders_a_receipt_for_the_grain_gear(hub: Hub) -> None:
    call(hub, "POST", "/api/v1/parties", {"code": "ACME", "name": "Acme", "role": "shipper"}, 201)
    web = TestClient(hub.client.app)
    web.cookies.set("lb_token", hub.tokens["planner"])
    page = web.get("/grain", params={"lang": "ru"}).text
    form = re.search(r'<form[^>]*id="form-grain-order-receive".*?</form>', page, re.S)
    assert form and "Заказать приём зерна" in page  # in the reader's language
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form.group(0)))

    def order(lot: str, mass_kg: int) -> Any:
        wagons = "\n".join(f"{w['number']} {w['mass_kg']}" for w in hoppers(mass_kg))
        fields = {"lot": lot, "owner_code": "ACME", "crop": "wheat", "grain_class": "3", "mass_kg": str(mass_kg)}
        fields |= {"moisture_pct": "13", "silo_code": "", "wagons": wagons}
        return web.post("/act/grain-order-receive", data={**hidden, **fields}, follow_redirects=False)

    assert order("G1", 140_000).status_code == 303
    (tip,) = call(hub, "GET", "/api/v1/work/instructions?queue=grain:32")
    assert tip["kind"] == "grain_receive" and tip["silo"]  # where the silo planner put it
    split = order("G2", 3_000_000)  # more than a silo: refused beside the silo field, nothing made
    assert split.status_code == 422 and 'id="grain-order-receive-silo_code-error"' in split.text, split.text[-3000:]
    assert len(call(hub, "GET", "/api/v1/work/instructions?queue=grain:32")) == 1
