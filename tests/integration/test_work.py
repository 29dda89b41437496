"""Equipment control on both backends: the fleet, work instructions from a ship's and a train's lists,
dispatch, confirmations recorded through the operations services, refusals and re-queueing.

What a terminal expects: every machine of the scenario is in the API; a ship's discharge list
becomes its berth's crane queue in list order, each box lands in the slot its instruction named and
the move carries the machine; a job that is not yours, done or cancelled is a 409 naming it; two
taps on "done" record one move; a machine taken out of service gives its jobs back; a move that
breaks a yard rule is the rule's 422 and the job stays with its machine; a buried box of a train's
load plan gets a relocation first.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from landbridge.domain.events import as_utc, utc_now
from landbridge.domain.yard import YardSlot
from landbridge.domain.yard_rules import Box
from landbridge.planning.dispatch.check import check_dispatch
from landbridge.planning.dispatch.problem import state_to_json
from landbridge.planning.dispatch.solve import plan
from landbridge.services.work import dispatching
from landbridge.services.work.dispatching import dispatch_state
from landbridge.services.work.targets import Promise, TargetPlanner, choose_target
from landbridge.store.database import engine_for
from landbridge.store.tables import EquipmentRow, EventRow
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.store.work_tables import WorkInstructionRow
from tests.support import Hub, bearer, container_number, token, uic_wagon

KINDS = {"quay_crane", "rail_mounted_gantry", "reach_stacker", "terminal_tractor", "grain_loader"}


def without_tractors(url: str) -> None:
    """Tractors out of service: the cranes' boxes go to the yard directly (the tractor leg has its own test)."""
    with engine_for(url).begin() as connection:
        connection.execute(
            update(EquipmentRow).where(EquipmentRow.kind == "terminal_tractor").values(status="out_of_service")
        )


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    made: Hub = make_hub(users=("admin", "planner", "yard_operator", "auditor"), as_user="admin")
    for driver in ("d1", "d2", "d3", "d4"):
        made.tokens[driver] = token(made.url, driver, "driver")
    without_tractors(made.url)
    return made


def call(hub: Hub, method: str, path: str, body: Any = None, status: int = 200, user: str = "admin") -> Any:
    response = hub.client.request(method, path, json=body, headers=hub.headers(user))
    assert response.status_code == status, (path, response.status_code, response.text)
    return response.json()


def _ship(hub: Hub, count: int, berth: str = "30") -> list[str]:
    call(
        hub,
        "POST",
        "/api/v1/vessel-visits",
        {"reference": "V1", "vessel_name": "Feeder", "eta": "2026-12-01T00:00Z"},
        201,
    )
    call(hub, "POST", "/api/v1/vessel-visits/V1/berth", {"berth_code": berth, "etb": "2026-12-01T01:00Z"})
    numbers = [container_number(serial) for serial in range(1, count + 1)]
    for number in numbers:
        box = {"number": number, "iso_type": "22G1", "load_state": "full", "gross_mass_kg": 12_000}
        call(hub, "POST", "/api/v1/containers", box, 201)
    call(hub, "PUT", "/api/v1/vessel-visits/V1/discharge-list", {"entries": [{"container": n} for n in numbers]})
    return numbers


def _checked(url: str) -> None:
    """The independent checker accepts what the dispatcher plans on the live state (and its holds)."""
    with UnitOfWork.for_url(url) as uow:
        state = dispatch_state(uow)
    assert check_dispatch(state_to_json(state), plan(state).to_json()) == []


def _events(url: str, event_type: str) -> list[EventRow]:
    with engine_for(url).connect() as connection:
        return list(connection.execute(select(EventRow).where(EventRow.event_type == event_type)))


