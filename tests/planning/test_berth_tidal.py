"""Tidal continuous-quay berth planner (Ernst et al. 2017 set): plans checked independently, honest
bounds, the checker's own rejections, and bad input.

The published instances are used when ../shared/benchmarks/ernst-tidal is present (skipped
otherwise); everything else runs on small hand-made files.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from landbridge.planning.berth.check import check_tidal_plan
from landbridge.planning.berth.tidal import (
    POSITION_SCALE,
    read_tidal_instance,
    scale,
    solve_tidal,
)
from landbridge.planning.berth.tidal_heuristic import (
    best_order,
    constructive_orders,
    constructive_plan,
    plan_cost,
    repaired_orders,
)
from landbridge.planning.cli import plan_app
from landbridge.planning.common import PlanningInputError, SolveStatus

TIDAL_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "ernst-tidal"

# Quay 3 (the default). Vessels 0 and 1 (1.5 each) fill the quay together; vessel 2 (2.0) cannot sit
# beside either of them, so somebody waits for a later tide. Small enough to enumerate.
TINY = """Vessels,4
Begin, 0,12,24,36
End, 2,14,26,38
Processing, 5,3,6,4
Length, 1.5,1.5,2.0,1.0
Arrival, 0,1,2,3
"""
WINDOWS = [(0, 2), (12, 14), (24, 26), (36, 38)]
LENGTHS = [1.5, 1.5, 2.0, 1.0]


def _write(tmp_path: Path, text: str, name: str = "4_1_tiny_1.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _published(*names: str) -> list[Path]:
    if not TIDAL_DIR.is_dir():
        pytest.skip(f"no shared benchmarks at {TIDAL_DIR}")
    return [TIDAL_DIR / f"{name}.csv" for name in names]


def _plan_json(assignments: list[dict[str, Any]], arrivals: list[int]) -> dict[str, Any]:
    objective = sum(a["departure"] - arrivals[a["vessel"]] for a in assignments)
    return {"status": "feasible", "objective": objective, "bound": None, "assignments": assignments}


def _brute_force_optimum() -> int:
    """Optimum of TINY by enumeration, independent of the solver: departures cheapest first, each
    combination tried with every placement on a 0.5 grid (all lengths are multiples of 0.5)."""
    arrivals, processing = [0, 1, 2, 3], [5, 3, 6, 4]
    options = [
        [t for b, e in WINDOWS for t in range(b, e + 1) if t >= a + p]
        for a, p in zip(arrivals, processing, strict=True)
    ]
    combos = sorted(itertools.product(*options), key=lambda ds: sum(ds) - sum(arrivals))
    grids = [[k * 0.5 for k in range(int((3.0 - length) / 0.5) + 1)] for length in LENGTHS]
    for departures in combos:
        spans = [(d - p, d) for d, p in zip(departures, processing, strict=True)]
        for xs in itertools.product(*grids):
            if all(
                not (
                    spans[i][0] < spans[j][1]
                    and spans[j][0] < spans[i][1]
                    and xs[i] < xs[j] + LENGTHS[j]
                    and xs[j] < xs[i] + LENGTHS[i]
                )
                for i, j in itertools.combinations(range(4), 2)
            ):
                return sum(departures) - sum(arrivals)
    raise AssertionError("TINY has no plan")


def test_tiny_instance_is_solved_to_the_enumerated_optimum(tmp_path: Path) -> None:
    path = _write(tmp_path, TINY)
    result = solve_tidal(read_tidal_instance(path), 5.0, seed=1)
    plan = result.to_json()
    assert check_tidal_plan(path, plan) == []
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == result.bound == _brute_force_optimum()


@pytest.mark.parametrize(
    "name", ["16_1_Unit_Noon_16_1", "18_1_Uniform_Noon_5_3", "20_1_2c_Noon_3c_1", "32_2_Unit_Noon_5_2"]
)
def test_published_instances_get_checked_plans_and_honest_bounds(name: str) -> None:
    # 20_1_2c_Noon_3c_1 had no plan in 10 s before; 32_2_Unit_Noon_5_2 has zero-length vessels.
    (path,) = _published(name)
    result = solve_tidal(read_tidal_instance(path), 2.0, seed=1)
    assert result.objective is not None, f"{name}: no plan"
    assert check_tidal_plan(path, result.to_json()) == []
    assert result.bound is not None and result.bound <= result.objective
    if result.status is SolveStatus.OPTIMAL:
        assert result.bound == result.objective
    else:
        assert result.status is SolveStatus.FEASIBLE and result.bound < result.objective


def test_constructive_heuristic_alone_is_checker_valid() -> None:
    names = [
        "16_1_2c_Noon_3c_1",
        "16_1_Unit_Uniform_5_4",
        "18_1_Uniform_Uniform_16_2",
        "20_1_Unit_Noon_5_7",
        "32_2_2c_Uniform_3c_3",
        "32_2_Uniform_Noon_16_9",
        "32_2_Unit_Noon_5_3",
    ]
    for path in _published(*names):
        instance = read_tidal_instance(path)
        scaled = scale(instance)
        plan = constructive_plan(scaled, seed=1)
        assert plan is not None, path.stem
        assignments = [
            {"vessel": v, "position": x / POSITION_SCALE, "start": s, "departure": d}
            for v, (x, s, d) in enumerate(plan)
        ]
        plan_json = _plan_json(assignments, list(instance.arrival_times))
        assert plan_json["objective"] == plan_cost(scaled, plan)
        assert check_tidal_plan(path, plan_json) == [], path.stem


def test_repaired_orders_place_every_vessel_of_20_1_2c_Noon_3c_1() -> None:
    # All 44 plain orders leave a long vessel without a tide here (no plan in 10 s before); the
    # squeaky-wheel repair must find a complete, checker-valid plan without any solver.
    (path,) = _published("20_1_2c_Noon_3c_1")
    instance = read_tidal_instance(path)
    scaled = scale(instance)
    orders = constructive_orders(scaled, seed=1)
    assert best_order(scaled, orders)[0] is None
    plan, _ = best_order(scaled, repaired_orders(scaled, orders))
    assert plan is not None
    assignments = [
        {"vessel": v, "position": x / POSITION_SCALE, "start": s, "departure": d} for v, (x, s, d) in enumerate(plan)
    ]
    assert check_tidal_plan(path, _plan_json(assignments, list(instance.arrival_times))) == []


def _valid_tiny_plan() -> list[dict[str, Any]]:
    # Vessels 0 and 1 side by side, 2 alone at the next tide, 3 beside 2.
    return [
        {"vessel": 0, "position": 0.0, "start": 0, "departure": 12},
        {"vessel": 1, "position": 1.5, "start": 1, "departure": 12},
        {"vessel": 2, "position": 0.0, "start": 12, "departure": 24},
        {"vessel": 3, "position": 2.0, "start": 12, "departure": 24},
    ]


def test_checker_accepts_a_hand_made_plan_and_rejects_broken_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, TINY)
    arrivals = [0, 1, 2, 3]
    good = _valid_tiny_plan()
    assert check_tidal_plan(path, _plan_json(good, arrivals)) == []

    overlapping = copy.deepcopy(good)
    overlapping[2]["start"] = 10  # vessel 2 berths while 0 and 1 still fill the quay
    assert any("overlap" in v for v in check_tidal_plan(path, _plan_json(overlapping, arrivals)))

    low_tide = copy.deepcopy(good)
    low_tide[3]["departure"] = 20  # handled by 16, but 20 is between windows
    assert any("high-tide" in v for v in check_tidal_plan(path, _plan_json(low_tide, arrivals)))

    off_quay = copy.deepcopy(good)
    off_quay[3]["position"] = 2.5  # [2.5, 3.5] sticks out past the quay end at 3.0
    assert any("outside [0, 3.0]" in v for v in check_tidal_plan(path, _plan_json(off_quay, arrivals)))

    wrong_objective = _plan_json(good, arrivals)
    wrong_objective["objective"] -= 1
    assert any("objective" in v for v in check_tidal_plan(path, wrong_objective))

    bound_above = _plan_json(good, arrivals)
    bound_above["bound"] = bound_above["objective"] + 1
    assert any("bound" in v for v in check_tidal_plan(path, bound_above))


def test_zero_length_vessels_take_no_quay(tmp_path: Path) -> None:
    text = TINY.replace("Length, 1.5,1.5,2.0,1.0", "Length, 1.5,1.5,2.0,0")
    path = _write(tmp_path, text)
    result = solve_tidal(read_tidal_instance(path), 5.0, seed=1)
    assert check_tidal_plan(path, result.to_json()) == []
    vessel_3 = result.to_json()["assignments"][3]
    assert vessel_3["departure"] == 12  # its own first tide: nobody is in its way


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        (TINY.replace("Length, 1.5,1.5,2.0,1.0", "Length, 1.5,1.5,two,1.0"), "Length"),
        (TINY.replace("Arrival, 0,1,2,3\n", ""), "Arrival"),
        (TINY.replace("Processing, 5,3,6,4", "Processing, 5,3,6"), "Processing"),
        (TINY.replace("End, 2,14,26,38", "End, 2,14,26,30,40"), "End"),
        (TINY.replace("Length, 1.5,1.5,2.0,1.0", "Length, 1.5,1.5,3.5,1.0"), "Length"),
    ],
)
def test_malformed_file_names_the_field_and_exits_2(tmp_path: Path, broken: str, field: str) -> None:
    path = _write(tmp_path, broken)
    with pytest.raises(PlanningInputError) as error:
        read_tidal_instance(path)
    assert error.value.field_name == field
    cli = CliRunner().invoke(plan_app, ["berth-tidal", "--instance", str(path), "--time-limit", "5"])
    assert cli.exit_code == 2
    assert field in cli.output and "Traceback" not in cli.output


def test_zero_time_limit_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, TINY)
    with pytest.raises(PlanningInputError) as error:
        solve_tidal(read_tidal_instance(path), 0.0, seed=1)
    assert error.value.field_name == "time_limit"
    cli = CliRunner().invoke(plan_app, ["berth-tidal", "--instance", str(path), "--time-limit", "0"])
    assert cli.exit_code == 2 and "time_limit" in cli.output


def test_cli_writes_a_checked_plan(tmp_path: Path) -> None:
    path = _write(tmp_path, TINY)
    out = tmp_path / "plan.json"
    cli = CliRunner().invoke(
        plan_app, ["berth-tidal", "--instance", str(path), "--time-limit", "5", "--json", str(out)]
    )
    assert cli.exit_code == 0, cli.output
    assert '"assignments"' in out.read_text(encoding="utf-8")
