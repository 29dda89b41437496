"""Tractor legs from the yard to a loading track and to the gate (both backends).

In the Lianyungang layout the RMGs span the yard blocks and the tracks and the reach stackers serve
the gate from the blocks, so no tractor carries a box there; a planner who puts tractors on a track
or the gate (``PUT /api/v1/equipment/{code}/pools``) gets the leg: a yard machine lifts the box
onto a tractor, the tractor carries it, and the rail- or gate-side move records what happened.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from landbridge.domain.events import utc_now
from tests.integration.test_work import _checked, _events, _ship, call, hub
from tests.support import Hub, uic_wagon

__all__ = ["hub"]  # the fixture, shared with test_work


def _tractor_serves(hub: Hub, pool: str) -> str:
    """TT1 back at work, serving ``pool`` as well (the others stay out of service)."""
    call(hub, "PUT", "/api/v1/equipment/TT1/status", {"status": "working"}, user="planner")
    pools = call(hub, "GET", "/api/v1/equipment/TT1")["pools"]
    changed = call(hub, "PUT", "/api/v1/equipment/TT1/pools", {"pools": [*pools, pool]}, user="planner")
    assert pool in changed["pools"]
    return "TT1"


class _Drivers:
    """Signs a driver on to each machine the first time it holds a job, and confirms its jobs."""

    def __init__(self, hub: Hub) -> None:
        self.hub, self.free, self.signed = hub, iter(("d1", "d2", "d3", "d4")), dict[str, str]()

    def confirm(self, job_id: int) -> dict[str, Any]:
        machine = call(self.hub, "GET", f"/api/v1/work/instructions/{job_id}")["machine"]
        assert machine is not None, f"job {job_id} has no machine"
        if machine not in self.signed:
            self.signed[machine] = next(self.free)
            call(self.hub, "POST", f"/api/v1/equipment/{machine}/sign-on", user=self.signed[machine])
        done: dict[str, Any] = call(
            self.hub, "POST", f"/api/v1/work/instructions/{job_id}/confirm", user=self.signed[machine]
        )
        return done


def test_a_tractor_carries_a_box_from_the_yard_to_the_wagon_the_load_plan_named(hub: Hub) -> None:
    tractor = _tractor_serves(hub, "track:T1")
    (number,) = _ship(hub, 1)
    call(hub, "POST", "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": "A-05-01-1"})
    train = {
        "reference": "T1",
        "direction": "west",
        "route_code": "almaty",
        "gauge_mm": 1435,
        "train_type_code": "cn_1435",
        "track_code": "T1",
        "wagons": [{"number": uic_wagon(1), "wagon_type": "cn_flat_40ft"}],
    }
    call(hub, "POST", "/api/v1/train-visits", train, 201)
    call(hub, "PUT", "/api/v1/train-visits/T1/planned-boxes", {"entries": [{"container": number}]})
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"train": "T1"}, 201, "planner")
    lift, leg, load = made["created"]
    assert [lift["kind"], leg["kind"], load["kind"]] == ["lift_to_tractor", "transport", "load_rail"]
    assert (lift["queue"], lift["from_place"], lift["to_place"]) == ("block:A", "A-05-01-1", "tractor at block A")
    assert (leg["queue"], leg["pool"], leg["depends_on"]) == ("tractors:track:T1", "track:T1", [lift["id"]])
    assert (load["depends_on"], load["from_place"]) == ([leg["id"]], "tractor at track T1")
    assert load["target"]["wagon"] == uic_wagon(1) and load["target"]["wagon_slot"] == 1
    assert list(made["assigned"].values()) == [lift["id"]]  # only the yard-side lift is ready
    _checked(hub.url)
    drivers = _Drivers(hub)
    assert drivers.confirm(lift["id"])["move"] is None  # on the tractor: the box is still in its slot
    assert call(hub, "GET", f"/api/v1/containers/{number}")["position"]["reference"] == "A-05-01-1"
    assert call(hub, "GET", f"/api/v1/work/instructions/{leg['id']}")["machine"] == tractor
    _checked(hub.url)
    assert drivers.confirm(leg["id"])["move"] is None
    rail_side = call(hub, "GET", f"/api/v1/work/instructions/{load['id']}")["machine"]
    assert rail_side is not None and rail_side[:2] in ("RM", "RS")  # an RMG or reach stacker of track T1
    loaded = drivers.confirm(load["id"])["move"]
    assert loaded["position"]["kind"] == "wagon"
    box = call(hub, "GET", f"/api/v1/containers/{number}")
    assert box["position"]["kind"] == "wagon" and uic_wagon(1) in box["position"]["reference"]
    (event,) = _events(hub.url, "container.loaded_wagon")
    assert f"machine:{rail_side} instruction:{load['id']}" in (event.source_reference or "")
    done = call(hub, "GET", "/api/v1/work/instructions?status=done")
    assert {(i["kind"], i["machine"]) for i in done} >= {("transport", tractor)}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the rail leg runs on both backends
def test_a_tractor_brings_a_pick_up_to_the_gate(hub: Hub) -> None:
    tractor = _tractor_serves(hub, "gate")
    (imported,) = _ship(hub, 1)
    call(hub, "POST", "/api/v1/vessel-visits/V1/discharge", {"container": imported, "slot": "B-07-02-1"})
    window = {"valid_from": utc_now().isoformat(), "valid_to": (utc_now() + timedelta(hours=4)).isoformat()}
    order = call(hub, "POST", "/api/v1/delivery-orders", {"reference": "DO1", "containers": [imported], **window}, 201)
    truck = {
        "reference": "TV1",
        "plate": "KZ 1",
        "pick_up": [imported],
        "delivery_order": "DO1",
        "pin": order["pin"],
        "override_reason": "walk-in",
    }
    call(hub, "POST", "/api/v1/gate/trucks", truck, 201)
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"truck": "TV1"}, 201, "planner")
    lift, leg, pick = made["created"]
    assert [lift["kind"], leg["kind"], pick["kind"]] == ["lift_to_tractor", "transport", "gate_pick_up"]
    assert (leg["queue"], leg["to_place"], pick["queue"], pick["pool"]) == ("tractors:gate", "gate", "gate", "gate")
    drivers = _Drivers(hub)
    drivers.confirm(lift["id"])
    assert call(hub, "GET", f"/api/v1/work/instructions/{leg['id']}")["machine"] == tractor
    drivers.confirm(leg["id"])
    at_gate = call(hub, "GET", f"/api/v1/work/instructions/{pick['id']}")["machine"]
    assert at_gate is not None and at_gate.startswith("RS")  # the reach stackers serve the gate
    drivers.confirm(pick["id"])
    call(hub, "POST", "/api/v1/gate/trucks/TV1/out", {})
    assert call(hub, "GET", f"/api/v1/containers/{imported}")["position"]["kind"] == "delivered"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # refusals before any write
def test_pools_are_places_of_the_base_and_fit_the_machine(hub: Hub) -> None:
    bad = call(hub, "PUT", "/api/v1/equipment/TT2/pools", {"pools": ["track:T1", "track:NOPE"]}, 422, "planner")
    assert bad["detail"][0]["loc"][-1] == "pools[1]"
    crane = call(hub, "PUT", "/api/v1/equipment/STS-30-1/pools", {"pools": ["gate"]}, 422, "planner")
    assert "quay crane" in crane["detail"][0]["msg"]
    twice = call(hub, "PUT", "/api/v1/equipment/RS1/pools", {"pools": ["gate", "gate"]}, 422, "planner")
    assert twice["detail"][0]["loc"][-1] == "pools[1]"
    call(hub, "PUT", "/api/v1/equipment/RS1/pools", {"pools": ["gate"]}, 403, "d1")