def test_every_machine_of_the_scenario_is_in_the_api(hub: Hub) -> None:
    fleet = call(hub, "GET", "/api/v1/equipment", user="auditor")
    assert {m["kind"] for m in fleet} == KINDS
    assert sum(m["kind"] == "quay_crane" for m in fleet) == 18 and len(fleet) == 42
    crane = call(hub, "GET", "/api/v1/equipment/STS-30-1")
    assert crane["pools"] == ["berth:30"] and crane["twin_lift"] and crane["max_lift_kg"] == 65_000
    assert crane["status"] == "working" and crane["position"] == "berth:30" and crane["jobs"] == []
    refused = call(hub, "PUT", "/api/v1/equipment/RMG1/status", {"status": "out_of_service"}, 422, "planner")
    assert refused["detail"][0]["loc"][-1] == "reason"
    broken = call(
        hub, "PUT", "/api/v1/equipment/RMG1/status", {"status": "out_of_service", "reason": "hoist"}, user="planner"
    )
    assert (broken["status"], broken["status_reason"]) == ("out_of_service", "hoist")
    out = [m["code"] for m in call(hub, "GET", "/api/v1/equipment?status=out_of_service")]
    assert [code for code in out if not code.startswith("TT")] == ["RMG1"]  # (tractors: see without_tractors)
    call(hub, "GET", "/api/v1/equipment/NOPE", status=404)
    call(hub, "PUT", "/api/v1/equipment/RMG1/status", {"status": "working"}, 403, "d1")


def test_a_ship_is_discharged_through_work_instructions(hub: Hub) -> None:
    numbers = _ship(hub, 4)
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    created = made["created"]
    assert [(i["container"], i["sequence"], i["queue"]) for i in created] == [
        (n, s, "berth:30") for s, n in enumerate(numbers, start=1)
    ]
    assert sorted(made["assigned"]) == ["STS-30-1", "STS-30-2", "STS-30-3"]  # three cranes, first three boxes
    assert sorted(made["assigned"].values()) == [i["id"] for i in created[:3]]
    again = call(hub, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    assert again["created"] == []  # nothing twice
    _checked(hub.url)
    call(hub, "POST", "/api/v1/equipment/STS-30-1/sign-on", user="d1")
    call(hub, "POST", "/api/v1/equipment/STS-30-1/sign-on", status=409, user="d2")
    screen = call(hub, "GET", "/api/v1/equipment/mine", user="d1")
    job = screen["job"]
    assert screen["machine"]["code"] == "STS-30-1" and job["status"] == "assigned"
    # Not the caller's machine: 409 naming the job and its state.
    refused = call(hub, "POST", f"/api/v1/work/instructions/{job['id']}/confirm", status=409, user="d2")
    assert f"work instruction {job['id']} is assigned to STS-30-1" in refused["detail"][0]["msg"]
    # Whole seconds, rounded up: rounding down could fall before the box's own registration in this second,
    # which the event-time rule rightly refuses (the test failed now and then that way).
    at = (utc_now().replace(microsecond=0) + timedelta(seconds=1)).isoformat()
    done = call(hub, "POST", f"/api/v1/work/instructions/{job['id']}/confirm", {"occurred_at": at}, user="d1")
    assert done["done"]["status"] == "done" and done["done"]["done_at"] == at
    assert done["move"]["position"] == {"kind": "yard", "reference": job["target"]["slot"]}
    assert done["next"]["container"] == numbers[3]  # the crane takes the next box of the list
    box = call(hub, "GET", f"/api/v1/containers/{job['container']}")
    assert box["position"]["reference"] == job["target"]["slot"]
    discharged = [e for e in _events(hub.url, "container.discharged") if e.subject_id == job["container"]]
    assert len(discharged) == 1 and "machine:STS-30-1" in discharged[0].source_reference
    assert as_utc(discharged[0].occurred_at).isoformat() == at
    again_done = call(hub, "POST", f"/api/v1/work/instructions/{job['id']}/confirm", status=409, user="d1")
    assert f"work instruction {job['id']} is done" in again_done["detail"][0]["msg"]
    figures = call(hub, "GET", "/api/v1/work/productivity")
    assert [(c["machine"], c["moves"]) for c in figures["quay_cranes"]] == [("STS-30-1", 1)]
    queues = {q["code"]: q for q in call(hub, "GET", "/api/v1/work/queues")}
    assert (queues["berth:30"]["done"], queues["berth:30"]["assigned"]) == (1, 3)


def test_two_taps_on_done_record_one_move(hub: Hub) -> None:
    _ship(hub, 1)
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    job = made["created"][0]
    machine = made["assigned"] and next(code for code, wid in made["assigned"].items() if wid == job["id"])
    call(hub, "POST", f"/api/v1/equipment/{machine}/sign-on", user="d1")

    def tap(_: int) -> int:
        path = f"/api/v1/work/instructions/{job['id']}/confirm"
        return hub.client.post(path, headers=bearer(hub.tokens["d1"])).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(tap, range(2)))
    assert statuses == [200, 409]
    assert len([e for e in _events(hub.url, "container.discharged") if e.subject_id == job["container"]]) == 1
    assert len(_events(hub.url, "work.instruction_done")) == 1


