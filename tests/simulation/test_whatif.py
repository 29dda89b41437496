"""What-if: a closed crossing makes trains wait; a crane out of service slows train handling."""

from __future__ import annotations

from landbridge.scenarios import Scenario
from landbridge.simulation import simulate
from landbridge.simulation.overrides import apply_overrides, parse_assignment, parse_disruption

DAYS = 60.0


def _khorgos_wait_h(kpis: dict[str, object]) -> float:
    border = kpis["border"]
    assert isinstance(border, dict)
    return float(border["khorgos"]["west"]["wait_h"]["mean"])


def test_closing_khorgos_for_a_week_increases_border_waiting(scenario: Scenario) -> None:
    base = simulate(scenario, DAYS, 3).kpis
    closure = parse_disruption("crossing=khorgos,from=20,to=27", scenario)
    closed = simulate(scenario, DAYS, 3, disruptions=(closure,)).kpis
    assert _khorgos_wait_h(closed) > _khorgos_wait_h(base) + 5.0
    # the other crossing is untouched
    assert closed["border"]["alashankou"] == base["border"]["alashankou"]


def test_lower_crossing_capacity_increases_waiting(scenario: Scenario) -> None:
    tight, params = apply_overrides(scenario, [parse_assignment("border.khorgos.trains_per_day=0.5")])
    base = simulate(scenario, DAYS, 3).kpis
    assert _khorgos_wait_h(simulate(tight, DAYS, 3, params).kpis) > _khorgos_wait_h(base)


def test_gantries_out_of_service_raise_gantry_waits(scenario: Scenario) -> None:
    outage = parse_disruption("crane=rmg,count=5,from=0,to=60", scenario)
    base = simulate(scenario, DAYS, 2).kpis
    crippled = simulate(scenario, DAYS, 2, disruptions=(outage,)).kpis
    assert crippled["queue_waits_h"]["rmg"]["mean"] > base["queue_waits_h"]["rmg"]["mean"]
    assert crippled["utilisation"]["rmg"] > base["utilisation"]["rmg"]
