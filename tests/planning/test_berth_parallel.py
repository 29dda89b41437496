"""The DBAP solver's second process and its MIP callbacks: they help, and they never break a plan."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from landbridge.planning.berth.check import check_dbap_plan
from landbridge.planning.berth.greedy import Assignment, best_greedy_plan, insert_schedule, total_service_time
from landbridge.planning.berth.problem import BerthInstance, read_berth_instance
from landbridge.planning.berth.search_process import SearchProcess
from landbridge.planning.berth.solve import solve_berth
from landbridge.planning.berth.timeindexed import (
    Column,
    TimeIndexedModel,
    columns_within,
    solve_lp_by_column_generation,
    solve_restricted_mip,
)
from landbridge.planning.common import SolveStatus

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks"


def _random_instance(vessels: int, berths: int, seed: int) -> BerthInstance:
    """A busy quay: arrivals over 100 periods, handling 5–20 periods, one berth forbidden now and then."""
    rng = random.Random(seed)
    handling: list[tuple[int | None, ...]] = []
    for _ in range(vessels):
        row: list[int | None] = [rng.randint(5, 20) for _ in range(berths)]
        if rng.random() < 0.2:
            row[rng.randrange(berths)] = None
        handling.append(tuple(row))
    return BerthInstance(
        name=f"random-{seed}",
        arrival_times=tuple(sorted(rng.randint(0, 100) for _ in range(vessels))),
        opening_times=(0,) * berths,
        closing_times=(1000,) * berths,
        handling_times=tuple(handling),
        deadlines=(1000,) * vessels,
    )


def _worst_order_plan(instance: BerthInstance) -> list[Assignment]:
    plan = insert_schedule(instance, list(reversed(range(instance.vessel_count))))
    assert plan is not None
    return plan


def _wait_for_a_better_plan(searcher: SearchProcess, than: int, give_up_s: float = 120.0) -> None:
    """Until the search reports a plan cheaper than ``than`` (or ``give_up_s`` passes: a generous wait
    for a child that starts slowly on a busy machine, not a measure of its speed)."""
    give_up = time.monotonic() + give_up_s
    while searcher.best()[1] >= than and time.monotonic() < give_up:
        time.sleep(0.05)


def test_search_process_improves_a_poor_plan_and_stops_on_request() -> None:
    instance = _random_instance(30, 3, seed=4)
    poor = _worst_order_plan(instance)
    searcher = SearchProcess(instance, poor, seed=1, time_budget_s=600.0)
    try:
        _wait_for_a_better_plan(searcher, total_service_time(instance, poor))
    finally:
        searcher.stop(wait_s=60.0)
    plan, cost = searcher.best()
    assert cost < total_service_time(instance, poor)
    assert cost == total_service_time(instance, plan)
    # Closing its input ended it: it exited on its own (0), was not killed, long before its 600 s budget.
    assert searcher._process.returncode == 0


def test_search_process_stopped_without_waiting_is_gone_and_keeps_its_plans() -> None:
    instance = _random_instance(30, 3, seed=4)
    poor = _worst_order_plan(instance)
    searcher = SearchProcess(instance, poor, seed=1, time_budget_s=600.0)
    _wait_for_a_better_plan(searcher, total_service_time(instance, poor))
    searcher.stop(wait_s=0.0)
    assert searcher._process.poll() is not None  # killed, not left searching for its 600 s
    plan, cost = searcher.best()
    assert cost < total_service_time(instance, poor)
    assert cost == total_service_time(instance, plan)


def test_search_process_keeps_an_offered_better_plan() -> None:
    instance = _random_instance(30, 3, seed=5)
    poor = _worst_order_plan(instance)
    good = best_greedy_plan(instance, seed=1)
    assert good is not None and total_service_time(instance, good) < total_service_time(instance, poor)
    searcher = SearchProcess(instance, poor, seed=1, time_budget_s=5.0)
    try:
        searcher.offer(good)
        assert searcher.best()[1] <= total_service_time(instance, good)
    finally:
        searcher.stop()
    assert searcher.best()[1] <= total_service_time(instance, good)


def _restricted_mip_inputs(instance: BerthInstance) -> tuple[TimeIndexedModel, list[Column], list[Column]]:
    model = TimeIndexedModel(instance)
    greedy = best_greedy_plan(instance, seed=1)
    assert greedy is not None
    seed_columns = [Column(v, b, s) for v, (b, s) in enumerate(greedy)]
    lp = solve_lp_by_column_generation(model, seed_columns, time.monotonic() + 30.0, seed=1)
    assert lp.converged
    gap = total_service_time(instance, greedy) - lp.value
    return model, columns_within(model, lp, gap), seed_columns


class _Recorder:
    """A feed that offers one plan and can ask for an immediate stop."""

    def __init__(self, plan: list[Column] | None, stop: bool) -> None:
        self.plan = plan
        self.stop = stop
        self.asked = 0

    def better_plan(self, than: float) -> list[Column] | None:
        self.asked += 1
        return self.plan

    def interrupt(self, primal_bound: float) -> bool:
        return self.stop


@pytest.mark.slow
def test_restricted_mip_can_be_interrupted_by_its_feed() -> None:
    instance = _random_instance(40, 3, seed=6)
    model, columns, incumbent = _restricted_mip_inputs(instance)
    deadline = time.monotonic() + 600.0
    outcome = solve_restricted_mip(model, columns, incumbent, deadline, seed=1, feed=_Recorder(None, stop=True))
    assert time.monotonic() < deadline  # it ended on the feed's word, not at its (far) deadline
    assert not outcome.finished
    # Interrupted or not, what it returns is a plan that costs what it says.
    assert outcome.value is not None and outcome.columns is not None
    assert outcome.value == sum(model.cost(c) for c in outcome.columns)


@pytest.mark.slow
def test_restricted_mip_accepts_a_plan_from_its_feed() -> None:
    instance = _random_instance(40, 3, seed=7)
    model, columns, incumbent = _restricted_mip_inputs(instance)
    offered = incumbent
    feed = _Recorder(offered, stop=False)
    # No start solution: the only plan handed over comes through the callback.
    outcome = solve_restricted_mip(model, columns, None, time.monotonic() + 30.0, seed=1, feed=feed)
    assert outcome.value is not None
    assert feed.asked > 0
    assert outcome.value <= sum(model.cost(c) for c in offered)


def test_two_workers_give_a_checked_plan(tmp_path: Path) -> None:
    instance = _random_instance(40, 4, seed=8)
    result = solve_berth(instance, 4.0, seed=1, workers=2)
    assert result.objective is not None and result.bound is not None
    assert result.bound <= result.objective
    lines = [
        str(instance.vessel_count),
        str(instance.berth_count),
        " ".join(map(str, instance.arrival_times)),
        " ".join(map(str, instance.opening_times)),
    ]
    lines += [" ".join(str(99999 if h is None else h) for h in row) for row in instance.handling_times]
    lines += [" ".join(map(str, instance.closing_times)), " ".join(map(str, instance.deadlines))]
    path = tmp_path / "random.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert check_dbap_plan(path, result.to_json()) == []


@pytest.mark.skipif(not (SHARED / "dbap").is_dir(), reason="shared benchmarks not checked out")
@pytest.mark.slow
def test_two_workers_stay_honest_on_a_known_optimum() -> None:
    path = SHARED / "dbap" / "f30x3-01.txt"
    result = solve_berth(read_berth_instance(path), 6.0, seed=5, workers=2)
    assert check_dbap_plan(path, result.to_json()) == []
    assert result.objective is not None and result.objective >= 1763
    assert result.bound is not None and result.bound <= 1763
    if result.status is SolveStatus.OPTIMAL:
        assert result.objective == 1763
