"""`landbridge db demo`: a demo day played through the operations services, on SQLite and PostgreSQL.

What a user would notice: the command succeeds on a freshly seeded database, its summary is what
the tables hold, every box has a history, the audit log replays to the tables, a second run with
``--if-empty`` changes nothing, and a shipper following a box on a departed train gets an ETA.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from stdnum import iso6346
from typer.testing import CliRunner

from landbridge.api.app import create_app
from landbridge.cli import app
from landbridge.demo import day as demo_day
from landbridge.demo.numbers import Numbers
from landbridge.domain.errors import RuleViolation
from landbridge.domain.identifiers import parse_wagon_number
from landbridge.scenarios import load_scenario
from landbridge.services.authz import create_user
from landbridge.services.operations import parties as operations_parties
from landbridge.services.operations.replay import current_state, replay_log
from landbridge.services.seeding import seed_scenario
from landbridge.store import tables
from landbridge.store.migrate import upgrade
from landbridge.store.repositories import EVERYTHING
from landbridge.store.unit_of_work import UnitOfWork

AT = "2026-11-20T09:30:00+0000"


def _counts(url: str) -> dict[str, int]:
    uow = UnitOfWork.for_url(url)
    with uow:
        session = uow.session
        return {
            row.__tablename__: int(session.scalar(select(func.count()).select_from(row)) or 0)
            for row in (
                tables.ContainerRow,
                tables.EventRow,
                tables.TrainVisitRow,
                tables.VesselVisitRow,
                tables.GrainLotRow,
                tables.PartyRow,
                tables.GateAppointmentRow,
                tables.TruckVisitRow,
            )
        }


@pytest.mark.slow
def test_demo_day_runs_through_the_services_and_replays(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One run of the command, then everything a user of the dashboard and the API relies on."""
    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    played: list[demo_day.DemoSummary] = []
    original = demo_day.play_demo_day

    def capture(uow: UnitOfWork, **options: Any) -> demo_day.DemoSummary:
        summary = original(uow, **options)
        played.append(summary)
        return summary

    monkeypatch.setattr(demo_day, "play_demo_day", capture)
    runner = CliRunner()
    result = runner.invoke(app, ["db", "demo", "--seed", "3", "--at", AT, "--database-url", database_url])
    assert result.exit_code == 0, result.output
    (summary,) = played
    assert "events recorded" in result.output and str(summary.events) in result.output

    uow = UnitOfWork.for_url(database_url)
    with uow:
        session = uow.session
        containers = {row.number: row.position_kind for row in uow.containers.all_rows()}
        events = [
            (e.event_type, e.subject_type, e.subject_id, e.actor, e.role)
            for e in session.scalars(select(tables.EventRow).order_by(tables.EventRow.id))
        ]
        trains = {row.reference: row.status for row in session.scalars(select(tables.TrainVisitRow))}
        vessels = {row.reference: row.status for row in session.scalars(select(tables.VesselVisitRow))}
        lots = [lot.mass_kg for lot in session.scalars(select(tables.GrainLotRow))]
        open_holds = session.scalars(
            select(tables.CustomsHoldRow.container_number).where(tables.CustomsHoldRow.released_at.is_(None))
        ).all()
        ledger = uow.grain.ledger(EVERYTHING)

    # The summary is what the tables hold.
    assert len(containers) == summary.containers
    assert dict(Counter(containers.values())) == summary.containers_by_place
    assert trains == summary.trains
    assert vessels == summary.vessel_visits
    assert len(lots) == summary.grain_lots
    assert sum(lots) == summary.grain_in_stock_kg
    assert sorted(open_holds) == sorted(summary.holds_open)
    assert sum(owner["received_kg"] for owner in ledger.values()) == summary.grain_received_kg
    assert sum(owner["shipped_kg"] for owner in ledger.values()) == summary.grain_shipped_kg
    for owner in ledger.values():
        assert owner["received_kg"] == owner["in_stock_kg"] + owner["shipped_kg"]
    # A day worth looking at: boxes in the yard and on wagons, trains in every state, grain in the silos.
    assert {"yard", "wagon", "delivered"} <= set(summary.containers_by_place)
    assert {"loading", "departed", "at_border", "released"} <= set(trains.values())
    assert summary.grain_in_stock_kg > 0 and len(open_holds) == 1

    # Every change is an audited event by a named operator in a role; every box has a history.
    played_events = [e for e in events if e[0] != "scenario.seeded"]
    assert len(played_events) == summary.events > 0
    assert {actor for *_, actor, _ in played_events} >= {"demo-yard-operator", "demo-rail-operator", "demo-gate-clerk"}
    assert all(role for *_, role in played_events)
    history = Counter(subject for _, kind, subject, _, _ in played_events if kind == "container")
    for number in containers:
        assert history[number] >= 3, f"{number} has only {history[number]} events"
    registered = {subject for event_type, _, subject, _, _ in events if event_type == "container.registered"}
    assert registered == set(containers)
    assert replay_log(uow) == current_state(uow)

    # A second run with --if-empty changes nothing; without it the command refuses.
    before = _counts(database_url)
    again = runner.invoke(app, ["db", "demo", "--if-empty", "--database-url", database_url])
    assert again.exit_code == 0, again.output
    refused = runner.invoke(app, ["db", "demo", "--database-url", database_url])
    assert refused.exit_code == 1
    assert "operational data" in refused.output
    assert _counts(database_url) == before
    assert len(played) == 1

    # The forwarder follows a box on the departed Duisburg train and gets an arrival estimate.
    assert summary.tracked_box is not None
    token = create_user(uow, name="jsfwd", role="shipper", party="JSFWD")
    with TestClient(create_app(database_url)) as client:
        answer = client.get(f"/api/v1/tracking/{summary.tracked_box}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["train"] is not None and trains[body["train"]] == "departed"
    assert body["eta"] is not None and body["eta"]["p10"] <= body["eta"]["p50"] <= body["eta"]["p90"]


def test_demo_day_needs_a_seeded_database(database_url: str) -> None:
    """Without the scenario there is nothing to operate on: a clear message, exit 1, nothing written."""
    result = CliRunner().invoke(app, ["db", "demo", "--database-url", database_url])
    assert result.exit_code == 1
    assert "db seed" in result.output
    assert _counts(database_url)["events"] == 0


def test_a_refused_step_is_named_and_exits_non_zero(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """If a service refuses a command, the operator reads which step stopped the day, and the exit is 1."""
    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())

    def refuse(*_args: Any, **_options: Any) -> None:
        raise RuleViolation("code", "refused for the test")

    monkeypatch.setattr(operations_parties, "create_party", refuse)
    result = CliRunner().invoke(app, ["db", "demo", "--database-url", database_url])
    assert result.exit_code == 1
    assert "step 'parties' failed: code: refused for the test" in " ".join(result.output.split())
    assert _counts(database_url)["containers"] == 0


def test_demo_day_draws_valid_reproducible_identifiers() -> None:
    """The same seed draws the same boxes; every container and wagon number passes its check digit."""

    def draw(seed: int) -> tuple[list[tuple[str, str, int]], list[str]]:
        rng = random.Random(seed)
        numbers = Numbers(rng)
        boxes = demo_day._draw_boxes(rng, numbers, demo_day._bookings("1120", "CNLYG"))
        wagons = [numbers.uic_wagon("31"), numbers.wagon_1520("4"), numbers.uic_wagon("83")]
        return [(b.number, b.iso_type, b.gross_mass_kg) for b in boxes], wagons

    boxes, wagons = draw(5)
    assert (boxes, wagons) == draw(5)
    assert boxes != draw(6)[0]
    assert len({number for number, _, _ in boxes}) == len(boxes)
    assert all(iso6346.is_valid(number) for number, _, _ in boxes)
    assert [len(parse_wagon_number(w)) for w in wagons] == [12, 8, 12]


@pytest.mark.slow
def test_demo_day_stacks_boxes_in_the_scenarios_own_yard(database_url: str) -> None:
    """A scenario with another yard (other block codes, fewer rows) gets a demo day in that yard."""
    bundled = load_scenario()
    blocks = [
        block.model_copy(update={"code": {"A": "P", "B": "Q", "C": "U", "D": "W", "E": "X", "R": "Z"}[block.code]})
        for block in bundled.base.yard.blocks
    ]
    yard = bundled.base.yard.model_copy(update={"blocks": blocks})
    scenario = bundled.model_copy(update={"base": bundled.base.model_copy(update={"yard": yard})})
    seed_scenario(UnitOfWork.for_url(database_url), scenario)
    demo_day.play_demo_day(
        UnitOfWork.for_url(database_url), seed=3, at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC), scenario=scenario
    )
    uow = UnitOfWork.for_url(database_url)
    with uow:
        used = set(uow.session.scalars(select(tables.YardSlotRow.block)))
        reefers = set(
            uow.session.scalars(
                select(tables.YardSlotRow.block)
                .join(tables.ContainerRow, tables.ContainerRow.number == tables.YardSlotRow.container_number)
                .where(tables.ContainerRow.iso_type == "45R1")
            )
        )
    assert used and used <= {"P", "Q", "U", "W", "Z"}  # never the dangerous-goods block X
    assert reefers <= {"Z"}


