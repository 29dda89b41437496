"""Berth allocation (DBAP and tidal quay): solved, checked independently, and fed bad input."""

from __future__ import annotations

import copy
import itertools
import json
import math
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from landbridge.planning.berth import timeindexed
from landbridge.planning.berth.check import check_dbap_plan, check_tidal_plan
from landbridge.planning.berth.greedy import best_greedy_plan, total_service_time
from landbridge.planning.berth.local_search import local_search
from landbridge.planning.berth.problem import parse_berth_instance, read_berth_instance
from landbridge.planning.berth.solve import solve_berth
from landbridge.planning.berth.tidal import read_tidal_instance, solve_tidal
from landbridge.planning.cli import plan_app
from landbridge.planning.common import PlanningInputError, SolveStatus

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks"

# 5 vessels, 2 berths; vessel 4 may not use berth 0 (99999). Small enough to enumerate.
SMALL_DBAP = """5
2
0 2 3 5 6
0 1
4 6
3 5
5 7
2 4
99999 3
30 30
30 30 30 30 30
"""

SMALL_TIDAL = """Vessels,3
Begin, 0,12,24
End, 4,16,28
Processing, 5,3,6
Length, 1.5,1.5,1.0
Arrival, 0,1,2
"""


def _write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _brute_force_dbap(text: str) -> int:
    """Optimum by enumerating berth choices and sequences; independent of the solver."""
    instance = parse_berth_instance(text, "small")
    best = 10**9
    vessels = range(instance.vessel_count)
    for berths in itertools.product(range(instance.berth_count), repeat=instance.vessel_count):
        if any(instance.handling_times[v][b] is None for v, b in zip(vessels, berths, strict=True)):
            continue
        total = 0
        for berth in range(instance.berth_count):
            mine = [v for v in vessels if berths[v] == berth]
            best_berth = 10**9
            for order in itertools.permutations(mine):
                now, cost = instance.opening_times[berth], 0
                for v in order:
                    now = max(now, instance.arrival_times[v]) + (instance.handling_times[v][berth] or 0)
                    cost += now - instance.arrival_times[v]
                if now <= instance.closing_times[berth]:
                    best_berth = min(best_berth, cost)
            total += best_berth
        best = min(best, total)
    return best


def test_small_dbap_is_solved_to_the_enumerated_optimum(tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL_DBAP, "small.txt")
    result = solve_berth(read_berth_instance(path), 5.0, seed=1)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == _brute_force_dbap(SMALL_DBAP)
    assert result.bound == result.objective
    assert check_dbap_plan(path, result.to_json()) == []


# 7 vessels, 2 berths: vessels 4, 5 and 6 are twins of 1 (same arrival, handling and deadline), so
# the restricted MIP merges four vessels into one row that must be served four times.
TWINS_DBAP = """7
2
0 2 3 5 2 2 2
0 1
4 6
3 5
5 7
2 4
3 5
3 5
3 5
40 40
40 40 40 40 40 40 40
"""


def _assert_restricted_mip_finds_the_enumerated_optimum(
    tmp_path: Path, text: str, name: str, start_from_greedy: bool
) -> None:
    """The restricted MIP over every column (optionally started from the greedy plan) reaches the
    brute-force optimum, serves every vessel once, and its plan passes the checker."""
    instance = parse_berth_instance(text, name)
    model = timeindexed.TimeIndexedModel(instance)
    lp = timeindexed.solve_lp_by_column_generation(model, [], time.monotonic() + 30.0, seed=1)
    every_column = timeindexed.columns_within(model, lp, slack=1.0e9)
    incumbent = None
    if start_from_greedy:
        greedy = best_greedy_plan(instance, seed=1)
        assert greedy is not None
        incumbent = [timeindexed.Column(v, b, s) for v, (b, s) in enumerate(greedy)]
    outcome = timeindexed.solve_restricted_mip(model, every_column, incumbent, time.monotonic() + 30.0, seed=1)
    assert outcome.finished and outcome.columns is not None
    optimum = _brute_force_dbap(text)
    assert outcome.value == optimum == round(outcome.bound)
    # Each vessel got a start of its own: the merged plan was handed back vessel by vessel.
    assert sorted(c.vessel for c in outcome.columns) == list(range(instance.vessel_count))
    plan = {
        "instance": name,
        "objective": optimum,
        "assignments": [{"vessel": c.vessel, "berth": c.berth, "start": c.start} for c in outcome.columns],
    }
    assert check_dbap_plan(_write(tmp_path, text, f"{name}.txt"), plan) == []


