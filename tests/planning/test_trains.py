"""Train load planning and gauge-change transfer: solved, checked, and fed bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from landbridge.planning.cli import plan_app
from landbridge.planning.common import PlanningInputError, SolveStatus
from landbridge.planning.trains.check import check_train
from landbridge.planning.trains.entry import KINDS
from landbridge.planning.trains.generator import BENCHMARK_SET, generate
from landbridge.planning.trains.problem import read_train_instance
from landbridge.planning.trains.solve import solve_train

INSTANCES = Path(__file__).resolve().parents[2] / "benchmarks" / "instances" / "trains"

WAGON_60 = {
    "length_m": 19.74,
    "tare_kg": 20000,
    "payload_kg": 70000,
    "axles": 4,
    "patterns": [[40, 20], [20, 20, 20], [45]],
}


def _write(tmp_path: Path, data: dict[str, Any], name: str = "train.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _instance(**overrides: Any) -> dict[str, Any]:
    """One 60 ft wagon on the China side; three 20 t 20 ft boxes stacked in one yard stack."""
    data: dict[str, Any] = {
        "name": "tiny",
        "mode": "load",
        "objective": "teu",
        "limits": {"axle_load_kg": 18000, "train_cargo_mass_kg": 1300000, "train_length_m": 100},
        "wagons": [{"id": "W1", **WAGON_60}],
        "containers": [
            {"id": f"B{i}", "length_ft": 20, "gross_mass_kg": 20000, "priority": i, "yard": {"stack": "Y1", "tier": i}}
            for i in (1, 2, 3)
        ],
    }
    data.update(overrides)
    return data


def _solve(path: Path) -> dict[str, Any]:
    run, check = KINDS["train"]
    plan = run(path, 10.0, 1).to_json()
    assert check(path, plan) == []
    return plan


def test_axle_load_limits_a_wagon(tmp_path: Path) -> None:
    # 18 t × 4 axles − 20 t tare = 52 t: two of the three 20 t boxes; the top two stay clear of the yard.
    plan = _solve(_write(tmp_path, _instance()))
    assert plan["status"] == "optimal"
    assert plan["objective"] == 2
    assert plan["yard_relocations"] == 0
    assert plan["not_loaded"] == ["B1"] or plan["not_loaded"] == ["B3"]


def test_broad_gauge_limits_take_all_three(tmp_path: Path) -> None:
    data = _instance(limits={"axle_load_kg": 23500, "train_cargo_mass_kg": None, "train_length_m": None})
    plan = _solve(_write(tmp_path, data))
    assert plan["objective"] == 3


def test_priority_objective_loads_the_urgent_boxes(tmp_path: Path) -> None:
    plan = _solve(_write(tmp_path, _instance(objective="priority")))
    assert plan["objective"] == 5  # boxes of priority 2 and 3
    assert plan["not_loaded"] == ["B1"]
    assert plan["yard_relocations"] == 0


def test_train_cargo_mass_limit_binds(tmp_path: Path) -> None:
    data = _instance(limits={"axle_load_kg": 23500, "train_cargo_mass_kg": 40000, "train_length_m": None})
    assert _solve(_write(tmp_path, data))["objective"] == 2


def test_transfer_mode_uses_fewest_broad_gauge_wagons(tmp_path: Path) -> None:
    data = _instance(
        mode="transfer",
        limits={"axle_load_kg": 23500, "train_cargo_mass_kg": None, "train_length_m": None},
        wagons=[{"id": f"KZ{i}", **WAGON_60} for i in (1, 2, 3)],
        containers=[
            {"id": f"B{i}", "length_ft": 20, "gross_mass_kg": 20000, "arrival_wagon": "CN1"} for i in (1, 2, 3)
        ],
    )
    plan = _solve(_write(tmp_path, data))
    assert plan["objective"] == 3
    assert plan["wagons_used"] == 1


@pytest.mark.parametrize("name", ["load-s-01", "load-s-03", "load-s-04", "transfer-s-01"])
def test_committed_small_instances_solve_to_optimality(name: str) -> None:
    plan = _solve(INSTANCES / f"{name}.json")
    assert plan["status"] == "optimal"
    assert plan["bound"] == plan["objective"]


def test_generator_is_seeded_and_matches_the_committed_files() -> None:
    for params in BENCHMARK_SET:
        assert generate(params) == generate(params)
        committed = json.loads((INSTANCES / f"{params.name}.json").read_text(encoding="utf-8"))
        assert json.loads(json.dumps(generate(params))) == committed


def test_checker_rejects_overloaded_and_misplaced_boxes(tmp_path: Path) -> None:
    path = _write(tmp_path, _instance())
    plan = _solve(path)
    wagon = plan["wagons"][0]
    overloaded = copy.deepcopy(plan)
    overloaded["wagons"][0] = {
        "wagon": "W1",
        "pattern": [20, 20, 20],
        "slots": [{"slot": i, "length_ft": 20, "container": f"B{i + 1}"} for i in range(3)],
    }
    overloaded["objective"] = 3
    violations = check_train(path, overloaded)
    assert any("axle load" in v for v in violations)
    heavy = _instance()
    heavy["containers"][0]["gross_mass_kg"] = 75000
    heavy_path = _write(tmp_path, heavy, "heavy.json")
    payload_plan: dict[str, Any] = {
        "objective": 1,
        "wagons": [{"wagon": "W1", "pattern": [45], "slots": []}],
    }
    payload_plan["wagons"][0]["slots"] = [{"slot": 0, "length_ft": 45, "container": "B1"}]
    assert any("does not fit" in v for v in check_train(heavy_path, payload_plan))
    payload_plan["wagons"][0] = {
        "wagon": "W1",
        "pattern": [20, 20, 20],
        "slots": [{"slot": 0, "length_ft": 20, "container": "B1"}],
    }
    assert any("over payload" in v for v in check_train(heavy_path, payload_plan))
    twice = copy.deepcopy(plan)
    twice["wagons"][0]["slots"] = [dict(s, container="B2") for s in wagon["slots"]]
    assert any("twice" in v for v in check_train(path, twice))
    wrong_objective = dict(plan, objective=plan["objective"] + 1)
    assert any("objective" in v for v in check_train(path, wrong_objective))
    bad_pattern = copy.deepcopy(plan)
    bad_pattern["wagons"][0]["pattern"] = [40, 40]
    assert any("not one of its layouts" in v for v in check_train(path, bad_pattern))


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["containers"][1].update(length_ft=30), "containers[1].length_ft"),
        (lambda d: d["wagons"][0].pop("tare_kg"), "wagons[0].tare_kg"),
        (lambda d: d["wagons"][0].update(patterns=[[20, 35]]), "wagons[0].patterns[0]"),
        (lambda d: d["limits"].update(axle_load_kg="heavy"), "limits.axle_load_kg"),
        (lambda d: d.update(mode="fly"), "mode"),
        (lambda d: d["containers"][2].update(yard={"stack": "Y1", "tier": 1}), "containers.yard"),
    ],
)
def test_malformed_instance_names_the_field(tmp_path: Path, mutate: Any, field: str) -> None:
    data = _instance()
    mutate(data)
    with pytest.raises(PlanningInputError) as caught:
        read_train_instance(_write(tmp_path, data))
    assert caught.value.field_name == field


def test_zero_time_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanningInputError, match="time_limit"):
        solve_train(read_train_instance(_write(tmp_path, _instance())), 0)


def test_infeasible_length_limit_reports_nothing_loaded(tmp_path: Path) -> None:
    data = _instance(limits={"axle_load_kg": 18000, "train_cargo_mass_kg": None, "train_length_m": 5})
    path = _write(tmp_path, data)
    result = solve_train(read_train_instance(path), 5)
    assert check_train(path, result.to_json()) == []
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == 0


def test_cli_train_plan_and_bad_file(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    path = _write(tmp_path, _instance())
    result = CliRunner().invoke(plan_app, ["train", "--instance", str(path), "--time-limit", "5", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert check_train(path, json.loads(out.read_text(encoding="utf-8"))) == []
    broken = tmp_path / "broken.json"
    broken.write_text('{"wagons": [', encoding="utf-8")
    failed = CliRunner().invoke(plan_app, ["train", "--instance", str(broken), "--time-limit", "5"])
    assert failed.exit_code != 0
    assert "Traceback" not in failed.output
    assert "invalid JSON" in failed.output