def test_a_machine_out_of_service_gives_its_jobs_back(hub: Hub) -> None:
    _ship(hub, 4)
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    held = made["assigned"]["STS-30-2"]
    call(hub, "POST", "/api/v1/equipment/STS-30-1/sign-on", user="d1")
    first = call(hub, "GET", "/api/v1/equipment/mine", user="d1")["job"]
    call(hub, "POST", f"/api/v1/work/instructions/{first['id']}/confirm", user="d1")
    body = {"status": "out_of_service", "reason": "spreader twist-lock fault"}
    broken = call(hub, "PUT", "/api/v1/equipment/STS-30-2/status", body, user="yard_operator")
    assert broken["requeued"] == [held]
    job = call(hub, "GET", f"/api/v1/work/instructions/{held}")
    assert job["machine"] != "STS-30-2"
    live = call(hub, "GET", "/api/v1/work/instructions?queue=berth:30")
    assert sum(i["status"] in ("open", "assigned") for i in live) == 3  # none lost
    assert all(i["machine"] != "STS-30-2" for i in live)
    _checked(hub.url)
    back = call(hub, "PUT", "/api/v1/equipment/STS-30-2/status", {"status": "working"}, user="yard_operator")
    assert back["status_reason"] is None


def test_a_move_that_breaks_a_yard_rule_is_422_and_the_job_stays(hub: Hub) -> None:
    _ship(hub, 1)
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    job = made["created"][0]
    machine = next(code for code, wid in made["assigned"].items() if wid == job["id"])
    # A stale instruction: its slot names tier 2 over empty ground (as if the box below had been taken away).
    slot = job["target"]["slot"][:-1] + "2"
    with engine_for(hub.url).begin() as connection:
        connection.execute(
            update(WorkInstructionRow)
            .where(WorkInstructionRow.id == job["id"])
            .values(target={**job["target"], "slot": slot}, to_place=slot)
        )
    call(hub, "POST", f"/api/v1/equipment/{machine}/sign-on", user="d1")
    refused = call(hub, "POST", f"/api/v1/work/instructions/{job['id']}/confirm", status=422, user="d1")
    assert refused["detail"][0]["loc"][-1] == "slot" and "tier" in refused["detail"][0]["msg"]
    kept = call(hub, "GET", f"/api/v1/work/instructions/{job['id']}")
    assert (kept["status"], kept["machine"]) == ("assigned", machine)
    assert _events(hub.url, "container.discharged") == []


def test_a_problem_sends_the_job_back_and_never_to_the_same_machine(hub: Hub) -> None:
    _ship(hub, 1)
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    job = made["created"][0]
    machine = next(code for code, wid in made["assigned"].items() if wid == job["id"])
    call(hub, "POST", f"/api/v1/equipment/{machine}/sign-on", user="d1")
    refused = call(hub, "POST", f"/api/v1/work/instructions/{job['id']}/problem", {"problem": "other"}, 422, "d1")
    assert refused["detail"][0]["loc"][-1] == "note"
    body = {"problem": "damaged", "note": "door bent"}
    reported = call(hub, "POST", f"/api/v1/work/instructions/{job['id']}/problem", body, user="d1")["reported"]
    assert reported["problem"] == "damaged: door bent" and machine in reported["excluded_machines"]
    again = call(hub, "GET", f"/api/v1/work/instructions/{job['id']}")
    assert again["machine"] != machine and again["status"] == "assigned"  # another crane of the berth took it