@pytest.mark.parametrize("merge_twins", [True, False])
def test_restricted_mip_with_twins_finds_the_enumerated_optimum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, merge_twins: bool
) -> None:
    assert parse_berth_instance(TWINS_DBAP, "twins").twin_representatives() == (0, 1, 2, 3, 1, 1, 1)
    monkeypatch.setattr(timeindexed, "AGGREGATE_TWINS", merge_twins)
    _assert_restricted_mip_finds_the_enumerated_optimum(tmp_path, TWINS_DBAP, "twins", start_from_greedy=False)


# 7 vessels, 3 berths: berths 1 and 2 are identical (same handling for every vessel, same window),
# vessels 0/1 and 4/5 are twins. Berth 0 is slow for 0 and 1, so the best plan serves them side by
# side from period 0 on berths 1 and 2: one merged column (kind, berth group, start) used twice.
TWIN_BERTHS_DBAP = """7
3
0 0 1 2 3 3 4
0 0 0
20 6 6
20 6 6
2 3 3
5 4 4
3 5 5
3 5 5
6 2 2
40 40 40
40 40 40 40 40 40 40
"""


@pytest.mark.parametrize("merge_berths", [True, False])
def test_restricted_mip_with_identical_berths_finds_the_enumerated_optimum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, merge_berths: bool
) -> None:
    instance = parse_berth_instance(TWIN_BERTHS_DBAP, "twin-berths")
    assert instance.identical_berth_representatives() == (0, 1, 1)
    assert instance.twin_representatives() == (0, 0, 2, 3, 4, 4, 6)
    monkeypatch.setattr(timeindexed, "AGGREGATE_BERTHS", merge_berths)
    _assert_restricted_mip_finds_the_enumerated_optimum(
        tmp_path, TWIN_BERTHS_DBAP, "twin-berths", start_from_greedy=True
    )


def test_same_seed_gives_the_same_plan(tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL_DBAP, "small.txt")
    first = solve_berth(read_berth_instance(path), 5.0, seed=3)
    second = solve_berth(read_berth_instance(path), 5.0, seed=3)
    assert first.plan == second.plan
    assert check_dbap_plan(path, first.to_json()) == []


@pytest.mark.skipif(not (SHARED / "dbap").is_dir(), reason="shared benchmarks not checked out")
@pytest.mark.slow
def test_lalla_ruiz_instance_reaches_its_best_known() -> None:
    """f30x5-01: the local search reaches 1,149 and the time-indexed LP bound proves it optimal.

    Bounded by work (kicks, a converged LP), not seconds, so a busy machine cannot fail it; how fast
    ``solve_berth`` gets there is measured by ``benchmarks/planning_berth.py``.
    """
    path = SHARED / "dbap" / "f30x5-01.txt"
    instance = read_berth_instance(path)
    start = best_greedy_plan(instance, 1)
    assert start is not None
    found = local_search(instance, start, 1, 300.0, kick_budget=2_000)
    cost = total_service_time(instance, found)
    plan = {"objective": cost, "assignments": [{"vessel": v, "berth": b, "start": t} for v, (b, t) in enumerate(found)]}
    assert check_dbap_plan(path, plan) == []
    assert cost == 1149
    model = timeindexed.TimeIndexedModel(instance)
    seed_columns = [timeindexed.Column(v, b, t) for v, (b, t) in enumerate(found)]
    lp = timeindexed.solve_lp_by_column_generation(model, seed_columns, time.monotonic() + 300.0, seed=1)
    assert lp.converged and math.ceil(lp.value - 1e-6) == 1149


@pytest.mark.skipif(not (SHARED / "dbap").is_dir(), reason="shared benchmarks not checked out")
@pytest.mark.slow
@pytest.mark.parametrize(("name", "optimum"), [("f30x3-01", 1763), ("f30x3-03", 2186)])
def test_bound_is_honest_against_known_optima(name: str, optimum: int) -> None:
    # These go through the small-slack MIP bounds and the background local search: whatever the
    # machine load, the bound never exceeds the proven optimum and "optimal" means objective = optimum.
    path = SHARED / "dbap" / f"{name}.txt"
    result = solve_berth(read_berth_instance(path), 6.0, seed=2)
    assert check_dbap_plan(path, result.to_json()) == []
    assert result.objective is not None and result.objective >= optimum
    assert result.bound is not None and result.bound <= optimum
    if result.status is SolveStatus.OPTIMAL:
        assert result.objective == optimum == result.bound


