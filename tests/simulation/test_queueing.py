"""The engine and the whole twin agree with queueing theory, and Little's law holds on the yard and crossings.

Stations: M/M/c against Erlang C (exact) and M/D/c against Pollaczek–Khinchine (c = 1, exact) and
Cosmetatos' approximation (c > 1; G. P. Cosmetatos, "Some approximate equilibrium results for the
multi-server queue (M/G/r)", Operational Research Quarterly 27 (1976) 615–620). Each mean wait is
estimated over independent seeds and the theory must lie inside its 95 % confidence interval. The
runs are short (seconds), the seeds fixed, so the tests are deterministic.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from landbridge.scenarios import Scenario
from landbridge.simulation import simulate
from landbridge.simulation.engine import Engine, Process, Resource
from landbridge.simulation.overrides import apply_overrides
from landbridge.simulation.sweep import Estimate


def erlang_c_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    load = arrival_rate / service_rate
    rho = load / servers
    below = sum(load**k / math.factorial(k) for k in range(servers))
    top = load**servers / math.factorial(servers) / (1 - rho)
    return top / (below + top) / (servers * service_rate - arrival_rate)


def md1_wait(arrival_rate: float, service_h: float) -> float:
    """Mean wait in queue of M/D/1 (Pollaczek–Khinchine)."""
    rho = arrival_rate * service_h
    return rho * service_h / (2 * (1 - rho))


def mdc_wait_cosmetatos(servers: int, arrival_rate: float, service_h: float) -> float:
    """Cosmetatos' approximation of the M/D/c mean wait in queue."""
    rho = arrival_rate * service_h / servers
    correction = 1 + (1 - rho) * (servers - 1) * (math.sqrt(4 + 5 * servers) - 2) / (16 * rho * servers)
    return 0.5 * correction * erlang_c_wait(servers, arrival_rate, 1 / service_h)


def _station_mean_wait(seed: int, servers: int, arrival_rate: float, service_h: float, exponential: bool) -> float:
    """One replication of a bare engine station: mean wait of customers arriving after the warm-up."""
    engine = Engine()
    rng = random.Random(seed)
    pool = Resource.pool(engine, "server", servers)
    horizon_h, warmup_h = 6000.0, 500.0
    waits: list[float] = []

    def customer() -> Process:
        arrived = engine.now_h
        unit = yield pool
        if arrived >= warmup_h:
            waits.append(engine.now_h - arrived)
        yield rng.expovariate(1 / service_h) if exponential else service_h
        pool.release(unit)

    def source() -> Process:
        while True:
            yield rng.expovariate(arrival_rate)
            engine.start(customer())

    engine.start(source())
    engine.run(horizon_h)
    return sum(waits) / len(waits)


def _assert_inside(estimate: Estimate, theory: float, slack: float = 0.0) -> None:
    half = estimate.half_width + slack * theory
    assert estimate.mean - half <= theory <= estimate.mean + half, (estimate, theory)


@pytest.mark.parametrize(("servers", "arrival_rate"), [(1, 0.8), (3, 2.4)])
def test_engine_mmc_matches_erlang_c(servers: int, arrival_rate: float) -> None:
    waits = [_station_mean_wait(seed, servers, arrival_rate, 1.0, exponential=True) for seed in range(1, 13)]
    _assert_inside(Estimate.of(waits), erlang_c_wait(servers, arrival_rate, 1.0))


def test_engine_md1_matches_pollaczek_khinchine() -> None:
    waits = [_station_mean_wait(seed, 1, 0.8, 1.0, exponential=False) for seed in range(1, 13)]
    _assert_inside(Estimate.of(waits), md1_wait(0.8, 1.0))


def test_engine_mdc_matches_cosmetatos() -> None:
    """Cosmetatos is an approximation (≈1–2 % off for M/D/c); 3 % of slack is allowed on top of the CI."""
    waits = [_station_mean_wait(seed, 3, 2.4, 1.0, exponential=False) for seed in range(1, 13)]
    _assert_inside(Estimate.of(waits), mdc_wait_cosmetatos(3, 2.4, 1.0), slack=0.03)


# ---------------------------------------------------------------- the whole twin
TWIN_DAYS = 60.0
BACKGROUND_PER_DAY = 240.0
CAPACITY_PER_DAY = 300.0