def test_a_planner_suspends_pins_and_reorders_a_queue(hub: Hub) -> None:
    numbers = _ship(hub, 5)
    call(hub, "PUT", "/api/v1/equipment/STS-30-2/status", {"status": "break", "reason": "lunch"}, user="planner")
    call(hub, "PUT", "/api/v1/equipment/STS-30-3/status", {"status": "break", "reason": "lunch"}, user="planner")
    call(hub, "PATCH", "/api/v1/work/queues/berth:30", {"suspended": True}, 404, "planner")  # no queue yet
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    assert list(made["assigned"]) == ["STS-30-1"]
    ids = [i["id"] for i in made["created"]]
    suspended = call(hub, "PATCH", "/api/v1/work/queues/berth:30", {"suspended": True}, user="planner")
    assert suspended["suspended"] and suspended["assigned_jobs"] == {}
    wrong = call(hub, "PATCH", "/api/v1/work/queues/berth:30", {"pinned_machine": "RMG1"}, 422, "planner")
    assert wrong["detail"][0]["loc"][-1] == "pinned_machine"
    order = [ids[4], ids[3]]
    changed = call(hub, "PATCH", "/api/v1/work/queues/berth:30", {"order": order, "suspended": False}, user="planner")
    assert not changed["suspended"]
    listed = call(hub, "GET", "/api/v1/work/instructions?queue=berth:30&status=open")
    assert [i["container"] for i in listed][:2] == [numbers[4], numbers[3]]
    call(hub, "PATCH", "/api/v1/work/queues/berth:30", {"suspended": True}, 403, "d1")


def test_a_train_is_loaded_wagon_by_wagon_and_a_buried_box_is_dug_out_first(hub: Hub) -> None:
    numbers = _ship(hub, 3)
    # Boxes 1 and 2 go to one stack (2 on top of 1); box 3 beside them.
    for number, slot in zip(numbers, ("A-03-01-1", "A-03-01-2", "A-05-01-1"), strict=True):
        call(hub, "POST", "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": slot})
    train = {
        "reference": "T1",
        "direction": "west",
        "route_code": "almaty",
        "gauge_mm": 1435,
        "train_type_code": "cn_1435",
        "track_code": "T1",
        "wagons": [{"number": uic_wagon(i), "wagon_type": "cn_flat_40ft"} for i in (1, 2)],
    }
    call(hub, "POST", "/api/v1/train-visits", train, 201)
    planned = {"entries": [{"container": numbers[0]}, {"container": numbers[2]}]}
    call(hub, "PUT", "/api/v1/train-visits/T1/planned-boxes", planned)
    # The customer who asked for the train (an out-of-turn departure) is recorded on the relocation it needs.
    unknown = {"train": "T1", "caused_by_party": "NOSUCH"}
    refused = call(hub, "POST", "/api/v1/work/instructions/generate", unknown, 404, "planner")
    assert refused["detail"][0]["loc"][-1] == "caused_by_party"
    call(hub, "POST", "/api/v1/parties", {"code": "ACME", "name": "Acme", "role": "shipper"}, 201)
    asked = {"train": "T1", "caused_by_party": "ACME"}
    made = call(hub, "POST", "/api/v1/work/instructions/generate", asked, 201, "planner")
    kinds = [(i["kind"], i["container"]) for i in made["created"]]
    assert kinds == [("relocation", numbers[1]), ("load_rail", numbers[0]), ("load_rail", numbers[2])]
    relocation, buried, beside = made["created"]
    assert relocation["target"]["caused_by_party"] == "ACME" and "caused_by_party" not in buried["target"]
    assert buried["depends_on"] == [relocation["id"]] and buried["target"]["wagon"] == uic_wagon(1)
    assert beside["target"]["wagon"] == uic_wagon(1) and beside["target"]["wagon_slot"] == 1
    assert buried["queue"] == beside["queue"] == "track:T1" and relocation["queue"] == "block:A"
    _checked(hub.url)
    drivers = iter(("d1", "d2", "d3", "d4"))
    signed: dict[str, str] = {}
    for _ in range(10):
        live = [i for i in call(hub, "GET", "/api/v1/work/instructions") if i["status"] == "assigned"]
        if not live:
            break
        job = live[0]
        driver = signed.get(job["machine"])
        if driver is None:
            driver = signed[job["machine"]] = next(drivers)
            call(hub, "POST", f"/api/v1/equipment/{job['machine']}/sign-on", user=driver)
        call(hub, "POST", f"/api/v1/work/instructions/{job['id']}/confirm", user=driver)
    done = sorted(
        (i["done_at"], i["kind"], i["container"]) for i in call(hub, "GET", "/api/v1/work/instructions?status=done")
    )
    assert [k for _, k, _ in done].index("relocation") < [c for _, _, c in done].index(numbers[0])
    assert {c for _, k, c in done if k == "load_rail"} == {numbers[0], numbers[2]}
    assert call(hub, "GET", f"/api/v1/containers/{numbers[0]}")["position"]["kind"] == "wagon"
    moved = call(hub, "GET", f"/api/v1/containers/{numbers[1]}/history")
    placed = [e for e in moved if e["event_type"] == "container.placed"]
    assert placed[-1]["after"]["caused_by_party"] == "ACME"  # billed to ACME as an extra move
    figures = call(hub, "GET", "/api/v1/work/productivity")
    assert figures["tracks"][0]["track"] == "T1" and figures["tracks"][0]["boxes"] == 2


