"""State snapshots at archive boundaries: after old months of the log are archived, db check still proves the tables.

What an operator would notice: ``landbridge db archive-events`` first folds the log to the boundary
and keeps that state (``db snapshot``), so after the month is gone ``db check`` replays snapshot +
the events left and every invariant holds — boxes that entered before the boundary included (before
this, replay and "TEU and grain conserved" failed once a month was archived). A snapshot the log
no longer folds to is named; a snapshot across archived months is refused with the months named.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from landbridge.api.app import create_app
from landbridge.cli import app
from landbridge.domain.errors import RuleViolation
from landbridge.domain.events import Event, EventType
from landbridge.domain.grain import HopperWagon
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.units import PartyRole
from landbridge.scenarios import load_scenario
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.invariants import check_invariants
from landbridge.services.operations import gate, grain, parties, yard
from landbridge.services.seeding import seed_scenario
from landbridge.services.state_snapshots import take_snapshot
from landbridge.store.database import engine_for
from landbridge.store.partitioning import partition_events
from landbridge.store.unit_of_work import UnitOfWork
from tests.support import bearer, container_number, token, wagon_1520

ADMIN = Actor("snapshot-test", "admin")
OCTOBER = datetime(2026, 10, 12, 8, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 3, 8, tzinfo=UTC)
BOUNDARY = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _hub(url: str) -> list[str]:
    """Boxes and a grain lot that arrive in October and are still here in November, and November's moves."""
    seed_scenario(UnitOfWork.for_url(url), load_scenario())
    parties.create_party(
        UnitOfWork.for_url(url), ADMIN, code="ACME", name="Acme Grain", role=PartyRole.SHIPPER, occurred_at=OCTOBER
    )
    parties.create_consignment(
        UnitOfWork.for_url(url),
        ADMIN,
        booking_reference="BK-OCT",
        shipper_code="ACME",
        consignee_code=None,
        origin="CNLYG",
        destination="KZALA",
        goods=[],
        occurred_at=OCTOBER,
    )
    boxes = [str(container_number(serial)) for serial in (1, 2, 3)]
    for number in boxes:
        register_container(
            UnitOfWork.for_url(url), RegisterContainer(ContainerNumber(number), "22G1", occurred_at=OCTOBER), ADMIN
        )
        parties.assign_container(
            UnitOfWork.for_url(url), ADMIN, booking_reference="BK-OCT", container=number, occurred_at=OCTOBER
        )
    gate.truck_in(
        UnitOfWork.for_url(url),
        ADMIN,
        reference="TRK-OCT",
        plate="SU1",
        drop_off=boxes[:2],
        pick_up=[],
        override_reason="test: walk-in",
        occurred_at=OCTOBER,
    )
    yard.place_container(UnitOfWork.for_url(url), ADMIN, container=boxes[0], slot="A-02-01-1", occurred_at=OCTOBER)
    yard.place_container(UnitOfWork.for_url(url), ADMIN, container=boxes[1], slot="A-04-01-1", occurred_at=OCTOBER)
    grain.receive_grain(
        UnitOfWork.for_url(url),
        ADMIN,
        reference="L-OCT",
        owner_code="ACME",
        crop="wheat",
        grain_class="3",
        mass_kg=1000,
        moisture_pct=12,
        silo_code="S01",
        source_kind="hopper_wagons",
        wagons=[HopperWagon(wagon_1520(1), 1000)],
        occurred_at=OCTOBER,
    )
    # November: a box that came in October moves on, and a new box arrives.
    yard.place_container(UnitOfWork.for_url(url), ADMIN, container=boxes[0], slot="A-06-01-1", occurred_at=NOVEMBER)
    late = str(container_number(4))
    register_container(
        UnitOfWork.for_url(url), RegisterContainer(ContainerNumber(late), "22G1", occurred_at=NOVEMBER), ADMIN
    )
    return [*boxes, late]


