"""Each problem's writer sits beside its reader and round-trips; checkers take data as well as files.

Live planning hands the checkers an instance built in memory, so the data form of each checker must
say exactly what the file form says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from landbridge.planning.berth.check import check_dbap, check_dbap_plan
from landbridge.planning.berth.problem import berth_instance_text, parse_berth_instance, read_berth_instance
from landbridge.planning.berth.solve import solve_berth
from landbridge.planning.cranes.check import check_crane_plan, check_cranes
from landbridge.planning.cranes.problem import crane_instance_text, parse_crane_instance, read_crane_instance
from landbridge.planning.silos.check import check_silo_data, check_silos
from landbridge.planning.silos.problem import instance_from_json as silo_from_json
from landbridge.planning.silos.problem import instance_to_json as silo_to_json
from landbridge.planning.silos.problem import read_silo_instance
from landbridge.planning.trains.check import check_train, check_train_data
from landbridge.planning.trains.problem import instance_from_json as train_from_json
from landbridge.planning.trains.problem import instance_to_json as train_to_json
from landbridge.planning.trains.problem import read_train_instance
from landbridge.planning.yard.check import check_relocation, check_relocation_stacks
from landbridge.planning.yard.problem import bay_from_json, bay_to_json, read_bay

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "benchmarks" / "instances"
SHARED = ROOT / ".." / "shared" / "benchmarks"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared benchmarks not checked out")

SMALL_DBAP = "3 2\n0 1 2\n0 0\n4 5\n3 99999\n2 2\n20 20\n30 30 30\n"


def _assignments(plan: dict[str, Any]) -> dict[str, Any]:
    return {"objective": plan["objective"], "assignments": plan["assignments"]}


def test_berth_writer_round_trips_and_the_checker_reads_text(tmp_path: Path) -> None:
    instance = parse_berth_instance(SMALL_DBAP, "small")
    text = berth_instance_text(instance)
    assert parse_berth_instance(text, "small") == instance
    path = tmp_path / "small.txt"
    path.write_text(text, encoding="utf-8")
    plan = solve_berth(instance, 5.0, seed=1).to_json()
    assert check_dbap(text, plan) == check_dbap_plan(path, plan) == []
    wrong = {**_assignments(plan), "objective": plan["objective"] + 1}
    assert check_dbap(text, wrong) == check_dbap_plan(path, wrong) != []


@needs_shared
def test_berth_writer_round_trips_a_published_instance() -> None:
    instance = read_berth_instance(SHARED / "dbap" / "f30x3-01.txt")
    assert parse_berth_instance(berth_instance_text(instance), instance.name) == instance


@needs_shared
def test_crane_writer_round_trips_and_the_checker_reads_text() -> None:
    path = sorted((SHARED / "qcsp" / "instances").glob("QCSP_n10_*.txt"))[0]
    instance = read_crane_instance(path)
    text = crane_instance_text(instance)
    assert parse_crane_instance(text, instance.name) == instance
    nonsense: dict[str, Any] = {"makespan": 0, "cranes": []}
    assert check_cranes(text, nonsense) == check_crane_plan(path, nonsense) != []


@pytest.mark.parametrize("path", sorted((INSTANCES / "trains").glob("*.json"))[:3], ids=lambda p: p.stem)
def test_train_writer_round_trips_and_the_checker_reads_json(path: Path) -> None:
    instance = read_train_instance(path)
    data = train_to_json(instance)
    assert train_from_json(data, instance.name) == instance
    empty: dict[str, Any] = {"wagons": [], "objective": 1}
    assert check_train_data(json.loads(path.read_text(encoding="utf-8")), empty) == check_train(path, empty)


@pytest.mark.parametrize("path", sorted((INSTANCES / "silos").glob("*.json"))[:3], ids=lambda p: p.stem)
def test_silo_writer_round_trips_and_the_checker_reads_json(path: Path) -> None:
    instance = read_silo_instance(path)
    data = silo_to_json(instance)
    assert silo_from_json(data, instance.name) == instance
    empty: dict[str, Any] = {"allocation": [], "sequence": []}
    assert check_silo_data(json.loads(path.read_text(encoding="utf-8")), empty) == check_silos(path, empty) != []


def test_yard_writer_round_trips_and_the_checker_reads_stacks(tmp_path: Path) -> None:
    bay = bay_from_json({"name": "tiny", "max_height": 3, "stacks": [[1, 3], [2], []]})
    assert bay_from_json(bay_to_json(bay)) == bay
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(bay_to_json(bay)), encoding="utf-8")
    assert read_bay(path) == bay
    stacks = [list(stack) for stack in bay.stacks]
    plan: dict[str, Any] = {"moves": [{"from": 1, "to": 2}], "objective": 0}
    assert check_relocation_stacks(stacks, bay.max_height, plan) == check_relocation(path, plan)
    assert stacks == [list(stack) for stack in bay.stacks]  # the data form leaves its input alone
