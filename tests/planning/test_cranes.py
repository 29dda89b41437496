"""Quay crane scheduling: solved, checked independently, and fed bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from landbridge.planning.cli import plan_app
from landbridge.planning.common import PlanningInputError, SolveStatus
from landbridge.planning.cranes.check import check_crane_plan
from landbridge.planning.cranes.problem import read_crane_instance
from landbridge.planning.cranes.solve import solve_cranes

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks"
QCSP = SHARED / "qcsp" / "instances"

# 4 tasks in bays 1, 2, 5, 6 on 6 bays; 2 cranes starting at bays 1 and 3; task 1 before task 2
# (file numbering), safety margin 1 bay, travel 1 per bay.
SMALL = """4,6,1,0,2,1,1
10,20,10,20
1,2,5,6
0,0
1,3
Phi:
1,2
Psi:
end.
"""


def _write(tmp_path: Path, text: str, name: str = "small.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _solved(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = _write(tmp_path, SMALL)
    return path, solve_cranes(read_crane_instance(path), 5.0, seed=1).to_json()


def test_small_instance_is_solved_and_checked(tmp_path: Path) -> None:
    path, plan = _solved(tmp_path)
    assert plan["status"] == "optimal"
    # Crane 0 does bays 1-2 (10 + 20), crane 1 travels 2 bays and does 5-6 (2 + 10 + 1 + 20).
    assert plan["objective"] == 33
    assert check_crane_plan(path, plan) == []


@pytest.mark.skipif(not QCSP.is_dir(), reason="shared benchmarks not checked out")
def test_qcspgen_instance_reaches_best_known() -> None:
    path = QCSP / "QCSP_n10_b10_c200_f50_uni_d100_g0_q2_t1_s1_001.txt"
    result = solve_cranes(read_crane_instance(path), 10.0, seed=1)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == 520  # best-known in qcsp/best_known.csv
    assert check_crane_plan(path, result.to_json()) == []


def test_checker_rejects_crossing_cranes(tmp_path: Path) -> None:
    path, plan = _solved(tmp_path)
    broken = copy.deepcopy(plan)
    by_task = {t["task"]: t for t in broken["tasks"]}
    # Both cranes at work at once with crane 1 left of crane 0: bay 2 on crane 1, bay 5 on crane 0.
    by_task[1].update(crane=1, start=0)
    by_task[2].update(crane=0, start=0)
    violations = check_crane_plan(path, broken)
    assert any("interference" in v or "cannot be at bay" in v for v in violations)


def test_checker_rejects_precedence_travel_and_objective(tmp_path: Path) -> None:
    path, plan = _solved(tmp_path)
    by_task = {t["task"]: t for t in plan["tasks"]}
    early = copy.deepcopy(plan)
    next(t for t in early["tasks"] if t["task"] == 1)["start"] = by_task[0]["start"]
    assert any("precedence" in v for v in check_crane_plan(path, early))
    no_travel = copy.deepcopy(plan)
    next(t for t in no_travel["tasks"] if t["task"] == 2)["start"] = 0  # crane 1 needs 2 to reach bay 5
    assert any("cannot be at bay" in v for v in check_crane_plan(path, no_travel))
    wrong = copy.deepcopy(plan)
    wrong["objective"] = plan["objective"] - 1
    assert any("objective" in v for v in check_crane_plan(path, wrong))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (SMALL.replace("10,20,10,20", "10,20,10"), "processing times (line 2)"),
        (SMALL.replace("1,2,5,6", "1,2,5,9"), "task bays (line 3)"),
        (SMALL.replace("Phi:\n1,2", "Phi:\n1,x"), "Phi: pair (line 7)"),
        ("4,6,1\n", "header n,b,nPhi,nPsi,q,t,s (line 1)"),
    ],
)
def test_malformed_instance_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(PlanningInputError) as error:
        read_crane_instance(_write(tmp_path, text + "\n" * 5))
    assert error.value.field_name == field


def test_zero_time_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanningInputError, match="time_limit"):
        solve_cranes(read_crane_instance(_write(tmp_path, SMALL)), 0.0, seed=1)


def test_cli_writes_a_checked_plan_and_refuses_bad_files(tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL)
    out = tmp_path / "plan.json"
    runner = CliRunner()
    result = runner.invoke(plan_app, ["cranes", "--instance", str(path), "--time-limit", "5", "--json", str(out)])
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["objective"] == 33 and check_crane_plan(path, plan) == []
    bad = _write(tmp_path, "4,6,1,0,2,1\n", "bad.txt")
    result = runner.invoke(plan_app, ["cranes", "--instance", str(bad), "--time-limit", "5"])
    assert result.exit_code != 0
    assert "header" in result.output and "Traceback" not in result.output


def test_precedence_cycle_is_reported_infeasible(tmp_path: Path) -> None:
    text = SMALL.replace("4,6,1,0,2,1,1", "4,6,2,0,2,1,1").replace("Phi:\n1,2\n", "Phi:\n1,2\n2,1\n")
    result = solve_cranes(read_crane_instance(_write(tmp_path, text)), 5.0, seed=1)
    assert result.status is SolveStatus.INFEASIBLE and result.objective is None
