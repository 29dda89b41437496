"""One simulated year of the default scenario: wall time and events/s; SimPy's loop vs ours.

    .venv/bin/python benchmarks/simulate_year.py [--repeats 3]

Three measurements, each the median of ``--repeats`` runs:
1. the whole twin, one year (target ≤ 15 s on one core);
2. bare loops: a plain heapq loop, our Engine, SimPy — each doing only timeouts;
3. the same toy gate model (trucks queueing for a lane and a reach stacker) on our Engine and on SimPy.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import simpy
from rich.console import Console
from rich.table import Table

from landbridge.scenarios import load_scenario
from landbridge.simulation import simulate
from landbridge.simulation.engine import Engine, Process, Resource

RESULTS = Path(__file__).parent / "results" / "simulate_year.json"
LOOP_EVENTS = 1_000_000
TRUCKS = 100_000


def median_time(action: Callable[[], int], repeats: int) -> tuple[float, int]:
    """Median wall seconds of ``action`` and the event count it reports."""
    times = []
    events = 0
    for _ in range(repeats):
        started = time.perf_counter()
        events = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), events


def bare_heap_loop() -> int:
    heap: list[tuple[float, int]] = [(float(i), i) for i in range(100)]
    heapq.heapify(heap)
    sequence = 100
    for _ in range(LOOP_EVENTS):
        now, _ = heapq.heappop(heap)
        sequence += 1
        heapq.heappush(heap, (now + 1.0, sequence))
    return LOOP_EVENTS


def own_timeout_loop() -> int:
    engine = Engine()

    def ticker() -> Process:
        while True:
            yield 1.0

    for _ in range(100):
        engine.start(ticker())
    engine.run(LOOP_EVENTS / 100 - 1)
    return engine.events


def simpy_timeout_loop() -> int:
    env = simpy.Environment()

    def ticker(env: simpy.Environment) -> Any:
        while True:
            yield env.timeout(1.0)

    for _ in range(100):
        env.process(ticker(env))
    env.run(until=LOOP_EVENTS / 100)
    return LOOP_EVENTS  # one timeout per step, as in the other loops


def own_gate_model() -> int:
    engine = Engine()
    lanes = Resource.pool(engine, "lane", 4)
    stackers = Resource.pool(engine, "stacker", 4)

    def truck() -> Process:
        lane = yield lanes
        yield 0.066
        lanes.release(lane)
        stacker = yield stackers
        yield 0.083
        stackers.release(stacker)

    for index in range(TRUCKS):
        engine.start(truck(), index * 0.05)
    engine.run(1e9)
    return engine.events


def simpy_gate_model() -> int:
    env = simpy.Environment()
    lanes = simpy.Resource(env, 4)
    stackers = simpy.Resource(env, 4)
    steps = [0]

    def truck(env: simpy.Environment, delay: float) -> Any:
        yield env.timeout(delay)
        with lanes.request() as request:
            yield request
            yield env.timeout(0.066)
        with stackers.request() as request:
            yield request
            yield env.timeout(0.083)
        steps[0] += 1

    for index in range(TRUCKS):
        env.process(truck(env, index * 0.05))
    env.run()
    return TRUCKS * 5  # the same process steps our Engine counts: start, 2 grants, 2 service timeouts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    console = Console(width=150)
    scenario = load_scenario()
    load = os.getloadavg()
    year_walls = []
    year_cpus = []
    events = 0
    for seed in range(1, args.repeats + 1):
        cpu_started = time.process_time()
        result = simulate(scenario, 365.0, seed)
        year_cpus.append(time.process_time() - cpu_started)
        year_walls.append(result.wall_s)
        events = result.twin.engine.events
    year_s = statistics.median(year_walls)
    year_cpu_s = statistics.median(year_cpus)
    rows: dict[str, dict[str, float]] = {
        "twin one year (ours), all mechanisms on": {"wall_s": year_s, "cpu_s": year_cpu_s, "events": events}
    }
    for name, action in [
        ("bare heapq loop", bare_heap_loop),
        ("timeouts: own Engine", own_timeout_loop),
        ("timeouts: SimPy", simpy_timeout_loop),
        ("gate model: own Engine", own_gate_model),
        ("gate model: SimPy", simpy_gate_model),
    ]:
        wall_s, count = median_time(action, args.repeats)
        rows[name] = {"wall_s": wall_s, "events": count}
    for row in rows.values():
        row["events_per_s"] = row["events"] / row["wall_s"]
    table = Table(title="One simulated year and event-loop speed (median of repeats)")
    table.add_column("run")
    table.add_column("wall s", justify="right")
    table.add_column("CPU s", justify="right")
    table.add_column("events", justify="right")
    table.add_column("events/s", justify="right")
    for name, row in rows.items():
        cpu = f"{row['cpu_s']:.3f}" if "cpu_s" in row else ""
        table.add_row(name, f"{row['wall_s']:.3f}", cpu, f"{row['events']:,.0f}", f"{row['events_per_s']:,.0f}")
    console.print(table)
    console.print(f"load average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    speedup = rows["gate model: SimPy"]["wall_s"] / rows["gate model: own Engine"]["wall_s"]
    console.print(f"own Engine vs SimPy on the same gate model: {speedup:.2f}× faster")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "python": platform.python_version(),
                "simpy": simpy.__version__,
                "repeats": args.repeats,
                "load_average_before": list(load),
                "cpu_count": os.cpu_count(),
                "runs": rows,
                "own_vs_simpy_gate_model_speedup": speedup,
            },
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )
    console.print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
