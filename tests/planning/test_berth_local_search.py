"""The DBAP local search: never worse than its start, never infeasible, even where deadlines bite."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from landbridge.planning.berth import search_kernels as kernels
from landbridge.planning.berth.check import check_dbap_plan
from landbridge.planning.berth.greedy import best_greedy_plan, total_service_time
from landbridge.planning.berth.local_search import _State, ensure_compiled, local_search
from landbridge.planning.berth.problem import BerthInstance, read_berth_instance

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks"
needs_shared = pytest.mark.skipif(not (SHARED / "dbap").is_dir(), reason="shared benchmarks not checked out")
RUNAWAY_S = 300.0
"""Only a cap: these searches are bounded by kicks, so what they find does not depend on the machine's load."""


def _tight_instance(vessels: int, berths: int, seed: int) -> BerthInstance:
    """A quay whose deadlines leave little room: many ruin-and-recreate kicks cannot put a vessel back."""
    rng = random.Random(seed)
    arrivals = sorted(rng.randint(0, 60) for _ in range(vessels))
    handling: list[tuple[int | None, ...]] = []
    deadlines: list[int] = []
    for arrival in arrivals:
        row: list[int | None] = [rng.randint(4, 15) for _ in range(berths)]
        if rng.random() < 0.3:
            row[rng.randrange(berths)] = None
        handling.append(tuple(row))
        quickest = min(h for h in row if h is not None)
        deadlines.append(arrival + quickest + rng.randint(5, 40))
    return BerthInstance(
        name=f"tight-{seed}",
        arrival_times=tuple(arrivals),
        opening_times=tuple(rng.randint(0, 5) for _ in range(berths)),
        closing_times=tuple(rng.randint(150, 200) for _ in range(berths)),
        handling_times=tuple(handling),
        deadlines=tuple(deadlines),
    )


def _as_file(instance: BerthInstance, tmp_path: Path) -> Path:
    """The instance in the Lalla-Ruiz text format, for the independent checker."""
    rows = [
        str(instance.vessel_count),
        str(instance.berth_count),
        " ".join(map(str, instance.arrival_times)),
        " ".join(map(str, instance.opening_times)),
        *(" ".join("99999" if h is None else str(h) for h in row) for row in instance.handling_times),
        " ".join(map(str, instance.closing_times)),
        " ".join(map(str, instance.deadlines)),
    ]
    path = tmp_path / f"{instance.name}.txt"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _plan_json(plan: list[tuple[int, int]], cost: int) -> dict[str, object]:
    assignments = [{"vessel": v, "berth": b, "start": s} for v, (b, s) in enumerate(plan)]
    return {"objective": cost, "assignments": assignments}


@pytest.mark.parametrize("seed", range(12))
def test_search_keeps_deadlines_and_never_worsens(seed: int, tmp_path: Path) -> None:
    instance = _tight_instance(18, 3, seed)
    start = best_greedy_plan(instance, seed)
    if start is None:
        pytest.skip("no greedy plan for this draw")  # the generator is allowed to make hopeless quays
    start_cost = total_service_time(instance, start)
    found = local_search(instance, start, seed, RUNAWAY_S, kick_budget=300)
    cost = total_service_time(instance, found)
    assert cost <= start_cost
    assert check_dbap_plan(_as_file(instance, tmp_path), _plan_json(found, cost)) == []


def test_enough_draws_have_a_plan() -> None:
    """Guards the test above against skipping everything."""
    plans = [best_greedy_plan(_tight_instance(18, 3, seed), seed) for seed in range(12)]
    assert sum(plan is not None for plan in plans) >= 8


@needs_shared
def test_search_closes_most_of_the_gap_on_a_published_instance(tmp_path: Path) -> None:
    """f30x3-01 (published optimum 1,763): the greedy plan is several percent off; 2,000 kicks (about 1 s) are not."""
    path = SHARED / "dbap" / "f30x3-01.txt"
    instance = read_berth_instance(path)
    start = best_greedy_plan(instance, 1)
    assert start is not None
    found = local_search(instance, start, 1, RUNAWAY_S, kick_budget=2_000)
    cost = total_service_time(instance, found)
    assert total_service_time(instance, start) > 1.01 * 1763
    assert cost <= 1.005 * 1763
    assert check_dbap_plan(path, _plan_json(found, cost)) == []


