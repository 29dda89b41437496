"""`landbridge simulate --from-database`: the twin starts from the operations database as it is today."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.demo.day import play_demo_day
from landbridge.scenarios import load_scenario
from landbridge.services.seeding import seed_scenario
from landbridge.services.twin_state import initial_state_from_database
from landbridge.store.unit_of_work import UnitOfWork

runner = CliRunner()


@pytest.mark.slow
def test_state_from_a_played_day_feeds_the_twin(database_url: str, tmp_path: Path) -> None:
    scenario = load_scenario()
    seed_scenario(UnitOfWork.for_url(database_url), scenario)
    now = datetime.now(UTC)
    play_demo_day(UnitOfWork.for_url(database_url), seed=1, at=now)
    state = initial_state_from_database(UnitOfWork.for_url(database_url), scenario, now)
    assert state.containers, "the demo day leaves boxes in the yard"
    assert all(container.arrived_h <= 0 for container in state.containers)
    assert {c.direction for c in state.containers} <= {"west", "east"}
    west = [c for c in state.containers if c.direction == "west"]
    assert all(c.route in {r.code for r in scenario.routes} for c in west)
    assert 0 <= state.clock_offset_h < 53 * 168

    result = runner.invoke(
        app,
        [
            "simulate",
            "--from-database",
            "--database-url",
            database_url,
            "--days",
            "3",
            "--out",
            str(tmp_path),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    kpis = json.loads((tmp_path / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["run"]["from_initial_state"] is True
    assert kpis["run"]["warmup_days"] == 0
    # day 0 starts with today's yard, not an empty one
    assert kpis["yard"]["series_teu"][0] == sum(c.teu for c in state.containers)
    assert "containers in the yard" in result.output


def test_empty_database_is_named_not_a_traceback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = runner.invoke(
        app, ["simulate", "--from-database", "--database-url", url, "--days", "2", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "--from-database" in result.output and "db upgrade" in result.output


def test_database_url_alone_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--database-url", "sqlite://", "--days", "2", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--database-url" in result.output