def test_a_truck_in_gets_its_drop_off_and_pick_up_done_by_yard_machines(hub: Hub) -> None:
    call(hub, "POST", "/api/v1/parties", {"code": "ACME", "name": "Acme", "role": "shipper"}, 201)
    booking = {"booking_reference": "BK1", "shipper_code": "ACME", "origin": "CNLYG", "destination": "KZALA"}
    call(hub, "POST", "/api/v1/consignments", booking, 201)
    (imported,) = _ship(hub, 1)
    call(hub, "POST", "/api/v1/vessel-visits/V1/discharge", {"container": imported, "slot": "B-07-02-1"})
    export = container_number(51)
    box = {"number": export, "iso_type": "22G1", "load_state": "full", "gross_mass_kg": 12_000}
    call(hub, "POST", "/api/v1/containers", box, 201)
    call(hub, "POST", "/api/v1/consignments/BK1/containers", {"container": export})
    window = {"valid_from": utc_now().isoformat(), "valid_to": (utc_now() + timedelta(hours=4)).isoformat()}
    order = call(hub, "POST", "/api/v1/delivery-orders", {"reference": "DO1", "containers": [imported], **window}, 201)
    truck = {
        "reference": "TV1",
        "plate": "KZ 1",
        "drop_off": [export],
        "pick_up": [imported],
        "delivery_order": "DO1",
        "pin": order["pin"],
        "override_reason": "walk-in",
    }
    call(hub, "POST", "/api/v1/gate/trucks", truck, 201)
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"truck": "TV1"}, 201, "planner")
    by_kind = {i["kind"]: i for i in made["created"]}
    drop, pick = by_kind["gate_drop_off"], by_kind["gate_pick_up"]
    assert pick["queue"] == "block:B" and drop["queue"] == f"block:{drop['target']['slot'][0]}"
    assert drop["priority"] == pick["priority"] == 3  # a waiting truck goes first
    drivers = {}
    for job in (drop, pick):
        machine = call(hub, "GET", f"/api/v1/work/instructions/{job['id']}")["machine"]
        assert machine is not None and (machine.startswith("RMG") or machine.startswith("RS"))
        if machine not in drivers:
            drivers[machine] = f"d{len(drivers) + 1}"
            call(hub, "POST", f"/api/v1/equipment/{machine}/sign-on", user=drivers[machine])
        call(hub, "POST", f"/api/v1/work/instructions/{job['id']}/confirm", user=drivers[machine])
    placed = call(hub, "GET", f"/api/v1/containers/{export}")["position"]
    assert placed == {"kind": "yard", "reference": drop["target"]["slot"]}
    call(hub, "POST", "/api/v1/gate/trucks/TV1/out", {})
    assert call(hub, "GET", f"/api/v1/containers/{imported}")["position"]["kind"] == "delivered"
    turns = call(hub, "GET", "/api/v1/work/productivity")["trucks"]
    assert turns["count"] == 1 and turns["mean_turn_min"] is not None