def _first_booking(url: str) -> datetime:
    with UnitOfWork.for_url(url) as uow:
        booked = uow.session.scalar(
            select(func.min(tables.EventRow.occurred_at)).where(tables.EventRow.event_type == "gate.appointment_booked")
        )
    assert booked is not None
    return booked if booked.tzinfo else booked.replace(tzinfo=UTC)


@pytest.mark.slow
def test_the_demo_day_plays_whatever_second_of_the_hour_it_starts(tmp_path: Any) -> None:
    """`make run` plays the day at the current moment: the gate step must not straddle an hour.

    It once took the window of the tick before the first booking, so a day whose first booking fell
    in the first 30 s of an hour was refused ("the 05:00 window is over") — about one start in 120.
    The day is played once to learn when its first booking falls, then again shifted so that the
    booking lands 8 s after the hour.
    """
    start = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    urls = []
    for name in ("first", "shifted"):
        url = f"sqlite:///{tmp_path / name}.db"
        upgrade(url)
        seed_scenario(UnitOfWork.for_url(url), load_scenario())
        urls.append(url)
    demo_day.play_demo_day(UnitOfWork.for_url(urls[0]), seed=1, at=start)
    booked = _first_booking(urls[0])
    next_hour = booked.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    shifted = start + (next_hour - booked) + timedelta(seconds=8)
    demo_day.play_demo_day(UnitOfWork.for_url(urls[1]), seed=1, at=shifted)  # refused before the fix
    assert _first_booking(urls[1]) >= shifted - demo_day.DAY_SPAN