def _khorgos_station(scenario: Scenario, servers: int, service_cv: float) -> tuple[Scenario, Any]:
    """Khorgos westbound as a pure M/x/c station: Poisson background only, the base's trains go elsewhere."""
    assignments: list[tuple[str, Any]] = [
        ("crossings.khorgos.west_background_trains_per_day", BACKGROUND_PER_DAY),
        ("crossings.khorgos.west_capacity_trains_per_day", CAPACITY_PER_DAY),
        ("crossings.khorgos.background_daily_cv", 0.0),
        ("crossings.khorgos.holding_trains", 100_000),
        ("flows.depot_teu_per_year", 0),
        ("twin.crossing_servers", servers),
        ("twin.crossing_service_cv", service_cv),
        ("twin.reroute_threshold_h", 1e9),
    ]
    for route in scenario.routes:
        if route.crossing == "khorgos":
            assignments += [(f"routes.{route.code}.crossing", "alashankou")]
            assignments += [(f"routes.{route.code}.alternative_crossing", "khorgos")]
    return apply_overrides(scenario, assignments)


def _twin_waits(scenario: Scenario, params: Any, seeds: range) -> tuple[Estimate, list[dict[str, Any]]]:
    runs = [simulate(scenario, TWIN_DAYS, seed, params).kpis["border"]["khorgos"]["west"] for seed in seeds]
    assert all(run["trains"] == 0 for run in runs)  # no base train mixed into the Poisson stream
    return Estimate.of([run["all_wait_h"]["mean"] for run in runs]), runs


@pytest.mark.slow
def test_twin_crossing_as_mm2_matches_erlang_c(scenario: Scenario) -> None:
    station, params = _khorgos_station(scenario, servers=2, service_cv=1.0)
    estimate, _ = _twin_waits(station, params, range(1, 9))
    service_rate_per_h = CAPACITY_PER_DAY / 24 / 2  # each of 2 servers takes 2 × the headway
    _assert_inside(estimate, erlang_c_wait(2, BACKGROUND_PER_DAY / 24, service_rate_per_h))


@pytest.mark.slow
def test_twin_crossing_as_md1_matches_pollaczek_khinchine_and_littles_law(scenario: Scenario) -> None:
    station, params = _khorgos_station(scenario, servers=1, service_cv=0.0)
    estimate, runs = _twin_waits(station, params, range(1, 9))
    _assert_inside(estimate, md1_wait(BACKGROUND_PER_DAY / 24, 24 / CAPACITY_PER_DAY))
    for run in runs:  # L = λ W on the queue: time-average queue against arrivals × mean wait
        arrivals_per_h = run["all_trains"] / (TWIN_DAYS * 24)
        assert run["mean_queue_trains"] == pytest.approx(arrivals_per_h * run["all_wait_h"]["mean"], rel=0.05)


@pytest.mark.slow
def test_littles_law_on_the_yard_and_each_crossing(scenario: Scenario) -> None:
    result = simulate(scenario, 120.0, 4)
    horizon_h = 120.0 * 24
    # yard: L from the 6-hourly occupancy samples; λ and W from the boxes that left in the window
    occupancy = result.kpis["yard"]["series_teu"]
    sampled_mean_teu = sum(occupancy) / len(occupancy)
    left = [
        box
        for box in result.twin.records.boxes
        if box.yard_in_h is not None and box.yard_out_h is not None and 0 <= box.yard_out_h < horizon_h
    ]
    teu_per_h = sum(box.teu for box in left) / horizon_h
    mean_dwell_h = sum(box.teu * (box.yard_out_h - box.yard_in_h) for box in left) / sum(box.teu for box in left)
    assert sampled_mean_teu == pytest.approx(teu_per_h * mean_dwell_h, rel=0.03)
    # each crossing and direction, with the base's trains and the background together
    for code, sides in result.kpis["border"].items():
        for direction, side in sides.items():
            arrivals_per_h = side["all_trains"] / horizon_h
            assert side["mean_queue_trains"] == pytest.approx(arrivals_per_h * side["all_wait_h"]["mean"], rel=0.05), (
                code,
                direction,
            )
