"""With the default scenario the twin reproduces the base's published figures, all mechanisms on.

Bookings have seasons (Spring Festival, year-end peak, grain harvest), so only a whole year is
representative: 4 seeds × 365 days keep the test within seconds; the 10-seed figures come from
``benchmarks/twin_calibration.py`` and are in docs/simulation.md. Tolerances (±10 %) can fail.
"""

from __future__ import annotations

import statistics

import pytest

from landbridge.scenarios import Scenario
from landbridge.simulation import simulate

DAYS = 365.0
SEEDS = range(1, 5)


@pytest.fixture(scope="module")
def calibration(scenario: Scenario) -> dict[str, float]:
    runs = [simulate(scenario, DAYS, seed).kpis["calibration"] for seed in SEEDS]
    return {key: statistics.fmean(run[key] for run in runs) for key in runs[0]}


@pytest.mark.slow
def test_rail_teu_within_ten_percent_of_published(calibration: dict[str, float], scenario: Scenario) -> None:
    target = scenario.calibration_targets.rail_teu_per_year
    assert calibration["rail_teu_per_year"] == pytest.approx(target, rel=0.10)


@pytest.mark.slow
def test_trains_per_year_in_published_range(calibration: dict[str, float], scenario: Scenario) -> None:
    targets = scenario.calibration_targets
    assert targets.trains_per_year_min <= calibration["trains_per_year"] <= targets.trains_per_year_max


@pytest.mark.slow
def test_west_east_ratio_about_two_to_one(calibration: dict[str, float], scenario: Scenario) -> None:
    target = scenario.calibration_targets.west_east_teu_ratio
    assert calibration["west_east_teu_ratio"] == pytest.approx(target, rel=0.10)


@pytest.mark.slow
def test_gate_moves_within_ten_percent_of_published(calibration: dict[str, float], scenario: Scenario) -> None:
    target = scenario.calibration_targets.gate_moves_teu_per_year
    assert calibration["gate_moves_teu_per_year"] == pytest.approx(target, rel=0.10)


def test_a_halved_timetable_misses_the_target(scenario: Scenario) -> None:
    """The check can fail: a twin running half the trains is caught."""
    from landbridge.simulation.overrides import apply_overrides

    halved, params = apply_overrides(
        scenario, [(f"timetable.{i}.every_weeks", 2 * d.every_weeks) for i, d in enumerate(scenario.timetable)]
    )
    rail = simulate(halved, 60.0, 1, params).kpis["calibration"]["rail_teu_per_year"]
    assert rail < 0.9 * scenario.calibration_targets.rail_teu_per_year
