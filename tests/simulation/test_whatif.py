"""What-if: a closed crossing pushes back on the base; capacity, cranes and timetables change what they should."""

from __future__ import annotations

from typing import Any

import pytest

from landbridge.scenarios import Scenario
from landbridge.simulation import simulate
from landbridge.simulation.overrides import apply_overrides, parse_assignment, parse_disruption
from landbridge.simulation.params import TwinParameters

DAYS = 60.0

pytestmark = pytest.mark.slow  # each test simulates weeks of the whole base


@pytest.fixture(scope="module")
def base_run(scenario: Scenario) -> dict[str, Any]:
    return simulate(scenario, DAYS, 3).kpis


def test_closing_khorgos_for_a_week_reroutes_the_bases_trains_via_alashankou(
    scenario: Scenario, base_run: dict[str, Any]
) -> None:
    closure = parse_disruption("crossing=khorgos,from=20,to=27", scenario)
    closed = simulate(scenario, DAYS, 3, disruptions=(closure,)).kpis
    khorgos = closed["border"]["khorgos"]["west"]
    # the corridor's trains pile up behind the closure: the longest wait covers most of the week
    assert khorgos["all_wait_h"]["max"] > 5 * 24
    assert khorgos["background_held_upstream"] > base_run["border"]["khorgos"]["west"]["background_held_upstream"]
    # the base's dispatcher sends its Khorgos trains via Alashankou instead, 500 km further each (C22)
    assert base_run["trains"]["rerouted"] == 0
    assert closed["trains"]["rerouted"] >= 5
    assert closed["trains"]["rerouted_extra_km"] == 500 * closed["trains"]["rerouted"]
    assert closed["border"]["alashankou"]["west"]["trains"] > base_run["border"]["alashankou"]["west"]["trains"]


def test_without_rerouting_a_closure_holds_trains_at_the_base(scenario: Scenario, base_run: dict[str, Any]) -> None:
    no_reroute = TwinParameters(reroute_threshold_h=1e9)
    closure = parse_disruption("crossing=khorgos,from=20,to=27", scenario)
    held = simulate(scenario, DAYS, 3, no_reroute, disruptions=(closure,)).kpis
    assert held["trains"]["rerouted"] == 0
    # trains wait at the base for days, staging tracks fill, new trains wait for a track
    assert held["trains"]["held_at_base_h"]["max"] > 48
    assert held["trains"]["departure_delay_h"]["max"] > base_run["trains"]["departure_delay_h"]["max"] + 24
    assert held["utilisation"]["staging_track"] > base_run["utilisation"]["staging_track"]
    assert held["trains"]["formation_wait_h"]["max"] > base_run["trains"]["formation_wait_h"]["max"]
    # the held trains' destinations stop taking boxes: more are left behind and more bookings refused
    assert held["demand"]["teu_left_behind"] > base_run["demand"]["teu_left_behind"]
    assert held["demand"]["unmet_teu"] > base_run["demand"]["unmet_teu"]


def test_lower_crossing_capacity_increases_waiting(scenario: Scenario, base_run: dict[str, Any]) -> None:
    tight, params = apply_overrides(scenario, [parse_assignment("border.khorgos.west_capacity_trains_per_day=21")])
    tight_run = simulate(tight, DAYS, 3, params).kpis
    before = base_run["border"]["khorgos"]["west"]
    after = tight_run["border"]["khorgos"]["west"]
    assert after["all_wait_h"]["mean"] > 2 * before["all_wait_h"]["mean"]
    assert after["mean_queue_trains"] > before["mean_queue_trains"]


def test_gantries_out_of_service_raise_gantry_waits(scenario: Scenario, base_run: dict[str, Any]) -> None:
    outage = parse_disruption("crane=rmg,count=5,from=0,to=60", scenario)
    base = simulate(scenario, DAYS, 2).kpis
    crippled = simulate(scenario, DAYS, 2, disruptions=(outage,)).kpis
    assert crippled["queue_waits_h"]["rmg"]["mean"] > base["queue_waits_h"]["rmg"]["mean"]
    assert crippled["utilisation"]["rmg"] > base["utilisation"]["rmg"]


def test_twice_the_trains_does_not_carry_twice_the_boxes(scenario: Scenario, base_run: dict[str, Any]) -> None:
    """Throughput follows bookings: doubling Almaty's departures cannot double what is booked for Almaty."""
    doubled, params = apply_overrides(scenario, [parse_assignment("timetable.0.days=[mon,tue,wed,thu,fri,sat]")])
    more = simulate(doubled, DAYS, 3, params).kpis
    before = base_run["trains"]["per_destination"]["almaty"]
    after = more["trains"]["per_destination"]["almaty"]
    assert after["west_trains"] > 1.5 * before["west_trains"] or more["trains"]["cancelled_total"] > 0
    assert after["west_teu"] < 1.25 * before["west_teu"]
    assert more["demand"]["teu_left_behind"] < base_run["demand"]["teu_left_behind"]
    assert more["dwell_days"]["road_to_rail"]["mean"] < base_run["dwell_days"]["road_to_rail"]["mean"]
