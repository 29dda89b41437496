"""Demand apart from supply, the yard's limit, the gate's day and the wagon cycle."""

from __future__ import annotations

from typing import Any

import pytest

from landbridge.scenarios import Scenario
from landbridge.simulation import simulate
from landbridge.simulation.overrides import apply_overrides, parse_assignment
from landbridge.simulation.processes.demand import Seasons

DAYS = 60.0

pytestmark = pytest.mark.slow  # each test simulates weeks of the whole base


@pytest.fixture(scope="module")
def base_run(scenario: Scenario) -> dict[str, Any]:
    return simulate(scenario, DAYS, 5).kpis


def _run(scenario: Scenario, *assignments: str, days: float = DAYS, seed: int = 5) -> dict[str, Any]:
    changed, params = apply_overrides(scenario, [parse_assignment(text) for text in assignments])
    return simulate(changed, days, seed, params).kpis


def test_a_full_yard_refuses_drop_offs_and_holds_sea_boxes(scenario: Scenario, base_run: dict[str, Any]) -> None:
    assert base_run["yard"]["refused_teu"] == 0
    tight = _run(scenario, "twin.yard_working_fill=0.3")
    assert tight["yard"]["ground_slot_share"]["max"] <= 0.35  # only trains unload past the limit
    assert tight["yard"]["refused_teu"] > 1000
    assert tight["yard"]["sea_diverted_teu"] > 0
    assert tight["demand"]["refused_at_gate_teu"] > 0
    assert tight["demand"]["unmet_teu"] > base_run["demand"]["unmet_teu"]
    assert sum(tight["yard"]["refused_teu_per_day"]) >= tight["yard"]["refused_teu"]


def test_trains_leave_full_at_their_slot_or_wait_or_are_cancelled(base_run: dict[str, Any]) -> None:
    trains = base_run["trains"]
    # F3: a train leaves with at most 10 % empty slots unless the hold (24 h) ran out
    assert trains["load_factor_west"]["p50"] >= 0.9
    assert trains["hold_for_boxes_h"]["max"] <= 24.0
    assert trains["departure_delay_h"]["p50"] <= 1.0
    assert base_run["demand"]["carried_west_teu"] == base_run["teu"]["rail"]["west"]


def test_thin_bookings_cancel_trains(scenario: Scenario) -> None:
    thin = _run(scenario, "demand.bookings.0.teu_per_week=90")  # Almaty: 90 TEU a week for 3 trains
    assert thin["trains"]["cancelled"].get("west_few_boxes", 0) > 0
    assert thin["trains"]["per_destination"]["almaty"]["west_teu"] <= 90 * DAYS / 7 * 1.3


def test_bookings_follow_the_seasons(scenario: Scenario) -> None:
    seasons = Seasons(scenario.demand)
    week = 7 * 24.0
    year_end = seasons.factor("west", 46 * week)
    spring_festival = seasons.factor("west", 5 * week)
    ordinary = seasons.factor("west", 20 * week)
    assert year_end > ordinary > spring_festival
    assert sum(seasons.factor("west", w * week) for w in range(52)) / 52 == pytest.approx(1.0, rel=1e-9)
    assert seasons.factor("east", 40 * week) > seasons.factor("east", 20 * week)  # grain harvest from late September


def test_trucks_follow_the_daily_profile(base_run: dict[str, Any]) -> None:
    by_hour = base_run["teu"]["gate"]["trucks_by_hour_of_day"]
    # the road gate is closed 02–04 h; only quay shuttles pass then
    assert by_hour[9] > 3 * by_hour[2]
    assert base_run["teu"]["gate"]["peak_hour_trucks"] > 1.5 * base_run["teu"]["gate"]["trucks_per_hour"]


def test_too_few_wagons_make_trains_wait_and_shortages_show(scenario: Scenario, base_run: dict[str, Any]) -> None:
    assert base_run["wagons"]["wagons_1435"]["fleet"] == scenario.base.rail.wagons_1435
    short = _run(scenario, "base.rail.wagons_1435=300")
    formation = short["trains"]["formation_wait_h"]
    assert formation["max"] > 0 or short["trains"]["cancelled"].get("west_no_wagons", 0) > 0
    assert short["wagons"]["wagons_1435"]["utilisation"] > base_run["wagons"]["wagons_1435"]["utilisation"]
    few_1520 = _run(scenario, "crossings.khorgos.wagons_1520=150")
    assert (
        few_1520["wagons"]["wagons_1520_khorgos"]["shortages"] > base_run["wagons"]["wagons_1520_khorgos"]["shortages"]
    )
    assert few_1520["trains"]["transit_days_west"]["mean"] > base_run["trains"]["transit_days_west"]["mean"]
