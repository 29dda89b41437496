"""Yard planners: block relocation, pre-marshalling, slot proposal — solved, checked, and abused."""

from __future__ import annotations

import csv
import json
import random
from collections import deque
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landbridge.planning.cli import plan_app
from landbridge.planning.common import PlanningInputError, SolveStatus
from landbridge.planning.yard.check import check_premarshalling, check_relocation
from landbridge.planning.yard.entry import KINDS
from landbridge.planning.yard.premarshalling import lower_bound as pm_lower_bound
from landbridge.planning.yard.problem import YardBay, read_bay
from landbridge.planning.yard.slots import propose_slot
from landbridge.planning.yard.solve import solve_premarshalling_plan, solve_relocation_plan

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared benchmark folder not present")


def _best(csv_name: str) -> dict[str, int]:
    with (SHARED / csv_name).open(encoding="utf-8") as handle:
        return {row["instance"]: int(row["objective"]) for row in csv.DictReader(handle) if row["objective"]}


def _cv(name: str) -> Path:
    h, w, _ = name.removeprefix("data").split("-")
    return SHARED / "cv" / f"{h}x{w}" / f"{name}.dat"


def _solve_and_check(kind: str, path: Path, time_limit_s: float = 10.0) -> dict[str, object]:
    run, check = KINDS[kind]
    result = run(path, time_limit_s, 1)
    plan = result.to_json()
    assert check(path, plan) == []
    return plan


@needs_shared
@pytest.mark.parametrize("name", ["data3-3-1", "data3-3-2", "data3-5-7", "data4-4-1", "data4-6-3", "data5-5-3"])
def test_relocation_reaches_the_published_optimum(name: str) -> None:
    plan = _solve_and_check("relocation", _cv(name))
    assert plan["status"] == "optimal"
    assert plan["objective"] == _best("cv/brp_best_known.csv")[name]


@pytest.mark.slow
@needs_shared
@pytest.mark.parametrize("name", ["data3-3-1", "data3-3-4", "data3-4-2", "data4-4-1"])
def test_premarshalling_cv_reaches_the_published_optimum(name: str) -> None:
    plan = _solve_and_check("premarshalling", _cv(name))
    assert plan["status"] == "optimal"
    assert plan["objective"] == _best("cv/cpmp_best_known.csv")[name]


@needs_shared
def test_premarshalling_bf_reaches_the_published_optimum() -> None:
    path = SHARED / "bf" / "BF1" / "cpmp_16_5_48_10_29_1.bay"
    plan = _solve_and_check("premarshalling", path)
    assert plan["objective"] == _best("bf/best_known.csv")[path.stem] == 29
    assert plan["status"] == "optimal"


def _bfs_relocations(stacks: list[list[int]], height: int) -> int:
    """Brute-force optimum of the restricted BRP, for cross-checking the search on tiny bays."""
    start = tuple(tuple(s) for s in stacks)
    frontier: deque[tuple[tuple[tuple[int, ...], ...], int]] = deque([(start, 0)])
    seen = {start}
    while frontier:
        state, cost = frontier.popleft()
        work = [list(s) for s in state]
        while any(work):
            low = min(min(s) for s in work if s)
            src = next(i for i, s in enumerate(work) if low in s)
            if work[src][-1] != low:
                break
            work[src].pop()
        if not any(work):
            return cost
        for dst in range(len(work)):
            if dst != src and len(work[dst]) < height:
                nxt = [list(s) for s in work]
                nxt[dst].append(nxt[src].pop())
                key = tuple(tuple(s) for s in nxt)
                if key not in seen:
                    seen.add(key)
                    frontier.append((key, cost + 1))
    raise AssertionError("no solution")


def _as_file(tmp_path: Path, bay: YardBay) -> Path:
    path = tmp_path / f"{bay.name}.json"
    path.write_text(json.dumps({"max_height": bay.max_height, "stacks": bay.stacks}), encoding="utf-8")
    return path


