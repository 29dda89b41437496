"""`landbridge db load-twin`: a short twin run played through the operations services (issue #19).

What a user would notice: the twin's flows land in the operations database as the commands a base
issues (with the paperwork the rules ask for: bookings, discharge lists, planned boxes, delivery
orders and PINs, appointments), dated by the simulated clock, without a single refusal; every
invariant of the operations state machine holds afterwards (``landbridge db check``); the same seed
loads the same events; a database already holding a twin run is refused.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.scenarios import load_scenario
from landbridge.services.invariants import check_invariants
from landbridge.services.seeding import seed_scenario
from landbridge.services.twin_load.load import LoadRefused, load_twin
from landbridge.simulation.trace import EPOCH_UTC
from landbridge.store import tables
from landbridge.store.database import engine_for
from landbridge.store.unit_of_work import UnitOfWork
from tests.integration.test_reports_window import check_against_the_log

pytestmark = pytest.mark.slow

DAYS, WARMUP_DAYS = 0.5, 1.0  # about 1,400 commands: every westbound flow and the gate, in a minute


def _seeded(url: str) -> str:
    seed_scenario(UnitOfWork.for_url(url), load_scenario())
    return url


def _events(url: str) -> list[tuple[Any, ...]]:
    """The log as the loader wrote it, without the wall-clock columns."""
    with engine_for(url).connect() as connection:
        rows = connection.execute(
            select(
                tables.EventRow.event_type,
                tables.EventRow.subject_type,
                tables.EventRow.subject_id,
                tables.EventRow.actor,
                tables.EventRow.occurred_at,
                tables.EventRow.location,
                tables.EventRow.after,
            )
            .where(tables.EventRow.source_reference == "twin-load")
            .order_by(tables.EventRow.id)
        ).all()
    return [tuple(row) for row in rows]


def test_a_short_twin_run_loads_without_refusals_and_keeps_every_invariant(database_url: str) -> None:
    url = _seeded(database_url)
    summary = load_twin(url, load_scenario(), days=DAYS, seed=1, warmup_days=WARMUP_DAYS)

    assert summary.refused == {}, summary.first_refusals
    issued = summary.commands
    for kind in (
        "create party",
        "create consignment",
        "register container",
        "assign to booking",
        "announce vessel",
        "berth vessel",
        "declare discharge list",
        "discharge",
        "book appointment",
        "truck in",
        "yard move",
        "truck out",
        "announce train",
        "declare planned boxes",
        "load wagon",
        "unload wagon",
        "cancel train",
    ):
        assert issued[kind] > 0, f"no {kind!r} command in {dict(issued)}"
    assert summary.total_commands > 500
    assert summary.skipped == {}, "every flow is played through an operations command"

    reports = check_invariants(UnitOfWork.for_url(url))
    assert all(report.holds for report in reports), [r.problems for r in reports if not r.holds]
    assert all(report.checked > 0 for report in reports)

    events = _events(url)
    assert len(events) >= summary.total_commands - sum(summary.refused.values())
    first, last = EPOCH_UTC.timestamp() - WARMUP_DAYS * 86_400, EPOCH_UTC.timestamp() + DAYS * 86_400
    times = [event[4].timestamp() for event in events]
    assert first <= min(times) and max(times) <= last, "events are dated by the simulated clock"

    with pytest.raises(LoadRefused, match="already holds"):
        load_twin(url, load_scenario(), days=DAYS, seed=1, warmup_days=WARMUP_DAYS)

    # Every report of the run, bounded by its window, equals the event-log computation (reports, issue #19).
    check_against_the_log(url, EPOCH_UTC - timedelta(days=WARMUP_DAYS), timedelta(days=DAYS + WARMUP_DAYS))


def test_the_same_seed_loads_the_same_events(sqlite_template: Path, tmp_path: Path) -> None:
    urls = []
    for name in ("first.db", "second.db"):
        path = tmp_path / name
        shutil.copyfile(sqlite_template, path)
        urls.append(_seeded(f"sqlite:///{path}"))
    for url in urls:
        load_twin(url, load_scenario(), days=0.25, seed=7, warmup_days=0.5)
    first, second = (_events(url) for url in urls)
    assert len(first) > 100
    assert first == second
    for url in urls:
        engine_for(url).dispose()


def test_the_cli_refuses_an_unseeded_database(sqlite_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    shutil.copyfile(sqlite_template, path)
    result = CliRunner().invoke(app, ["db", "load-twin", "--days", "1", "--database-url", f"sqlite:///{path}"])
    assert result.exit_code == 1
    assert "db seed" in result.output
    engine_for(f"sqlite:///{path}").dispose()