def test_when_the_ground_is_promised_a_box_stacks_on_a_promised_box_and_waits_for_it(hub: Hub) -> None:
    with UnitOfWork.for_url(hub.url) as uow:
        ground = [
            Promise(YardSlot(block.code, bay, row, 1), 20, 1000 + index)
            for index, (block, bay, row) in enumerate(
                (b, bay, row) for b in uow.yard.blocks() for bay in range(1, b.bays + 1) for row in range(1, b.rows + 1)
            )
        ]
        chosen = choose_target(uow, Box("LBOU0000016", 20, laden=True), set(), promises=ground)
        planner = TargetPlanner(uow)  # what a generation uses: block states built once, promises added
        for promise in ground:
            planner.promise(promise)
        assert planner.choose(Box("LBOU0000016", 20, laden=True), set()) == chosen
    assert chosen is not None
    slot, depends_on = chosen
    below = next(p for p in ground if (p.slot.block, p.slot.bay, p.slot.row) == (slot.block, slot.bay, slot.row))
    assert slot.tier == 2 and depends_on == [below.instruction_id]


def test_after_a_confirmation_only_the_head_of_a_crane_queue_is_read(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dispatch step reads a window of a sequenced queue; when nothing in it suits the crane (the
    head is a job it failed before) it reads the rest of the queue, and the crane still gets its job."""
    monkeypatch.setattr(dispatching, "WINDOW", 1)
    numbers = _ship(hub, 4)
    for crane in ("STS-30-2", "STS-30-3"):
        call(hub, "PUT", f"/api/v1/equipment/{crane}/status", {"status": "break", "reason": "lunch"}, user="planner")
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    first = made["created"][0]
    assert made["assigned"] == {"STS-30-1": first["id"]}
    call(hub, "POST", "/api/v1/equipment/STS-30-1/sign-on", user="d1")
    body = {"problem": "box_not_found"}
    reported = call(hub, "POST", f"/api/v1/work/instructions/{first['id']}/problem", body, user="d1")
    assert reported["next"]["container"] == numbers[1]  # the head (its failed job) does not suit it: read on
    done = call(hub, "POST", f"/api/v1/work/instructions/{reported['next']['id']}/confirm", user="d1")
    assert done["next"]["container"] == numbers[2]
    _checked(hub.url)


def test_a_tractor_carries_each_discharged_box_to_its_slot(hub: Hub) -> None:
    """Where tractors serve the berth, the crane lifts the box onto a tractor (no yard move yet) and the
    tractor's driver confirms the leg to the promised slot, which records the discharge with the tractor."""
    with engine_for(hub.url).begin() as connection:
        connection.execute(update(EquipmentRow).where(EquipmentRow.kind == "terminal_tractor").values(status="working"))
    numbers = _ship(hub, 2)
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    lifts = [i for i in made["created"] if i["kind"] == "discharge"]
    legs = [i for i in made["created"] if i["kind"] == "transport"]
    assert [i["container"] for i in lifts] == [i["container"] for i in legs] == numbers
    assert legs[0]["depends_on"] == [lifts[0]["id"]] and legs[0]["queue"] == "tractors:berth:30"
    assert legs[0]["from_place"] == "berth 30" and legs[0]["to_place"] == legs[0]["target"]["slot"]
    crane = next(code for code, wid in made["assigned"].items() if wid == lifts[0]["id"])
    assert not any(code.startswith("TT") for code in made["assigned"])  # nothing to carry before a lift
    call(hub, "POST", f"/api/v1/equipment/{crane}/sign-on", user="d1")
    lifted = call(hub, "POST", f"/api/v1/work/instructions/{lifts[0]['id']}/confirm", user="d1")
    assert lifted["move"] is None and lifted["done"]["to_place"] == "tractor at berth 30"
    assert call(hub, "GET", f"/api/v1/containers/{numbers[0]}")["position"]["kind"] != "yard"  # not landed yet
    leg = call(hub, "GET", f"/api/v1/work/instructions/{legs[0]['id']}")
    assert leg["status"] == "assigned" and leg["machine"].startswith("TT")  # the lift made the leg ready
    _checked(hub.url)
    call(hub, "POST", f"/api/v1/equipment/{leg['machine']}/sign-on", user="d2")
    carried = call(hub, "POST", f"/api/v1/work/instructions/{leg['id']}/confirm", user="d2")
    assert carried["move"]["position"] == {"kind": "yard", "reference": leg["target"]["slot"]}
    discharged = _events(hub.url, "container.discharged")
    assert len(discharged) == 1 and f"machine:{leg['machine']}" in discharged[0].source_reference
