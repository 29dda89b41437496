"""Applying a train load plan on both backends: buried boxes, stacks loaded top-down, a full yard, write clashes.

What a terminal operator expects of ``POST /api/v1/plans/train/apply``: boxes of one yard stack load
top-down; a box of the plan buried under boxes that are not in it gets its blockers relocated first,
each by the yard move service (one ``container.placed`` event per relocation, slot from the proposal
rule with the blocker's own block first); when no slot is free for a blocker, nothing is written at
all; and a serialization failure is retried on fresh data before anyone sees a 409.

The clash is injected with a SQLAlchemy engine event that raises the driver's own exception
(psycopg's ``SerializationFailure``, SQLite's ``OperationalError: database is locked``) when the
first wagon cell is inserted, so SQLAlchemy wraps it exactly as it wraps a real one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from landbridge.services import retry
from landbridge.services.containers import Actor
from landbridge.services.operations import yard
from landbridge.store import tables
from landbridge.store.database import engine_for
from landbridge.store.unit_of_work import UnitOfWork
from tests.integration.test_plans_api import event_count, post
from tests.support import Hub as SeededHub
from tests.support import bearer, container_number, uic_wagon

Hub = tuple[TestClient, str, dict[str, str]]


@pytest.fixture
def hub(make_hub: Callable[..., SeededHub]) -> Hub:
    """A seeded hub; the client's default token is the planner's (the role that applies plans)."""
    made = make_hub(users=("planner", "admin"), as_user="planner")
    return made.client, made.url, made.tokens


def _stack_boxes(client: TestClient, tokens: dict[str, str], boxes: dict[str, str], wagons: int = 1) -> dict[str, str]:
    """Discharge laden 20 ft boxes into the given yard slots (in order) and announce train T1."""
    admin = bearer(tokens["admin"])

    def call(path: str, body: dict[str, Any], status: int = 200) -> None:
        response = client.post(path, json=body, headers=admin)
        assert response.status_code == status, response.text

    call("/api/v1/vessel-visits", {"reference": "V1", "vessel_name": "Feeder", "eta": "2026-12-01T00:00Z"}, 201)
    call("/api/v1/vessel-visits/V1/berth", {"berth_code": "30", "etb": "2026-12-01T01:00Z"})
    numbers: dict[str, str] = {}
    declared = [{"container": container_number(serial)} for serial in range(1, len(boxes) + 1)]
    response = client.put("/api/v1/vessel-visits/V1/discharge-list", json={"entries": declared}, headers=admin)
    assert response.status_code == 200, response.text
    for serial, (name, slot) in enumerate(boxes.items(), start=1):
        number = container_number(serial)
        numbers[name] = number
        call(
            "/api/v1/containers",
            {"number": number, "iso_type": "22G1", "load_state": "full", "gross_mass_kg": 12_000},
            201,
        )
        call("/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": slot})
    call(
        "/api/v1/train-visits",
        {
            "reference": "T1",
            "direction": "west",
            "route_code": "almaty",
            "gauge_mm": 1435,
            "train_type_code": "cn_1435",
            "track_code": "T1",
            "wagons": [{"number": uic_wagon(i), "wagon_type": "cn_flat_40ft"} for i in range(1, wagons + 1)],
        },
        201,
    )
    return numbers


def _plan(client: TestClient, planned: list[str]) -> Any:
    plan = post(
        client, "/api/v1/plans/train", {"time_limit_s": 5, "train_reference": "T1", "container_numbers": planned}
    )
    assert plan["checked"] and sorted(a["container"] for a in plan["assignments"]) == sorted(planned)
    return plan


@dataclass(frozen=True)
class Logged:
    """An event row as read back (plain values: the session is gone once read)."""

    id: int
    event_type: str
    subject_id: str
    actor: str
    role: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _events(url: str, since: int = 0) -> list[Logged]:
    with UnitOfWork.for_url(url) as uow:
        rows = uow.session.scalars(
            select(tables.EventRow).where(tables.EventRow.id > since).order_by(tables.EventRow.id)
        )
        return [Logged(r.id, r.event_type, r.subject_id, r.actor, r.role, r.before, r.after) for r in rows]


def _last_event_id(url: str) -> int:
    events = _events(url)
    return events[-1].id if events else 0


def _position(client: TestClient, number: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/containers/{number}")
    assert response.status_code == 200, response.text
    position: dict[str, Any] = response.json()["position"]
    return position


def test_buried_box_applies_after_its_blocker_is_relocated(hub: Hub) -> None:
    client, url, _tokens = hub
    numbers = _stack_boxes(client, _tokens, {"P": "A-01-01-1", "B": "A-01-01-2"})
    plan = _plan(client, [numbers["P"]])
    assert plan["relocations_needed"] == 1
    assert plan["blockers"] == [{"container": numbers["B"], "yard_slot": "A-01-01-2", "over": numbers["P"]}]
    since = _last_event_id(url)
    applied = post(client, "/api/v1/plans/train/apply", plan)
    # The proposal rule, same block first, with the stacks of the plan kept clear: lowest tier, bay, row.
    assert applied["relocations"] == [{"container": numbers["B"], "from": "A-01-01-2", "to": "A-01-02-1"}]
    assert applied["relocation_count"] == 1 and applied["relocations_needed"] == 1
    assert [entry["number"] for entry in applied["loaded"]] == [numbers["P"]]
    assert _position(client, numbers["B"]) == {"kind": "yard", "reference": "A-01-02-1"}
    assert _position(client, numbers["P"])["kind"] == "wagon"
    events = _events(url, since)
    assert [(e.event_type, e.subject_id) for e in events] == [
        ("manifest.changed", "T1"),  # the plan's boxes become the train's planned boxes
        ("container.placed", numbers["B"]),
        ("container.loaded_wagon", numbers["P"]),
    ]
    moved = events[1]
    assert moved.actor == "planner" and moved.role == "planner"
    assert moved.before is not None and moved.before["position"]["reference"] == "A-01-01-2"
    assert moved.after is not None and moved.after["slot"] == "A-01-02-1"


def test_planned_boxes_of_one_stack_load_top_down(hub: Hub) -> None:
    client, url, _tokens = hub
    numbers = _stack_boxes(client, _tokens, {"L": "A-01-01-1", "M": "A-01-01-2", "U": "A-01-01-3"})
    plan = _plan(client, [numbers["L"], numbers["U"]])
    assert plan["relocations_needed"] == 1 and plan["yard_relocations"] == 0  # M is not a candidate of the plan
    assert [a["container"] for a in plan["assignments"]] == [numbers["U"], numbers["L"]]
    since = _last_event_id(url)
    applied = post(client, "/api/v1/plans/train/apply", plan)
    assert [a["container"] for a in applied["assignments"]] == [numbers["U"], numbers["L"]]
    assert [r["container"] for r in applied["relocations"]] == [numbers["M"]]
    # Top-down: U first, then M (now on top) out of the way, then L.
    assert [(e.event_type, e.subject_id) for e in _events(url, since)] == [
        ("manifest.changed", "T1"),
        ("container.loaded_wagon", numbers["U"]),
        ("container.placed", numbers["M"]),
        ("container.loaded_wagon", numbers["L"]),
    ]


def test_no_free_slot_for_a_blocker_refuses_and_writes_nothing(hub: Hub) -> None:
    client, url, _tokens = hub
    with UnitOfWork.for_url(url) as uow:  # a yard of two 20 ft stacks of three: block A, 2 bays × 1 row
        uow.session.execute(
            update(tables.YardBlockRow)
            .where(tables.YardBlockRow.code != "A")
            .values(max_tiers_full=0, max_tiers_empty=0)
        )
        uow.session.execute(update(tables.YardBlockRow).where(tables.YardBlockRow.code == "A").values(bays=2, rows=1))
        uow.commit()
    slots = {"X1": "A-01-01-1", "X2": "A-01-01-2", "Q": "A-01-01-3", "P": "A-02-01-1", "B": "A-02-01-2"}
    numbers = _stack_boxes(client, _tokens, slots)
    plan = _plan(client, [numbers["P"], numbers["Q"]])
    assert plan["relocations_needed"] == 1
    before = event_count(url)
    response = client.post("/api/v1/plans/train/apply", json=plan)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == "slot"
    assert numbers["B"] in detail["msg"] and numbers["P"] in detail["msg"] and "no free yard slot" in detail["msg"]
    # Q (first stack) was loaded before B's relocation was refused: that load is rolled back too.
    assert event_count(url) == before
    for name, slot in slots.items():
        assert _position(client, numbers[name]) == {"kind": "yard", "reference": slot}
    assert client.get("/api/v1/train-visits/T1").json()["status"] == "announced"
    with UnitOfWork.for_url(url) as uow:
        assert list(uow.session.scalars(select(tables.WagonCellRow))) == []


def _clash(url: str) -> BaseException:
    """The driver's own serialization error for this backend."""
    if url.startswith("sqlite"):
        return sqlite3.OperationalError("database is locked")
    return psycopg.errors.SerializationFailure("could not serialize access due to concurrent update")