@needs_shared
def test_exchange_sees_improving_plans_and_adopts_a_better_offer() -> None:
    """The search process's hook: reported costs never rise, and an offered better plan is kept."""
    instance = read_berth_instance(SHARED / "dbap" / "f30x3-01.txt")
    start = best_greedy_plan(instance, 1)
    assert start is not None
    good = local_search(instance, start, 2, RUNAWAY_S, kick_budget=2_000)
    good_cost = total_service_time(instance, good)
    assert good_cost < total_service_time(instance, start)
    seen: list[int] = []

    def exchange(plan: list[tuple[int, int]], cost: int) -> list[tuple[int, int]] | None:
        assert total_service_time(instance, plan) == cost
        seen.append(cost)
        return good if len(seen) == 1 else None  # offered once, at the first exchange

    found = local_search(instance, start, 3, RUNAWAY_S, exchange=exchange, kick_budget=1_600)
    assert len(seen) >= 2
    assert seen == sorted(seen, reverse=True)
    assert seen[1] <= good_cost
    assert total_service_time(instance, found) <= good_cost


@needs_shared
def test_stop_when_ends_the_search_early_with_its_best_plan() -> None:
    """The parent's long search stops as soon as its caller says so, and returns what it had."""
    instance = read_berth_instance(SHARED / "dbap" / "f30x3-01.txt")
    start = best_greedy_plan(instance, 1)
    assert start is not None
    asked: list[int] = []

    def stop_when(best_cost: int) -> bool:
        asked.append(best_cost)
        return len(asked) == 3

    found = local_search(instance, start, 4, RUNAWAY_S, stop_when=stop_when, kick_budget=60_000)
    # Asked every exchange period (500 kicks), and not again once it said stop: a search that ran its
    # whole budget would have been asked 120 times.
    assert len(asked) == 3
    assert total_service_time(instance, found) == asked[-1] <= total_service_time(instance, start)


def _run_kernels(
    instance: BerthInstance, plan: list[tuple[int, int]], seed: int, iterations: int
) -> tuple[list[tuple[int, int]], int, list[int]]:
    """A fixed number of compiled iterations: (best plan, best cost, final per-berth costs as kept)."""
    state = _State(instance)
    state.load(plan)
    state.descend_all()
    total = int(state.costs.sum())
    counters = np.array([total, total, 0], dtype=np.int64)
    history = np.full(10, total, dtype=np.int64)
    current_seq, current_count = state.seq.copy(), state.count.copy()
    best_seq, best_count = state.seq.copy(), state.count.copy()
    rng = np.array([seed], dtype=np.uint64)
    kernels.iterate(
        iterations,
        rng,
        counters,
        history,
        state.seq,
        state.count,
        state.ends,
        state.costs,
        state.berth_of,
        current_seq,
        current_count,
        best_seq,
        best_count,
        np.zeros((0, 0, 0), dtype=np.uint8),
        state.arrival,
        state.opening,
        state.latest,
        state.handling,
    )
    kept_costs = state.costs.tolist()
    for berth in range(instance.berth_count):  # recompute from the sequences alone
        kernels.refresh(
            berth,
            state.seq,
            state.count,
            state.ends,
            state.costs,
            state.berth_of,
            state.arrival,
            state.opening,
            state.handling,
        )
    assert state.costs.tolist() == kept_costs, "incremental costs drifted from the sequences"
    return state.plan_of(best_seq, best_count), int(counters[0]), kept_costs


