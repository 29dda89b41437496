"""Planning on live data over HTTP, on both backends: ask for a plan, check it, apply it, see the operations.

Optimality of the berth plan is checked against a brute force written here, independent of the solver.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from tests.support import Hub as SeededHub
from tests.support import bearer, container_number, uic_wagon

Hub = tuple[TestClient, str, dict[str, str]]
REFERENCE_TIME = "2026-12-01T00:00:00+00:00"


def refuse_temporary_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Live planning checks plans held in memory: any temporary file it made would now fail the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("live planning wrote a temporary file")

    for name in ("TemporaryDirectory", "mkdtemp", "mkstemp", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, refuse)


@pytest.fixture
def hub(make_hub: Callable[..., SeededHub]) -> Hub:
    """A seeded hub with an admin (the client's default), a planner and a yard operator."""
    made = make_hub(users=("planner", "admin", "yard_operator"), as_user="admin")
    return made.client, made.url, made.tokens


def post(
    client: TestClient,
    path: str,
    body: dict[str, Any],
    status: int = 200,
    role: str | None = None,
    tokens: dict[str, str] | None = None,
) -> Any:
    headers = bearer(tokens[role]) if role is not None and tokens is not None else None
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def event_count(url: str) -> int:
    with UnitOfWork.for_url(url) as uow:
        return uow.events.count()


def refused(
    client: TestClient,
    url: str,
    path: str,
    body: dict[str, Any],
    status: int,
    field: str,
    headers: dict[str, str] | None = None,
) -> str:
    """Post, expect a refusal whose location ends with ``field``, and check nothing was written."""
    before = event_count(url)
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == status, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == field, detail
    assert event_count(url) == before
    return str(detail["msg"])


def brute_force_berths(arrivals: list[int], handling: dict[tuple[int, int], int], berths: int) -> int:
    """Least Σ(completion − arrival) over every berth assignment and service order (left-shifted)."""
    best = 10**9
    vessels = range(len(arrivals))
    for choice in itertools.product(range(berths), repeat=len(arrivals)):
        if any((v, b) not in handling for v, b in zip(vessels, choice, strict=True)):
            continue
        total = 0
        for berth in range(berths):
            served = [v for v in vessels if choice[v] == berth]
            cheapest = 10**9
            for order in itertools.permutations(served):
                now, cost = 0, 0
                for v in order:
                    now = max(now, arrivals[v]) + handling[v, berth]
                    cost += now - arrivals[v]
                cheapest = min(cheapest, cost)
            total += cheapest if served else 0
        best = min(best, total)
    return best


def test_berth_plan_is_optimal_and_applies(hub: Hub) -> None:
    client, url, tokens = hub
    etas = {"VA": "2026-12-01T00:00Z", "VB": "2026-12-01T00:00Z", "VC": "2026-12-01T01:00Z", "VD": "2026-12-01T00:30Z"}
    for reference, eta in etas.items():
        post(client, "/api/v1/vessel-visits", {"reference": reference, "vessel_name": reference, "eta": eta}, 201)
    with UnitOfWork.for_url(url) as uow:  # VB's call is known: 200 boxes on board → 3 h at a 3-crane berth
        for serial in range(200):
            uow.session.add(
                tables.ContainerRow(
                    number=container_number(5000 + serial),
                    iso_type="22G1",
                    load_state="full",
                    gross_mass_kg=10_000,
                    seals=[],
                    position_kind="vessel",
                    position_reference="VB",
                    version=1,
                )
            )
        uow.commit()
    body = {
        "time_limit_s": 5,
        "seed": 1,
        "reference_time": REFERENCE_TIME,
        "berth_codes": ["29", "L1"],
        "vessel_lengths_m": {"VA": 410},
    }
    before = event_count(url)
    plan = post(client, "/api/v1/plans/berth", body, role="planner", tokens=tokens)
    assert event_count(url) == before  # asking writes nothing
    assert plan["status"] == "optimal" and plan["checked"] and not plan["applied"]
    assert plan["objective"] == plan["bound"]
    rows = {a["vessel"]: a for a in plan["assignments"]}
    assert set(rows) == set(etas)
    assert rows["VA"]["berth"] == "L1"  # 410 m does not fit the 400 m berth 29
    assert rows["VB"]["handling_h"] == 3 and rows["VB"]["moves_source"] == "announced containers"
    # Independent optimum: arrivals rounded up to whole hours, handling as reported (VA forbidden at 29).
    arrivals = [0, 0, 1, 1]
    handling = {(0, 1): 1, (1, 0): 3, (1, 1): 3, (2, 0): 1, (2, 1): 1, (3, 0): 1, (3, 1): 1}
    assert plan["objective"] == brute_force_berths(arrivals, handling, 2)
    # A plan whose objective was tampered with does not pass the re-check.
    refused(client, url, "/api/v1/plans/berth/apply", {**plan, "objective": plan["objective"] - 1}, 422, "plan")
    refused(client, url, "/api/v1/plans/berth/apply", plan, 403, "role", headers=bearer(tokens["yard_operator"]))
    key = {"Idempotency-Key": "berth-plan-1", **bearer(tokens["planner"])}
    response = client.post("/api/v1/plans/berth/apply", json=plan, headers=key)
    assert response.status_code == 200, response.text
    applied = response.json()
    assert applied["applied"] is True
    after_apply = event_count(url)
    assert after_apply == before + len(etas)  # one planned-berth event per vessel
    replay = client.post("/api/v1/plans/berth/apply", json=plan, headers=key)
    assert replay.headers.get("Idempotent-Replayed") == "true" and event_count(url) == after_apply
    for reference, row in rows.items():
        visit = client.get(f"/api/v1/vessel-visits/{reference}")
        if visit.status_code == 200:
            view = visit.json()
            assert view["berth_code"] == row["berth"] and view["status"] == "announced"
        with UnitOfWork.for_url(url) as uow:
            events = uow.events.for_subject("vessel_visit", reference)
            assert events[-1].event_type.value == "vessel.berth_planned"
            assert events[-1].after is not None and events[-1].after["planned"] is True
            assert events[-1].after["berth_code"] == row["berth"]
            visit_row = uow.session.get(tables.VesselVisitRow, reference)
            assert visit_row is not None and visit_row.status == "announced" and visit_row.berth_code == row["berth"]
    # The berth command still works afterwards, and a berthed vessel is no longer planned.
    post(client, "/api/v1/vessel-visits/VA/berth", {"berth_code": "L1", "etb": rows["VA"]["etb"]})
    again = post(client, "/api/v1/plans/berth", {**body, "vessel_lengths_m": None})
    assert "VA" not in {a["vessel"] for a in again["assignments"]}


def _train_setup(client: TestClient) -> dict[str, str]:
    """A berthed vessel, five laden boxes discharged into the yard, and a three-wagon train T1."""
    post(client, "/api/v1/vessel-visits", {"reference": "V1", "vessel_name": "Feeder", "eta": "2026-12-01T00:00Z"}, 201)
    post(client, "/api/v1/vessel-visits/V1/berth", {"berth_code": "30", "etb": "2026-12-01T01:00Z"})
    boxes = {
        "T20a": ("22G1", 20_000, "A-01-01-1"),
        "T20b": ("22G1", 20_000, "A-01-02-1"),
        "F40a": ("42G1", 25_000, "A-04-01-1"),
        "F40b": ("42G1", 28_000, "A-04-02-1"),
        "F40c": ("42G1", 30_000, "A-04-01-2"),
    }
    numbers: dict[str, str] = {}
    declared = [{"container": container_number(serial)} for serial in (*range(1, len(boxes) + 1), 90)]
    response = client.put("/api/v1/vessel-visits/V1/discharge-list", json={"entries": declared})
    assert response.status_code == 200, response.text
    for serial, (name, (iso, mass, slot)) in enumerate(boxes.items(), start=1):
        number = container_number(serial)
        numbers[name] = number
        post(
            client,
            "/api/v1/containers",
            {"number": number, "iso_type": iso, "load_state": "full", "gross_mass_kg": mass},
            201,
        )
        post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": slot})
    wagons = [{"number": uic_wagon(i), "wagon_type": "cn_flat_40ft"} for i in range(1, 4)]
    post(
        client,
        "/api/v1/train-visits",
        {
            "reference": "T1",
            "direction": "west",
            "route_code": "almaty",
            "gauge_mm": 1435,
            "train_type_code": "cn_1435",
            "track_code": "T1",
            "wagons": wagons,
        },
        201,
    )
    return numbers


def test_train_plan_applies_after_relocating_a_new_blocker(hub: Hub) -> None:
    client, url, tokens = hub
    numbers = _train_setup(client)
    body = {"time_limit_s": 5, "train_reference": "T1", "container_numbers": list(numbers.values())}
    plan = post(client, "/api/v1/plans/train", body, role="planner", tokens=tokens)
    assert plan["status"] == "optimal" and plan["objective"] == 6 and plan["bound"] == 6  # 3 wagons × 2 TEU
    assert plan["yard_relocations"] == 0 and plan["relocations_needed"] == 0 and plan["blockers"] == []
    loaded = {a["container"]: a for a in plan["assignments"]}
    assert sum(2 if a["length_ft"] == 40 else 1 for a in loaded.values()) == 6
    assert all(a["wagon"] in {uic_wagon(i) for i in range(1, 4)} and a["slot"] == 1 for a in loaded.values())
    # A box put on top of a planned box after the plan was made: applying relocates it first (a yard
    # move with its event), then loads. A refused step rolling back the rest: test_plans_apply.py.
    blocker = container_number(90)
    target = next(n for n in loaded if n in (numbers["T20a"], numbers["T20b"], numbers["F40c"]))
    iso, slot = {
        numbers["T20a"]: ("22G1", "A-01-01-2"),
        numbers["T20b"]: ("22G1", "A-01-02-2"),
        numbers["F40c"]: ("42G1", "A-04-01-3"),
    }[target]
    post(client, "/api/v1/containers", {"number": blocker, "iso_type": iso}, 201)
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": blocker, "slot": slot})
    before = event_count(url)
    applied = post(client, "/api/v1/plans/train/apply", plan, role="planner", tokens=tokens)
    assert applied["applied"] is True and len(applied["loaded"]) == len(loaded)
    assert applied["relocation_count"] == 1 and len(applied["relocations"]) == 1
    relocation = applied["relocations"][0]
    assert relocation["container"] == blocker and relocation["from"] == slot
    assert client.get(f"/api/v1/containers/{blocker}").json()["position"] == {
        "kind": "yard",
        "reference": relocation["to"],
    }
    train = client.get("/api/v1/train-visits/T1").json()
    on_wagons = {entry["container"]: w["number"] for w in train["wagons"] for entry in w["loads"]}
    assert on_wagons == {n: a["wagon"] for n, a in loaded.items()}
    with UnitOfWork.for_url(url) as uow:
        for number in loaded:
            assert uow.events.for_subject("container", number)[-1].event_type.value == "container.loaded_wagon"
        assert uow.events.for_subject("container", blocker)[-1].event_type.value == "container.placed"
        planned = uow.events.for_subject("train_visit", "T1")[-1]
        assert planned.event_type.value == "manifest.changed" and set(planned.after["added"]) == set(loaded)  # type: ignore[index]
    assert event_count(url) == before + len(loaded) + 2  # the loads, the relocation, the planned boxes
    # Applying the same plan twice is refused by the re-check (the boxes are on the train now).
    refused(client, url, "/api/v1/plans/train/apply", plan, 422, "plan.train_reference")


def test_bad_inputs_name_the_field_and_write_nothing(hub: Hub) -> None:
    client, url, tokens = hub
    post(client, "/api/v1/vessel-visits", {"reference": "VX", "vessel_name": "X", "eta": "2026-12-01T00:00Z"}, 201)
    refused(client, url, "/api/v1/plans/berth", {"time_limit_s": 0}, 422, "time_limit_s")
    refused(client, url, "/api/v1/plans/berth", {"time_limit_s": -1, "apply": True}, 422, "time_limit_s")
    refused(client, url, "/api/v1/plans/cranes", {"time_limit_s": 1}, 422, "kind")
    refused(client, url, "/api/v1/plans/train", {"time_limit_s": 1}, 422, "train_reference")
    refused(client, url, "/api/v1/plans/train", {"time_limit_s": 1, "train_reference": "NOPE"}, 404, "train_reference")
    refused(client, url, "/api/v1/plans/berth", {"time_limit_s": 1, "berth_codes": ["32"]}, 422, "berth_codes[0]")
    assert "fits no berth" in refused(
        client,
        url,
        "/api/v1/plans/berth",
        {"time_limit_s": 1, "vessel_lengths_m": {"VX": 900}},
        422,
        "vessel_lengths_m",
    )
    refused(
        client, url, "/api/v1/plans/berth", {"time_limit_s": 1}, 403, "role", headers=bearer(tokens["yard_operator"])
    )
    refused(client, url, "/api/v1/plans/berth/apply", {"kind": "train"}, 422, "plan.kind")
    plan = post(client, "/api/v1/plans/berth", {"time_limit_s": 2, "apply": True})
    assert plan["applied"] is True and plan["assignments"][0]["vessel"] == "VX"


def test_train_plan_picks_the_yard_boxes_booked_to_its_route(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _, tokens = hub
    refuse_temporary_files(monkeypatch)
    numbers = _train_setup(client)
    post(client, "/api/v1/parties", {"code": "ACME", "name": "Acme", "role": "shipper"}, 201)
    for booking, destination in (("BK-ALA", "KZALA"), ("BK-TAS", "UZTAS")):
        post(
            client,
            "/api/v1/consignments",
            {"booking_reference": booking, "shipper_code": "ACME", "origin": "CNLYG", "destination": destination},
            201,
        )
    for name in ("T20a", "F40b"):
        post(client, "/api/v1/consignments/BK-ALA/containers", {"container": numbers[name]}, 200)
    post(client, "/api/v1/consignments/BK-TAS/containers", {"container": numbers["F40a"]}, 200)
    plan = post(
        client,
        "/api/v1/plans/train",
        {"time_limit_s": 5, "train_reference": "T1", "apply": True},
        role="planner",
        tokens=tokens,
    )
    assert sorted(plan["container_numbers"]) == sorted([numbers["T20a"], numbers["F40b"]])
    assert plan["applied"] is True and plan["objective"] == 3
    loaded = {
        n
        for w in client.get("/api/v1/train-visits/T1").json()["wagons"]
        for n in (entry["container"] for entry in w["loads"])
    }
    assert loaded == {numbers["T20a"], numbers["F40b"]}
