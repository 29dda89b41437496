"""Silo plans on live data over HTTP, on both backends: stored lots from the database, arriving lots
from the request, a checked plan in silo codes and lot references, and nothing written."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from tests.integration.test_plans_api import event_count, post, refused
from tests.support import Hub as SeededHub
from tests.support import bearer

Hub = tuple[TestClient, str, dict[str, str]]


def refuse_temporary_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Live planning checks plans held in memory: any temporary file it made would now fail the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("live planning wrote a temporary file")

    for name in ("TemporaryDirectory", "mkdtemp", "mkstemp", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, refuse)


@pytest.fixture
def hub(make_hub: Callable[..., SeededHub]) -> Hub:
    """The seeded hub (40 silos of 2,400 t, 24 star bins of 375 t) with three lots already stored."""
    made = make_hub(users=("planner", "yard_operator"), as_user="planner")
    with UnitOfWork.for_url(made.url) as uow:
        for code in ("KAZAGRO", "COFCO"):
            uow.session.add(tables.PartyRow(code=code, name=code.title(), role="shipper", country="KZ"))
        uow.session.flush()
        uow.session.add(
            tables.GrainLotRow(
                reference="G-OLD-1",
                owner_code="KAZAGRO",
                crop="wheat",
                grain_class="3",
                mass_kg=1_500_000,
                moisture_pct=13.0,
                silo_code="S01",
            )
        )
        uow.session.add(
            tables.GrainLotRow(
                reference="G-OLD-2",
                owner_code="COFCO",
                crop="barley",
                grain_class="",
                mass_kg=300_000,
                moisture_pct=12.5,
                silo_code="SB01",
            )
        )
        # Two classes of one owner's wheat in one silo: legal when received (owner and crop rule).
        uow.session.add(
            tables.GrainLotRow(
                reference="G-OLD-3",
                owner_code="KAZAGRO",
                crop="wheat",
                grain_class="2",
                mass_kg=100_000,
                moisture_pct=13.0,
                silo_code="S01",
            )
        )
        uow.commit()
    return made.client, made.url, made.tokens


def _arriving(reference: str, owner: str, crop: str, mass_kg: int) -> dict[str, Any]:
    return {"reference": reference, "owner_code": owner, "crop": crop, "mass_kg": mass_kg}


def test_arriving_lots_are_planned_around_the_stored_ones(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_temporary_files(monkeypatch)
    client, url, _ = hub
    before = event_count(url)
    body = {
        "time_limit_s": 5,
        "arriving_lots": [
            _arriving("G-NEW-1", "KAZAGRO", "wheat", 700_000),  # fits on top of G-OLD-1 and G-OLD-3 in S01
            _arriving("G-NEW-2", "COFCO", "wheat", 3_000_000),  # another key: needs empty bins
        ],
    }
    plan = post(client, "/api/v1/plans/silo", body)
    assert (plan["kind"], plan["status"], plan["objective"], plan["checked"], plan["applied"]) == (
        "silo",
        "optimal",
        0,
        True,
        False,
    )
    assert plan["transfer_count"] == 0
    intake = [step for step in plan["sequence"] if step["op"] == "intake"]
    assert {step["lot"] for step in intake} == {"G-NEW-1", "G-NEW-2"}
    assert sum(step["mass_kg"] for step in intake if step["lot"] == "G-NEW-2") == 3_000_000
    assert {"silo": "S01", "lot": "G-NEW-1", "mass_kg": 700_000} in plan["allocation"]
    new_2_silos = {row["silo"] for row in plan["allocation"] if row["lot"] == "G-NEW-2"}
    assert not new_2_silos & {"S01", "SB01"}  # never on top of another owner's or crop's grain
    assert event_count(url) == before  # asking writes nothing


def test_a_stored_lot_moves_when_that_is_the_only_way_in(hub: Hub) -> None:
    """Three bins left: S01 (KazAgro wheat, 900 t free), SB01 (300 t of KazAgro wheat too), S02
    empty. Cofco barley takes S02; Cofco rye fits nowhere unless SB01's wheat joins S01 first."""
    client, url, _ = hub
    with UnitOfWork.for_url(url) as uow:
        lot = uow.session.get(tables.GrainLotRow, "G-OLD-2")
        assert lot is not None
        lot.owner_code, lot.crop, lot.grain_class = "KAZAGRO", "wheat", "3"
        for silo in uow.session.query(tables.SiloRow).all():
            if silo.code not in {"S01", "S02", "SB01"}:
                uow.session.delete(silo)
        uow.commit()
    body = {
        "time_limit_s": 5,
        "arriving_lots": [
            _arriving("G-BARLEY", "COFCO", "barley", 2_400_000),
            _arriving("G-RYE", "COFCO", "rye", 375_000),
        ],
    }
    plan = post(client, "/api/v1/plans/silo", body)
    assert (plan["status"], plan["objective"], plan["bound"]) == ("optimal", 1, 1)
    assert [(s["op"], s["lot"], s["from"], s["to"], s["mass_kg"]) for s in plan["sequence"]] == [
        ("transfer", "G-OLD-2", "SB01", "S01", 300_000),
        ("intake", "G-BARLEY", None, "S02", 2_400_000),
        ("intake", "G-RYE", None, "SB01", 375_000),
    ]
    too_much = {"arriving_lots": [*body["arriving_lots"], _arriving("G-MORE", "COFCO", "rye", 1)]}
    assert "infeasible" in refused(client, url, "/api/v1/plans/silo", too_much, 422, "plan")


def test_bad_arriving_lots_name_the_field(hub: Hub) -> None:
    client, url, _ = hub
    clash = {"arriving_lots": [_arriving("G-OLD-1", "KAZAGRO", "wheat", 1000)]}
    assert "already exists" in refused(client, url, "/api/v1/plans/silo", clash, 422, "arriving_lots[0].reference")
    twice = {"arriving_lots": [_arriving("G-X", "KAZAGRO", "wheat", 1000), _arriving("G-X", "COFCO", "rye", 1000)]}
    assert "listed twice" in refused(client, url, "/api/v1/plans/silo", twice, 422, "arriving_lots[1].reference")
    refused(
        client, url, "/api/v1/plans/silo", {"arriving_lots": [_arriving("G-Y", "KAZAGRO", "wheat", 0)]}, 422, "mass_kg"
    )
    refused(client, url, "/api/v1/plans/silo", {"time_limit_s": 0}, 422, "time_limit_s")


def test_a_silo_plan_is_not_applied_here(hub: Hub) -> None:
    client, url, tokens = hub
    plan = post(client, "/api/v1/plans/silo", {"arriving_lots": [_arriving("G-Z", "COFCO", "barley", 100_000)]})
    assert "advice" in refused(client, url, "/api/v1/plans/silo/apply", plan, 422, "kind")
    assert "advice" in refused(client, url, "/api/v1/plans/silo", {"apply": True}, 422, "kind")
    response = client.post("/api/v1/plans/silo", json={}, headers=bearer(tokens["yard_operator"]))
    assert response.status_code == 403
