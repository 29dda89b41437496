"""Silo allocation: fewest transfers, no mixing, capacity — solved, checked, and fed bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from landbridge.planning.cli import plan_app
from landbridge.planning.common import PlanningInputError, SolveStatus
from landbridge.planning.silos.check import check_silos
from landbridge.planning.silos.entry import KINDS
from landbridge.planning.silos.problem import read_silo_instance
from landbridge.planning.silos.solve import solve_silos

EXAMPLE = Path(__file__).resolve().parents[2] / "benchmarks" / "instances" / "silos" / "elevator-01.json"


def _write(tmp_path: Path, data: dict[str, Any], name: str = "silos.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _solve(path: Path) -> dict[str, Any]:
    run, check = KINDS["silo"]
    plan = run(path, 10.0, 1).to_json()
    assert check(path, plan) == []
    return plan


def _two_silos(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "two",
        "silos": [
            {"id": "A", "capacity_kg": 1000, "contents": [{"lot": "old", "mass_kg": 400}]},
            {"id": "B", "capacity_kg": 1000, "contents": []},
        ],
        "lots": [
            {"id": "old", "owner": "KazAgro", "crop": "wheat", "mass_kg": 400},
            {"id": "new", "owner": "Cofco", "crop": "wheat", "mass_kg": 900},
        ],
    }
    data.update(overrides)
    return data


def test_example_needs_exactly_one_transfer() -> None:
    plan = _solve(EXAMPLE)
    assert plan["status"] == "optimal"
    assert plan["objective"] == 1
    assert [t["lot"] for t in plan["transfers"]] == ["L2"]


def test_no_transfer_when_an_empty_silo_takes_the_new_owner(tmp_path: Path) -> None:
    plan = _solve(_write(tmp_path, _two_silos()))
    assert plan["objective"] == 0
    assert plan["intake"] == [{"lot": "new", "to": "B", "mass_kg": 900}]


def test_same_owner_and_crop_share_a_silo(tmp_path: Path) -> None:
    data = _two_silos()
    data["lots"][1]["owner"] = "KazAgro"
    data["lots"][1]["mass_kg"] = 600
    plan = _solve(_write(tmp_path, data))
    assert plan["portions"] == 2
    assert {row["silo"] for row in plan["allocation"]} == {"A"}


def test_too_little_room_is_infeasible(tmp_path: Path) -> None:
    data = _two_silos()
    data["lots"][1]["mass_kg"] = 1700
    result = solve_silos(read_silo_instance(_write(tmp_path, data)), 5)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.objective is None


def test_checker_rejects_mixing_overfill_and_wrong_objective(tmp_path: Path) -> None:
    path = _write(tmp_path, _two_silos())
    plan = _solve(path)
    mixed = copy.deepcopy(plan)
    mixed["allocation"] = [
        {"silo": "A", "lot": "old", "mass_kg": 400},
        {"silo": "A", "lot": "new", "mass_kg": 500},
        {"silo": "B", "lot": "new", "mass_kg": 400},
    ]
    mixed["intake"] = [{"lot": "new", "to": "A", "mass_kg": 500}, {"lot": "new", "to": "B", "mass_kg": 400}]
    assert any("mixes" in v for v in check_silos(path, mixed))
    overfull = copy.deepcopy(plan)
    overfull["allocation"] = [{"silo": "A", "lot": "old", "mass_kg": 400}, {"silo": "B", "lot": "new", "mass_kg": 900}]
    data = _two_silos()
    data["silos"][1]["capacity_kg"] = 800
    small = _write(tmp_path, data, "small.json")
    assert any("over capacity" in v for v in check_silos(small, overfull))
    assert any("objective" in v for v in check_silos(path, dict(plan, objective=3)))
    lost = dict(plan, allocation=[{"silo": "A", "lot": "old", "mass_kg": 400}])
    assert any("lot new" in v for v in check_silos(path, lost))
    unexplained = dict(plan, intake=[])
    assert any("allocated" in v for v in check_silos(path, unexplained))


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["silos"][0].update(capacity_kg=-5), "silos[0].capacity_kg"),
        (lambda d: d["lots"][1].pop("owner"), "lots[1].owner"),
        (lambda d: d["silos"][0]["contents"][0].update(lot="ghost"), "silos[0].contents[0].lot"),
        (lambda d: d["lots"][0].update(mass_kg=500), "lots[0].mass_kg"),
        (lambda d: d["silos"][0].update(capacity_kg=100), "silos[0].contents"),
    ],
)
def test_malformed_instance_names_the_field(tmp_path: Path, mutate: Any, field: str) -> None:
    data = _two_silos()
    mutate(data)
    with pytest.raises(PlanningInputError) as caught:
        read_silo_instance(_write(tmp_path, data))
    assert caught.value.field_name == field


def test_zero_time_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanningInputError, match="time_limit"):
        solve_silos(read_silo_instance(_write(tmp_path, _two_silos())), 0)


def test_cli_silo_plan_and_infeasible_exit(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(plan_app, ["silo", "--instance", str(EXAMPLE), "--time-limit", "5", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert check_silos(EXAMPLE, json.loads(out.read_text(encoding="utf-8"))) == []
    data = _two_silos()
    data["lots"][1]["mass_kg"] = 1700
    infeasible = CliRunner().invoke(plan_app, ["silo", "--instance", str(_write(tmp_path, data)), "--time-limit", "5"])
    assert infeasible.exit_code != 0
    assert "Traceback" not in infeasible.output
    assert "infeasible" in infeasible.output
