"""`landbridge db check`: the state machine's invariants on a whole database, on SQLite and PostgreSQL.

What a user would notice: a demo day passes every check, and each kind of damage a bug could do
to the tables (a box standing in two places, a stack above its limit, grain vanishing, a table
that no longer says what the log says) is reported by name and makes the command exit non-zero.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.demo.day import play_demo_day
from landbridge.scenarios import load_scenario
from landbridge.services.invariants import check_invariants
from landbridge.services.seeding import seed_scenario
from landbridge.store.database import engine_for
from landbridge.store.unit_of_work import UnitOfWork


@pytest.fixture
def demo_url(database_url: str) -> str:
    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    play_demo_day(UnitOfWork.for_url(database_url), seed=3, at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    return database_url


def _broken(url: str) -> dict[str, tuple[str, ...]]:
    return {report.name: report.problems for report in check_invariants(UnitOfWork.for_url(url)) if not report.holds}


def _sql(url: str, statement: str) -> None:
    with engine_for(url).begin() as connection:
        connection.execute(text(statement))


def test_a_demo_day_keeps_every_invariant(demo_url: str) -> None:
    reports = check_invariants(UnitOfWork.for_url(demo_url))
    assert [report.name for report in reports] == [
        "each container in exactly one place",
        "nothing over capacity",
        "TEU and grain conserved",
        "replay rebuilds the state",
    ]
    assert all(report.holds for report in reports), reports
    assert all(report.checked > 0 for report in reports)
    result = CliRunner().invoke(app, ["db", "check", "--database-url", demo_url])
    assert result.exit_code == 0, result.output
    assert "holds" in result.output


def test_each_kind_of_damage_is_caught_by_name(demo_url: str) -> None:
    # A box moved behind the log's back: it stands in one place and says another; the log disagrees.
    _sql(
        demo_url,
        "UPDATE containers SET position_reference = 'A-41-08-3' WHERE number = "
        "(SELECT container_number FROM yard_slots ORDER BY container_number LIMIT 1)",
    )
    broken = _broken(demo_url)
    assert any("says A-41-08-3" in problem for problem in broken["each container in exactly one place"])
    assert any("the log says" in problem for problem in broken["replay rebuilds the state"])
    assert set(broken) == {"each container in exactly one place", "replay rebuilds the state"}
    assert CliRunner().invoke(app, ["db", "check", "--database-url", demo_url]).exit_code == 1

    # Grain that vanishes from a lot: the owner's ledger no longer balances.
    _sql(demo_url, "UPDATE grain_lots SET mass_kg = mass_kg - 1000 WHERE mass_kg > 1000")
    broken = _broken(demo_url)
    assert any("received" in problem for problem in broken["TEU and grain conserved"])

    # Four more boxes on one stack (boxes that are not in the yard): above the laden limit of three.
    _sql(
        demo_url,
        "INSERT INTO yard_cells (block, bay, row, tier, container_number) "
        "SELECT 'A', 41, 8, 3 + n, number FROM (SELECT number, ROW_NUMBER() OVER (ORDER BY number) AS n "
        "FROM containers WHERE position_kind <> 'yard' AND load_state = 'full') AS boxes WHERE n <= 4",
    )
    broken = _broken(demo_url)
    assert any("stack A-41-08 holds 4 boxes" in problem for problem in broken["nothing over capacity"])