@pytest.fixture
def clashes(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Raise the driver's clash on ``limit`` first wagon-cell inserts; record the back-off sleeps."""
    _, url, _ = hub
    state: dict[str, Any] = {"limit": 0, "raised": 0, "sleeps": [], "between": None}

    def before_cursor_execute(*args: Any) -> None:
        statement = str(args[2])
        if statement.lstrip().upper().startswith("INSERT INTO WAGON_CELLS") and state["raised"] < state["limit"]:
            state["raised"] += 1
            raise _clash(url)

    def sleep(seconds: float) -> None:
        state["sleeps"].append(seconds)
        if state["between"] is not None:
            state["between"]()

    engine = engine_for(url)
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    monkeypatch.setattr(retry, "_sleep", sleep)
    yield state
    event.remove(engine, "before_cursor_execute", before_cursor_execute)


def test_a_serialization_clash_is_retried_on_fresh_data(hub: Hub, clashes: dict[str, Any]) -> None:
    client, url, _tokens = hub
    numbers = _stack_boxes(client, _tokens, {"P": "A-01-01-1", "B": "A-01-01-2"})
    plan = _plan(client, [numbers["P"]])
    assert plan["relocations_needed"] == 1

    def yard_operator_moves_the_blocker() -> None:  # between the attempts, someone clears the stack by hand
        actor = Actor("yard-op", "yard_operator")
        yard.place_container(UnitOfWork.for_url(url), actor, container=numbers["B"], slot="B-01-01-1")

    clashes.update(limit=1, between=yard_operator_moves_the_blocker)
    since = _last_event_id(url)
    applied = post(client, "/api/v1/plans/train/apply", plan)
    assert clashes["raised"] == 1 and len(clashes["sleeps"]) == 1 and 0 < clashes["sleeps"][0] < 1
    # The first attempt relocated B and then clashed: rolled back. The retry read the yard afresh.
    assert applied["relocations"] == [] and applied["relocation_count"] == 0
    assert [(e.event_type, e.subject_id, e.actor) for e in _events(url, since)] == [
        ("container.placed", numbers["B"], "yard-op"),
        ("manifest.changed", "T1", "planner"),
        ("container.loaded_wagon", numbers["P"], "planner"),
    ]
    assert _position(client, numbers["B"]) == {"kind": "yard", "reference": "B-01-01-1"}


def test_a_clash_that_persists_is_409_and_writes_nothing(hub: Hub, clashes: dict[str, Any]) -> None:
    client, url, _tokens = hub
    numbers = _stack_boxes(client, _tokens, {"P": "A-01-01-1", "B": "A-01-01-2"})
    plan = _plan(client, [numbers["P"]])
    clashes.update(limit=100)
    before = event_count(url)
    response = client.post("/api/v1/plans/train/apply", json=plan, headers={"Idempotency-Key": "clash-1"})
    assert response.status_code == 409, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == "plan" and "post the same plan again" in detail["msg"]
    assert clashes["raised"] == retry.DEFAULT_ATTEMPTS and len(clashes["sleeps"]) == retry.DEFAULT_ATTEMPTS - 1
    assert event_count(url) == before
    assert _position(client, numbers["B"]) == {"kind": "yard", "reference": "A-01-01-2"}
    # Once the clash is gone, the same key applies the plan (a refused request stored no answer).
    clashes.update(limit=0)
    applied = client.post("/api/v1/plans/train/apply", json=plan, headers={"Idempotency-Key": "clash-1"})
    assert applied.status_code == 200, applied.text
    assert applied.json()["relocation_count"] == 1