@needs_shared
def test_compiled_search_is_reproducible_by_iteration_count(tmp_path: Path) -> None:
    """Same seed, start and number of iterations: the same plan, whatever the machine's speed; the
    cost the search reports is the plan's real cost and the checker accepts it."""
    path = SHARED / "dbap" / "f40x7-03.txt"
    instance = read_berth_instance(path)
    start = best_greedy_plan(instance, 1)
    assert start is not None
    ensure_compiled()
    first = _run_kernels(instance, start, 7, 300)
    second = _run_kernels(instance, start, 7, 300)
    other_seed = _run_kernels(instance, start, 8, 300)
    assert first == second
    assert first[0] != other_seed[0]
    plan, cost, _ = first
    assert cost == total_service_time(instance, plan) < total_service_time(instance, start)
    assert check_dbap_plan(path, _plan_json(plan, cost)) == []


def _plain_cost(instance: BerthInstance, berth: int, sequence: list[int]) -> float:
    """Σ(completion − arrival) of a berth sequence served left-shifted, written out plainly; inf if late."""
    now, total = instance.opening_times[berth], 0
    for vessel in sequence:
        handling = instance.handling_times[vessel][berth]
        latest = instance.latest_start(vessel, berth)
        if handling is None or latest is None:
            return float("inf")
        start = max(now, instance.arrival_times[vessel])
        if start > latest:
            return float("inf")
        now = start + handling
        total += now - instance.arrival_times[vessel]
    return total


def _neighbours(sequences: list[list[int]]) -> list[tuple[str, list[list[int]]]]:
    """Every relocation, cross-berth swap and tail exchange of a plan, built by brute force."""
    found: list[tuple[str, list[list[int]]]] = []
    berths = range(len(sequences))
    for source in berths:
        for index, vessel in enumerate(sequences[source]):
            for target in berths:
                reduced = [list(s) for s in sequences]
                reduced[source].pop(index)
                for position in range(len(reduced[target]) + 1):
                    moved = [list(s) for s in reduced]
                    moved[target].insert(position, vessel)
                    found.append(("relocation", moved))
    for first in berths:
        for second in berths:
            if first >= second:
                continue
            for i in range(len(sequences[first]) + 1):
                for j in range(len(sequences[second]) + 1):
                    exchanged = [list(s) for s in sequences]
                    exchanged[first] = sequences[first][:i] + sequences[second][j:]
                    exchanged[second] = sequences[second][:j] + sequences[first][i:]
                    found.append(("tail exchange", exchanged))
                    if i < len(sequences[first]) and j < len(sequences[second]):
                        swapped = [list(s) for s in sequences]
                        swapped[first][i], swapped[second][j] = sequences[second][j], sequences[first][i]
                        found.append(("swap", swapped))
    return found


@pytest.mark.parametrize("seed", range(120, 140))
def test_descent_ends_where_no_move_helps(seed: int) -> None:
    """The compiled descent stops only at a plan that no relocation, swap or tail exchange improves —
    checked by enumerating every such move with plain Python (no code shared with the kernels).
    Without the tail exchange, draws 122 and 136 stop where one still helps."""
    instance = _tight_instance(14, 3, seed)
    start = best_greedy_plan(instance, seed - 100)
    if start is None:
        pytest.skip("no greedy plan for this draw")
    ensure_compiled()
    state = _State(instance)
    state.load(start)
    state.descend_all()
    sequences = [state.seq[b, : state.count[b]].tolist() for b in range(instance.berth_count)]
    cost = sum(_plain_cost(instance, b, s) for b, s in enumerate(sequences))
    assert cost == int(state.costs.sum()) <= total_service_time(instance, start)
    for kind, neighbour in _neighbours(sequences):
        assert sum(_plain_cost(instance, b, s) for b, s in enumerate(neighbour)) >= cost, kind


@needs_shared
def test_a_kick_budget_gives_the_same_plan_however_busy_the_machine() -> None:
    """Bounded by kicks, not seconds: two runs with the same seed and start agree to the berth and hour."""
    instance = read_berth_instance(SHARED / "dbap" / "f30x3-01.txt")
    start = best_greedy_plan(instance, 1)
    assert start is not None
    first = local_search(instance, start, 5, RUNAWAY_S, kick_budget=1_000)
    second = local_search(instance, start, 5, RUNAWAY_S, kick_budget=1_000)
    assert first == second
    assert total_service_time(instance, first) < total_service_time(instance, start)
