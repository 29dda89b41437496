"""The twin's flows as a seeded, ordered trace that the operations services can replay."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from stdnum import iso6346
from typer.testing import CliRunner

from landbridge.scenarios import Scenario
from landbridge.simulation import simulate
from landbridge.simulation.cli import sim_app
from landbridge.simulation.trace import TraceList, at_utc


def _trace(scenario: Scenario, seed: int) -> TraceList:
    records = TraceList()
    simulate(scenario, 14.0, seed, observer=records)
    return records


@pytest.mark.slow
def test_trace_is_ordered_numbered_and_covers_every_flow(scenario: Scenario) -> None:
    records = _trace(scenario, 2).records
    assert [record.seq for record in records] == list(range(1, len(records) + 1))
    times = [record.time_h for record in records]
    assert times == sorted(times)
    kinds = Counter(record.kind for record in records)
    for kind in (
        "vessel_arrived",
        "vessel_berthed",
        "box_discharged",
        "vessel_departed",
        "gate_in",
        "gate_out",
        "yard_in",
        "yard_out",
        "train_formed",
        "box_loaded",
        "train_departed",
        "border_arrived",
        "gauge_changed",
        "train_arrived",
        "box_unloaded",
        "box_shipped",
        "grain_tipped",
    ):
        assert kinds[kind] > 0, kind
    # a box's moves are consistent: every loaded box was in the yard before, under one valid number
    first_in: dict[int, float] = {}
    for record in records:
        if record.kind == "yard_in":
            first_in.setdefault(record.fields["box"], record.time_h)
            assert iso6346.is_valid(record.fields["container"])
        if record.kind == "box_loaded" and record.fields["box"] in first_in:
            assert first_in[record.fields["box"]] <= record.time_h
    assert at_utc(0.0).utcoffset() is not None


@pytest.mark.slow
def test_same_seed_same_trace_other_seed_other_trace(scenario: Scenario) -> None:
    first = [record.as_dict() for record in _trace(scenario, 3).records]
    again = [record.as_dict() for record in _trace(scenario, 3).records]
    other = [record.as_dict() for record in _trace(scenario, 4).records]
    assert first == again
    assert first != other


def test_observer_does_not_change_the_kpis(scenario: Scenario) -> None:
    plain = simulate(scenario, 14.0, 6).kpis
    traced = simulate(scenario, 14.0, 6, observer=TraceList()).kpis
    assert plain == traced


def test_cli_writes_the_trace_as_json_lines(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        sim_app, ["simulate", "--days", "7", "--out", str(tmp_path), "--quiet", "--trace", str(tmp_path / "t.jsonl")]
    )
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "t.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) > 1000
    first = json.loads(lines[0])
    assert first["seq"] == 1 and first["at"].endswith("+00:00") and "kind" in first