def _valid_plan(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = _write(tmp_path, SMALL_DBAP, "small.txt")
    return path, solve_berth(read_berth_instance(path), 5.0, seed=1).to_json()


def _assignment(plan: dict[str, Any], vessel: int) -> dict[str, Any]:
    return next(a for a in plan["assignments"] if a["vessel"] == vessel)


def test_checker_rejects_overlap(tmp_path: Path) -> None:
    path, plan = _valid_plan(tmp_path)
    broken = copy.deepcopy(plan)
    first, second = broken["assignments"][0], broken["assignments"][1]
    second["berth"], second["start"] = first["berth"], first["start"]
    assert any("overlap" in v for v in check_dbap_plan(path, broken))


def test_checker_rejects_start_before_arrival(tmp_path: Path) -> None:
    path, plan = _valid_plan(tmp_path)
    broken = copy.deepcopy(plan)
    _assignment(broken, 4)["start"] = 0  # vessel 4 arrives at 6
    assert any("before its arrival" in v for v in check_dbap_plan(path, broken))


def test_checker_rejects_forbidden_berth(tmp_path: Path) -> None:
    path, plan = _valid_plan(tmp_path)
    broken = copy.deepcopy(plan)
    _assignment(broken, 4)["berth"] = 0
    assert any("forbidden" in v for v in check_dbap_plan(path, broken))


def test_checker_rejects_wrong_objective_and_missing_vessel(tmp_path: Path) -> None:
    path, plan = _valid_plan(tmp_path)
    wrong = copy.deepcopy(plan)
    wrong["objective"] = plan["objective"] - 1
    assert any("objective" in v for v in check_dbap_plan(path, wrong))
    missing = copy.deepcopy(plan)
    missing["assignments"] = missing["assignments"][1:]
    assert any("not assigned" in v for v in check_dbap_plan(path, missing))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("5\n2\n0 2 x 5 6\n", "arrival times"),
        (SMALL_DBAP.replace("30 30 30 30 30", "30 30"), "vessel deadlines"),
        ("0\n2\n", "N (vessels)"),
        (SMALL_DBAP.replace("2 4\n", "2 0\n"), "handling times of vessel 3"),
    ],
)
def test_malformed_instance_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(PlanningInputError) as error:
        read_berth_instance(_write(tmp_path, text, "bad.txt"))
    assert error.value.field_name == field


def test_zero_time_limit_is_refused(tmp_path: Path) -> None:
    instance = read_berth_instance(_write(tmp_path, SMALL_DBAP, "small.txt"))
    with pytest.raises(PlanningInputError, match="time_limit"):
        solve_berth(instance, 0.0, seed=1)


def test_cli_writes_a_checked_plan(tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL_DBAP, "small.txt")
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(plan_app, ["berth", "--instance", str(path), "--time-limit", "5", "--json", str(out)])
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["instance"] == "small" and plan["status"] == "optimal"
    assert check_dbap_plan(path, plan) == []


def test_cli_bad_file_gives_a_clear_message(tmp_path: Path) -> None:
    path = _write(tmp_path, "5\n2\n0 1\n", "broken.txt")
    result = CliRunner().invoke(plan_app, ["berth", "--instance", str(path), "--time-limit", "5"])
    assert result.exit_code != 0
    assert "arrival times" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_tidal_plan_departs_at_high_tide_and_passes_the_checker(tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL_TIDAL, "3_1_small_1.csv")
    result = solve_tidal(read_tidal_instance(path), 5.0, seed=1)
    assert result.status is SolveStatus.OPTIMAL
    plan = result.to_json()
    assert check_tidal_plan(path, plan) == []
    # The two 1.5-long vessels cannot share the 3.0 quay with the third at once; all leave in windows.
    for entry in plan["assignments"]:
        assert any(b <= entry["departure"] <= e for b, e in [(0, 4), (12, 16), (24, 28)])
    broken = copy.deepcopy(plan)
    broken["assignments"][0]["departure"] = 10
    broken["objective"] = plan["objective"] - plan["assignments"][0]["departure"] + 10
    assert any("high-tide" in v for v in check_tidal_plan(path, broken))


def test_tidal_missing_row_names_it(tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL_TIDAL.replace("Arrival, 0,1,2\n", ""), "3_1_bad_1.csv")
    with pytest.raises(PlanningInputError) as error:
        read_tidal_instance(path)
    assert error.value.field_name == "Arrival"


def test_infeasible_instance_gives_no_plan_and_a_nonzero_exit(tmp_path: Path) -> None:
    # Vessel 0 needs 4 time units but must be done by time 2: no plan exists.
    text = SMALL_DBAP.replace("30 30 30 30 30", "2 30 30 30 30")
    path = _write(tmp_path, text, "infeasible.txt")
    result = solve_berth(read_berth_instance(path), 5.0, seed=1)
    assert result.status is SolveStatus.INFEASIBLE and result.objective is None
    cli = CliRunner().invoke(plan_app, ["berth", "--instance", str(path), "--time-limit", "5"])
    assert cli.exit_code == 1 and "infeasible" in cli.output