def test_relocation_matches_brute_force_on_random_small_bays(tmp_path: Path) -> None:
    rng = random.Random(7)
    for _ in range(25):
        width, tiers = rng.randint(3, 4), rng.randint(2, 3)
        items = list(range(1, width * tiers + 1))
        rng.shuffle(items)
        stacks = [items[i * tiers : (i + 1) * tiers] for i in range(width)]
        bay = YardBay("random", tuple(tuple(s) for s in stacks), tiers + 2)
        result = solve_relocation_plan(bay, 5.0)
        assert check_relocation(_as_file(tmp_path, bay), result.to_json()) == []
        assert result.status == SolveStatus.OPTIMAL
        assert result.objective == _bfs_relocations(stacks, tiers + 2)


def test_premarshalling_lower_bound_never_exceeds_a_found_plan(tmp_path: Path) -> None:
    rng = random.Random(11)
    for _ in range(20):
        stacks = tuple(tuple(rng.randint(1, 4) for _ in range(rng.randint(0, 3))) for _ in range(3))
        bay = YardBay("random", stacks, 5)
        result = solve_premarshalling_plan(bay, 5.0)
        assert check_premarshalling(_as_file(tmp_path, bay), result.to_json()) == []
        assert result.objective is not None
        assert pm_lower_bound(stacks, 5) <= result.objective


@pytest.fixture()
def tiny_bay(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps({"name": "tiny", "max_height": 3, "stacks": [[1, 3], [2], []]}), encoding="utf-8")
    return path


def test_relocation_checker_rejects_broken_plans(tiny_bay: Path) -> None:
    good = _solve_and_check("relocation", tiny_bay)
    assert good["objective"] == 1
    moves = list(good["moves"])  # type: ignore[call-overload]
    not_top = {**good, "moves": [{"kind": "relocate", "container": 1, "from": 0, "to": 2}, *moves[1:]]}
    assert any("not on top" in v for v in check_relocation(tiny_bay, not_top))
    wrong_order = {**good, "moves": [{"kind": "retrieve", "container": 2, "from": 1}]}
    assert any("must leave first" in v for v in check_relocation(tiny_bay, wrong_order))
    wrong_objective = {**good, "objective": 0, "bound": 0}
    assert any("objective" in v for v in check_relocation(tiny_bay, wrong_objective))
    full = tiny_bay.with_name("full.json")
    full.write_text(json.dumps({"max_height": 2, "stacks": [[1, 3], [2, 4]]}), encoding="utf-8")
    too_high = {"objective": 1, "moves": [{"kind": "relocate", "container": 3, "from": 0, "to": 1}]}
    assert any("height limit" in v for v in check_relocation(full, too_high))


def test_relocation_checker_rejects_relocating_a_box_not_above_the_target(tiny_bay: Path) -> None:
    plan = {"objective": 1, "moves": [{"kind": "relocate", "container": 2, "from": 1, "to": 2}]}
    assert any("not above the next container" in v for v in check_relocation(tiny_bay, plan))


def test_premarshalling_checker_rejects_broken_plans(tiny_bay: Path) -> None:
    good = _solve_and_check("premarshalling", tiny_bay)
    assert good["objective"] == 1
    unsorted = {"objective": 0, "moves": []}
    assert any("leaves earlier" in v for v in check_premarshalling(tiny_bay, unsorted))
    full = tiny_bay.with_name("full.json")
    full.write_text(json.dumps({"max_height": 2, "stacks": [[1, 3], [2, 4]]}), encoding="utf-8")
    too_high = {"objective": 1, "moves": [{"from": 0, "to": 1}]}
    assert any("height limit" in v for v in check_premarshalling(full, too_high))
    not_top = {"objective": 1, "moves": [{"from": 0, "to": 2, "container": 1}]}
    assert any("not on top" in v for v in check_premarshalling(tiny_bay, not_top))
    from_empty = {"objective": 1, "moves": [{"from": 2, "to": 0}]}
    assert any("empty" in v for v in check_premarshalling(tiny_bay, from_empty))


