"""The CLI: migrate and seed a database, and refuse a broken scenario without touching it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.scenarios.loader import bundled_scenario_path
from landbridge.store.unit_of_work import UnitOfWork

runner = CliRunner()


def test_upgrade_seed_and_reseed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    first = runner.invoke(app, ["db", "seed", "--database-url", url])
    assert first.exit_code == 0 and "seeded" in first.output
    again = runner.invoke(app, ["db", "seed", "--if-empty", "--database-url", url])
    assert again.exit_code == 0 and "already seeded" in again.output


def test_broken_scenario_lists_each_bad_field_and_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    data = yaml.safe_load(bundled_scenario_path().read_text(encoding="utf-8"))
    del data["base"]["cfs"]["area_m2"]
    data["port"]["berths"][0]["length_m"] = -100
    data["routes"][0]["crossing"] = "nowhere"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["db", "seed", "--scenario", str(broken), "--database-url", url])
    assert result.exit_code == 1
    assert "base.cfs.area_m2: Field required" in result.output
    assert "port.berths.0.length_m: Input should be greater than 0" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    with UnitOfWork.for_url(url) as uow:
        assert uow.events.count() == 0
    # the cross-reference check runs once the fields are valid
    data["base"]["cfs"]["area_m2"] = 23000
    data["port"]["berths"][0]["length_m"] = 400
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["db", "seed", "--scenario", str(broken), "--database-url", url])
    assert result.exit_code == 1 and "routes.0.crossing: unknown crossing 'nowhere'" in result.output


def test_missing_scenario_file(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["db", "seed", "--scenario", str(tmp_path / "nope.yaml"), "--database-url", f"sqlite:///{tmp_path / 'x.db'}"],
    )
    assert result.exit_code == 1 and "cannot read" in result.output


def test_delivery_worker_single_pass(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'deliver.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    result = runner.invoke(app, ["deliver", "--once", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "delivered 0" in result.output


def test_deliver_works_a_projection_backlog_off_with_progress(tmp_path: Path) -> None:
    """After a bulk load, ``deliver --backlog`` projects the whole log (a read projects one batch only)."""
    from landbridge.services.tracking.projection import position, work_off_backlog
    from tests.integration.test_dcsa_feed import OURS, THEIRS, register, run_journey, seed_world

    url = f"sqlite:///{tmp_path / 'backlog.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    seed_world(url)
    register(url, OURS, "BK-ACME-1")
    register(url, THEIRS, "BK-OTHER-1")
    run_journey(url)
    last, newest = position(UnitOfWork.for_url(url))
    assert last < newest
    result = runner.invoke(app, ["deliver", "--backlog", "--once", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert f"projected {newest - last:,} log events into 9 DCSA events" in result.output
    assert position(UnitOfWork.for_url(url)) == (newest, newest)
    assert work_off_backlog(UnitOfWork.for_url(url)) == 0  # nothing left


def test_unmigrated_database_gets_an_instruction_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from landbridge.cli import main

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setattr(
        "sys.argv", ["landbridge", "users", "create", "--name", "me", "--role", "planner", "--database-url", url]
    )
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 1
    captured = capsys.readouterr()
    assert "landbridge db upgrade" in captured.err and "Traceback" not in captured.err
