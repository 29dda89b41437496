"""The Simulation screen compares runs the way a planner reads them: grouped, translated, changed-only, CIs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from landbridge.scenarios import load_scenario
from landbridge.simulation import simulate
from landbridge.simulation.overrides import parse_disruption
from landbridge.simulation.sweep import SweepResult, flat_numbers, paired_difference, summarise

pytestmark = pytest.mark.slow  # each test simulates weeks of the whole base


@pytest.fixture(scope="module")
def runs_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = load_scenario()
    closure = (parse_disruption("crossing=khorgos,from=2,to=9", scenario),)
    root = tmp_path_factory.mktemp("runs")
    base_runs, closed_runs = [], []
    for seed in (1, 2):
        base = simulate(scenario, 12.0, seed).kpis
        closed = simulate(scenario, 12.0, seed, disruptions=closure).kpis
        base_runs.append(flat_numbers(base))
        closed_runs.append(flat_numbers(closed))
        if seed == 1:
            for name, kpis in (("open", base), ("closed", closed)):
                (root / name).mkdir()
                (root / name / "kpis.json").write_text(json.dumps(kpis), encoding="utf-8")
    sweep = SweepResult(
        (1, 2), 12.0, summarise(base_runs), summarise(closed_runs), paired_difference(base_runs, closed_runs)
    )
    (root / "sweep").mkdir()
    (root / "sweep" / "sweep.json").write_text(json.dumps(sweep.as_dict()), encoding="utf-8")
    return root


def _page(client: TestClient, root: Path, query: str) -> str:
    client.app.state.runs_dir = str(root)  # type: ignore[attr-defined]
    response = client.get(f"/simulation?{query}")
    assert response.status_code == 200
    return response.text


def test_comparison_is_grouped_named_and_shows_only_what_changed(seeded_client: TestClient, runs_root: Path) -> None:
    html = _page(seeded_client, runs_root, "a=open&b=closed&lang=en")
    assert 'data-area="Border"' in html and 'data-area="Trains"' in html
    assert "Trains rerouted" in html and 'data-kpi="trains.rerouted"' in html
    # unchanged indicators are hidden by default and come back with "all"
    assert 'data-kpi="yard.capacity_teu"' not in html
    assert 'data-kpi="yard.capacity_teu"' in _page(seeded_client, runs_root, "a=open&b=closed&all=1&lang=en")
    assert 'id="plot-yard-share"' in html and 'id="plot-refused"' in html and 'id="plot-border-queues"' in html


def test_comparison_speaks_the_chosen_language(seeded_client: TestClient, runs_root: Path) -> None:
    html = _page(seeded_client, runs_root, "a=open&b=closed&lang=zh")
    assert "改道列车" in html and "口岸" in html
    assert "Trains rerouted" not in html


def test_a_comparison_sweep_shows_confidence_intervals(seeded_client: TestClient, runs_root: Path) -> None:
    html = _page(seeded_client, runs_root, "a=sweep&b=sweep+%28compare%29&lang=en")
    assert 'id="sweep-note"' in html
    assert 'class="ci"' in html
    row = html.split('data-kpi="trains.rerouted"', 1)[1].split("</tr>", 1)[0]
    assert "±" in row