def _broken(url: str) -> dict[str, tuple[str, ...]]:
    return {report.name: report.problems for report in check_invariants(UnitOfWork.for_url(url)) if not report.holds}


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)  # archiving months of the event log is PostgreSQL's; SQLite keeps one table
def test_db_check_holds_after_archiving_a_month(database_url: str, tmp_path: Path) -> None:
    _hub(database_url)
    engine = engine_for(database_url)
    partition_events(engine, months_ahead=2, now=NOW)
    result = CliRunner().invoke(
        app, ["db", "archive-events", "--before", "2026-11", "--to", str(tmp_path), "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    assert "state snapshot at 2026-11-01 00:00Z written" in result.output
    assert "events_2026_10:" in result.output
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM pg_class WHERE relname = 'events_2026_10'")).scalar() == 0
        archived = connection.execute(
            text("SELECT partition, dump_file, snapshot_boundary_at FROM archived_event_months")
        )
        [(partition, dump_file, covered_by)] = archived.all()
    assert partition == "events_2026_10" and dump_file.endswith("events_2026_10.dump") and covered_by == BOUNDARY

    # Every invariant holds: the October boxes and lot come from the snapshot, November from the log.
    assert _broken(database_url) == {}
    check = CliRunner().invoke(app, ["db", "check", "--database-url", database_url])
    assert check.exit_code == 0, check.output
    assert "replay started from the snapshot at 2026-11-01 00:00Z" in check.output

    # The box's history says plainly that its October events are archived, and in which dump.
    with TestClient(create_app(database_url, open_dashboard=True)) as client:
        history = client.get(
            f"/api/v1/containers/{container_number(1)}/history",
            headers=bearer(token(database_url, "auditor", "admin")),
        )
        assert history.status_code == 200, history.text
        assert history.headers["Events-Archived-Before"] == "2026-11-01T00:00:00+00:00"
        assert history.headers["Events-Archived-In"] == "events_2026_10.dump"
        assert [event["occurred_at"][:7] for event in history.json()] == ["2026-11"]  # the move of November
        page = client.get(f"/container/{container_number(1)}")
        assert page.status_code == 200 and 'id="archived-events"' in page.text and "events_2026_10.dump" in page.text
        later = client.get(f"/container/{container_number(4)}")  # came in November: nothing archived
        assert later.status_code == 200 and 'id="archived-events"' not in later.text

    # The hub goes on: a box that came in October moves again, and the check still holds.
    yard.place_container(UnitOfWork.for_url(database_url), ADMIN, container=str(container_number(2)), slot="A-08-01-1")
    assert _broken(database_url) == {}

    # A second run finds the snapshot there and nothing to archive; a snapshot across the archived
    # month is refused with the month named.
    again = CliRunner().invoke(
        app, ["db", "archive-events", "--before", "2026-11", "--to", str(tmp_path), "--database-url", database_url]
    )
    assert again.exit_code == 0, again.output
    assert "already there" in again.output and "nothing to archive" in again.output
    with pytest.raises(RuleViolation, match="events_2026_10"):
        take_snapshot(UnitOfWork.for_url(database_url), datetime(2026, 10, 20, tzinfo=UTC))


def test_a_snapshot_folds_the_log_and_is_checked_against_it(database_url: str) -> None:
    boxes = _hub(database_url)
    summary = take_snapshot(UnitOfWork.for_url(database_url), BOUNDARY)
    assert not summary.already_there and summary.based_on is None
    assert summary.boxes == 3 and summary.lots == 1  # the November box is not in it
    with engine_for(database_url).connect() as connection:
        before = connection.execute(
            text("SELECT count(*), max(id) FROM events WHERE occurred_at < :at"), {"at": BOUNDARY}
        ).one()
        stored: dict[str, str | None] = dict(
            connection.execute(text("SELECT container_number, position_reference FROM state_snapshot_boxes")).all()
        )
    assert (summary.events_folded, summary.last_event_id) == tuple(before)
    assert stored[boxes[0]] == "A-02-01-1"  # where it stood at the boundary, not where it went in November
    with engine_for(database_url).connect() as connection:
        latest = connection.execute(
            text("SELECT max(last_event_id), count(last_event_at), count(*) FROM state_snapshot_boxes")
        ).one()
    assert latest[1:] == (3, 3) and 0 < latest[0] <= summary.last_event_id  # each box's latest event kept

    reports = {report.name: report for report in check_invariants(UnitOfWork.for_url(database_url))}
    assert all(report.holds for report in reports.values()), reports
    assert reports["state snapshots match the log"].checked == 1
    assert "whole log" in reports["replay rebuilds the state"].detail

    again = take_snapshot(UnitOfWork.for_url(database_url), BOUNDARY)
    assert again.already_there and again.checksum == summary.checksum
    listed = CliRunner().invoke(app, ["db", "snapshot", "--database-url", database_url])
    assert listed.exit_code == 0 and "2026-11-01" in listed.output
    for at, reason in ((datetime(2999, 1, 1, tzinfo=UTC), "future"), (datetime(2026, 11, 1), "offset")):
        with pytest.raises(RuleViolation, match=reason):
            take_snapshot(UnitOfWork.for_url(database_url), at)

    # A later snapshot continues from this one.
    later = take_snapshot(UnitOfWork.for_url(database_url), datetime(2026, 11, 10, tzinfo=UTC))
    assert later.based_on == BOUNDARY and later.boxes == 4 and later.events_this_fold >= 2


def test_a_snapshot_the_log_no_longer_folds_to_is_named(database_url: str) -> None:
    _hub(database_url)
    take_snapshot(UnitOfWork.for_url(database_url), BOUNDARY)
    # Rows changed behind the snapshot's back no longer rebuild its checksum.
    with engine_for(database_url).begin() as connection:
        connection.execute(text("UPDATE state_snapshot_boxes SET position_reference = 'A-40-01-1'"))
    problems = _broken(database_url)["state snapshots match the log"]
    assert problems == (
        "snapshot at 2026-11-01 00:00Z: its rows no longer rebuild its checksum (changed since it was taken)",
    )
    with engine_for(database_url).begin() as connection:
        connection.execute(text("DELETE FROM state_snapshot_boxes"))
        connection.execute(text("DELETE FROM state_snapshot_lots"))
        connection.execute(text("DELETE FROM state_snapshots"))
    take_snapshot(UnitOfWork.for_url(database_url), BOUNDARY)
    # An event dated before the boundary turns up after the snapshot (as a restored dump that differs would).
    uow = UnitOfWork.for_url(database_url)
    with uow:
        uow.events.append(
            Event(
                EventType.CONTAINER_GATE_IN,
                "container",
                str(container_number(3)),
                "restore",
                "admin",
                occurred_at=datetime(2026, 10, 20, tzinfo=UTC),
            )
        )
        uow.commit()
    problems = _broken(database_url)["state snapshots match the log"]
    assert any("snapshot at 2026-11-01 00:00Z" in problem and "events" in problem for problem in problems)
    with pytest.raises(RuleViolation, match="snapshot at 2026-11-01"):
        take_snapshot(UnitOfWork.for_url(database_url), BOUNDARY)
    check = CliRunner().invoke(app, ["db", "check", "--database-url", database_url])
    assert check.exit_code == 1 and "state snapshots match the log" in check.output
