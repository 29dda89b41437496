"""Every KPI a run writes has an area, a name and a unit, so the screen and report never show raw keys."""

from __future__ import annotations

from landbridge.scenarios import Scenario
from landbridge.simulation import simulate
from landbridge.simulation.catalogue import AREAS, CONTEXT_WORDS, describe
from landbridge.simulation.sweep import flat_numbers


def test_every_numeric_kpi_is_described(scenario: Scenario) -> None:
    kpis = simulate(scenario, 10.0, 1).kpis
    keys = [key for key in flat_numbers(kpis) if not key.startswith("run.")]
    undescribed = [key for key in keys if describe(key) is None]
    assert undescribed == []
    for key in keys:
        info = describe(key)
        assert info is not None and info.area in AREAS and info.unit


def test_keys_are_split_into_name_qualifiers_and_statistic() -> None:
    info = describe("border.khorgos.west.wait_h.p90")
    assert info is not None
    assert (info.area, info.name, info.unit) == ("Border", "Border wait of the base's trains", "h")
    assert info.context == ("khorgos", "west") and info.statistic == "P90"
    assert info.lower_is_better
    assert describe("run.seed") is None
    assert {"khorgos", "alashankou", "west", "east"} <= set(CONTEXT_WORDS)
