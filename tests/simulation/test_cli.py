"""`simulate` writes byte-identical KPIs for a seed, a report that opens offline, and clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landbridge.simulation.cli import sim_app

runner = CliRunner()


def _simulate(out: Path, *args: str) -> str:
    result = runner.invoke(sim_app, ["simulate", "--days", "21", "--out", str(out), "--quiet", *args])
    assert result.exit_code == 0, result.output
    return (out / "kpis.json").read_text(encoding="utf-8")


def test_same_seed_same_bytes_other_seed_other_numbers(tmp_path: Path) -> None:
    first = _simulate(tmp_path / "a", "--seed", "7")
    again = _simulate(tmp_path / "b", "--seed", "7")
    other = _simulate(tmp_path / "c", "--seed", "8")
    assert first == again
    assert first != other
    kpis = json.loads(first)
    for key in ("teu", "trains", "ship_calls", "utilisation", "queue_waits_h", "dwell_days", "border", "grain", "yard"):
        assert key in kpis
    assert kpis["dwell_days"]["sea_to_rail"]["p90"] >= kpis["dwell_days"]["sea_to_rail"]["p50"] > 0


@pytest.mark.slow
def test_report_is_self_contained(tmp_path: Path) -> None:
    _simulate(tmp_path, "--seed", "1")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 5
    for title in ("Yard occupancy", "Berths", "Trains per week", "Yard dwell", "Border queue"):
        assert title in html
    # nothing fetched from the network: no scripts, stylesheets or images with a URL
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html


def test_unknown_set_key_is_named_without_traceback(tmp_path: Path) -> None:
    result = runner.invoke(
        sim_app, ["simulate", "--days", "5", "--out", str(tmp_path), "--set", "border.khorgos.trains_per_dya=10"]
    )
    assert result.exit_code == 2
    assert "trains_per_dya" in result.output
    assert "Traceback" not in result.output


def test_bad_value_and_bad_disruption_are_refused(tmp_path: Path) -> None:
    bad_value = runner.invoke(
        sim_app,
        ["simulate", "--days", "5", "--out", str(tmp_path), "--set", "base.rail.rail_mounted_gantries.count=-2"],
    )
    assert bad_value.exit_code == 2
    assert "rail_mounted_gantries.count" in bad_value.output
    bad_crossing = runner.invoke(
        sim_app, ["simulate", "--days", "5", "--out", str(tmp_path), "--disruption", "crossing=atlantis,from=1,to=3"]
    )
    assert bad_crossing.exit_code == 2
    assert "atlantis" in bad_crossing.output


def test_bad_seed_range_is_refused() -> None:
    result = runner.invoke(sim_app, ["sweep", "--seeds", "9-3"])
    assert result.exit_code == 2
    assert "--seeds" in result.output


@pytest.mark.slow
def test_patch_file_applies_like_set(tmp_path: Path) -> None:
    patch = tmp_path / "patch.yaml"
    patch.write_text("crossings:\n  khorgos:\n    trains_per_day: 2\ntwin:\n  rmg_per_train: 3\n", encoding="utf-8")
    patched = json.loads(_simulate(tmp_path / "p", "--patch", str(patch)))
    by_set = json.loads(
        _simulate(tmp_path / "s", "--set", "border.khorgos.trains_per_day=2", "--set", "twin.rmg_per_train=3")
    )
    assert patched == by_set