@pytest.mark.parametrize(
    ("text", "suffix", "field"),
    [
        ("3 9\n3 3 7 1\n3 2 6\n3 8 9 4\n", ".dat", "line 3"),
        ("3\n", ".dat", "line 1"),
        ("2 4\n2 1 2\n2 3 x\n", ".dat", "line 3"),
        ("2 5\n2 1 2\n2 3 4\n", ".dat", "containers"),
        ('{"stacks": [[1, 2]]}', ".json", "max_height"),
        ('{"max_height": 3, "stacks": [[1, 2, 3, 4]]}', ".json", "stacks[0]"),
    ],
)
def test_malformed_bay_names_the_field(tmp_path: Path, text: str, suffix: str, field: str) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanningInputError) as caught:
        read_bay(path)
    assert caught.value.field_name == field


def test_bf_file_name_must_carry_the_height(tmp_path: Path) -> None:
    path = tmp_path / "whatever.bay"
    path.write_text("2 2\n1 1\n1 2\n", encoding="utf-8")
    with pytest.raises(PlanningInputError, match="file name"):
        read_bay(path)


def test_zero_time_limit_is_refused(tiny_bay: Path) -> None:
    with pytest.raises(PlanningInputError, match="time_limit"):
        solve_relocation_plan(read_bay(tiny_bay), 0)
    with pytest.raises(PlanningInputError, match="time_limit"):
        solve_premarshalling_plan(read_bay(tiny_bay), 0)


def test_cli_writes_a_checked_plan(tiny_bay: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    runner = CliRunner()
    for kind in ("relocation", "premarshalling"):
        result = runner.invoke(plan_app, [kind, "--instance", str(tiny_bay), "--time-limit", "5", "--json", str(out)])
        assert result.exit_code == 0, result.output
        plan = json.loads(out.read_text(encoding="utf-8"))
        assert plan["status"] == "optimal"
        assert KINDS[kind][1](tiny_bay, plan) == []


def test_cli_bad_file_fails_cleanly(tmp_path: Path) -> None:
    bad = tmp_path / "broken.dat"
    bad.write_text("3 9\n3 1 2\n", encoding="utf-8")
    result = CliRunner().invoke(plan_app, ["relocation", "--instance", str(bad), "--time-limit", "5"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "line 2" in result.output
    zero = CliRunner().invoke(plan_app, ["relocation", "--instance", str(bad), "--time-limit", "0"])
    assert zero.exit_code != 0
    assert "time_limit" in zero.output


def test_relocation_is_deterministic(tmp_path: Path) -> None:
    bay = YardBay("d", ((3, 1, 6), (5, 2), (4,)), 5)
    first = solve_relocation_plan(bay, 5.0).to_json()
    second = solve_relocation_plan(bay, 5.0).to_json()
    assert check_relocation(_as_file(tmp_path, bay), first) == []
    first.pop("runtime_s")
    second.pop("runtime_s")
    assert first == second


def test_slot_proposal_avoids_burying_an_earlier_departure() -> None:
    # Stack 0 leaves at 5 h, stack 1 at 20 h; a box leaving at 10 h belongs on stack 1.
    proposal = propose_slot([[5.0], [20.0], [30.0, 8.0]], max_height=3, departure=10.0)
    assert proposal.stack == 1
    assert proposal.tier == 1
    assert not proposal.blocks_earlier_departure
    assert proposal.expected_relocations == proposal.relocations_before


def test_slot_proposal_prefers_tightest_fit_and_keeps_empty_stacks() -> None:
    proposal = propose_slot([[50.0], [12.0], []], max_height=4, departure=10.0)
    assert proposal.stack == 1


def test_slot_proposal_when_every_stack_blocks_takes_the_latest() -> None:
    proposal = propose_slot([[1.0], [3.0], [2.0]], max_height=2, departure=9.0)
    assert proposal.stack == 1
    assert proposal.blocks_earlier_departure
    assert proposal.expected_relocations == proposal.relocations_before + 1


def test_slot_proposal_refuses_a_full_block() -> None:
    with pytest.raises(PlanningInputError, match="stacks"):
        propose_slot([[1.0, 2.0], [3.0, 4.0]], max_height=2, departure=5.0)
