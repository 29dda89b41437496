"""Races over HTTP on both backends: many moves into the same slots, two moves of the same box.

Exactly one request wins each contested slot, the others get 409; nothing answers 5xx; every 2xx
is visible afterwards; no cell holds two boxes.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from landbridge.api.app import create_app
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ManifestEntry
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.operations import manifests, vessel
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from tests.support import bearer, container_number, seed, token

BOXES = 48
TARGETS = [f"A-{bay:02d}-{row:02d}-1" for bay in (1, 3, 5) for row in (1, 2, 3, 4)]  # 12 contested slots


def _stock_yard(url: str) -> list[str]:
    actor = Actor("setup", "admin")
    vessel.announce_vessel(
        UnitOfWork.for_url(url), actor, reference="V1", vessel_name="Race", eta=datetime(2026, 11, 28, tzinfo=UTC)
    )
    vessel.berth_vessel(
        UnitOfWork.for_url(url), actor, reference="V1", berth_code="29", etb=datetime(2026, 11, 28, 2, tzinfo=UTC)
    )
    declared = [ManifestEntry(container_number(1000 + i)) for i in range(BOXES)]
    manifests.set_discharge_list(UnitOfWork.for_url(url), actor, visit="V1", entries=declared)
    numbers = []
    for i in range(BOXES):
        number = container_number(1000 + i)
        register_container(UnitOfWork.for_url(url), RegisterContainer(ContainerNumber(number), "22G1"), actor)
        slot = f"B-{1 + i // 8:02d}-{1 + i % 8:02d}-1"
        vessel.discharge_container(UnitOfWork.for_url(url), actor, reference="V1", container=number, slot=slot)
        numbers.append(number)
    return numbers


def test_contested_slots_have_one_winner_each(database_url: str) -> None:
    seed(database_url)
    numbers = _stock_yard(database_url)
    headers = bearer(token(database_url, "yard", "yard_operator"))
    # 46 boxes race for 12 slots, plus two moves of one box with the same expected version.
    requests = [{"container": n, "slot": TARGETS[i % len(TARGETS)]} for i, n in enumerate(numbers[2:])]
    requests += [
        {"container": numbers[0], "slot": "C-01-01-1", "expected_version": 2},
        {"container": numbers[0], "slot": "C-02-01-1", "expected_version": 2},
    ]
    # Two moves of one box sent together, without a version: the one that waited for the other loses.
    requests += [{"container": numbers[1], "slot": "D-01-01-1"}, {"container": numbers[1], "slot": "D-02-01-1"}]
    with TestClient(create_app(database_url)) as client, ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(lambda body: client.post("/api/v1/yard/moves", json=body, headers=headers), requests))
        statuses = Counter(r.status_code for r in responses)
        assert set(statuses) <= {200, 409}, statuses
        winners = [(body, r.json()) for body, r in zip(requests, responses, strict=True) if r.status_code == 200]
        by_slot = Counter(body["slot"] for body, _ in winners)
        assert all(count == 1 for count in by_slot.values()), by_slot
        assert set(TARGETS) <= set(by_slot)  # every contested slot was filled by exactly one box
        same_box = [r.status_code for r in responses[-4:-2]]
        assert sorted(same_box) == [200, 409]  # exactly one: the version check serialises them
        pair = [(body, r) for body, r in zip(requests[-2:], responses[-2:], strict=True)]
        assert any(r.status_code == 200 for _, r in pair)
        final = client.get(f"/api/v1/containers/{numbers[1]}", headers=headers).json()["position"]["reference"]
        last = max((r.json()["version"], body["slot"]) for body, r in pair if r.status_code == 200)
        assert final == last[1]  # the box is where its last successful move put it
        for body, answer in winners:
            seen = client.get(f"/api/v1/containers/{body['container']}", headers=headers).json()
            if body["container"] not in numbers[:2]:
                assert seen["position"] == {"kind": "yard", "reference": body["slot"]}
            assert answer["position"]["reference"] == body["slot"]
    with UnitOfWork.for_url(database_url) as uow:
        cells = uow.session.execute(
            select(
                tables.YardCellRow.block,
                tables.YardCellRow.bay,
                tables.YardCellRow.row,
                tables.YardCellRow.tier,
                func.count(),
            ).group_by(
                tables.YardCellRow.block, tables.YardCellRow.bay, tables.YardCellRow.row, tables.YardCellRow.tier
            )
        ).all()
        assert all(count == 1 for *_, count in cells)
        assert uow.session.scalar(select(func.count()).select_from(tables.YardSlotRow)) == BOXES
