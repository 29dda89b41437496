"""The scenario format: the shipped Lianyungang scenario loads, broken files are refused with paths."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from landbridge.scenarios.loader import ScenarioError, bundled_scenario_path, parse_scenario
from landbridge.scenarios.model import Scenario


@pytest.fixture
def raw() -> dict[str, Any]:
    data = yaml.safe_load(bundled_scenario_path().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_default_scenario_matches_published_figures(raw: dict[str, Any]) -> None:
    scenario = parse_scenario(raw)
    assert isinstance(scenario, Scenario)
    yard = scenario.base.yard
    assert yard.area_m2 == 220_000 and yard.sources["area_m2"].startswith("B4")
    assert yard.ground_slots == 1763 == sum(b.bays * b.rows for b in yard.blocks)
    assert scenario.base.cfs.area_m2 == 23_000
    assert scenario.base.rail.line_km == 3.8
    assert {r.destination for r in scenario.routes} >= {
        "Almaty",
        "Tashkent",
        "Astana",
        "Bishkek",
        "Dushanbe",
        "Ashgabat",
        "Moscow",
        "Duisburg",
        "Istanbul",
    }
    khorgos = scenario.crossing("khorgos")
    assert round(khorgos.train_handling_h * 60) == 55
    assert scenario.grain.total_capacity_t == 105_000


def test_weekly_timetable_gives_published_train_count(raw: dict[str, Any]) -> None:
    scenario = parse_scenario(raw)
    per_week = sum(len(d.days) / d.every_weeks for d in scenario.timetable)
    per_year = per_week * 365 / 7
    targets = scenario.calibration_targets
    assert targets.trains_per_year_min <= per_year <= targets.trains_per_year_max


def _problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    return caught.value.problems


def test_missing_field_is_named_with_its_path(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    del broken["base"]["cfs"]["area_m2"]
    assert ("base.cfs.area_m2", "Field required") in _problems(broken)


def test_negative_capacity_is_refused(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    broken["grain"]["silo_groups"][0]["capacity_t"] = -5
    paths = [path for path, _ in _problems(broken)]
    assert "grain.silo_groups.0.capacity_t" in paths


def test_route_to_unknown_crossing(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    broken["routes"][1]["crossing"] = "erenhot"
    problems = _problems(broken)
    assert problems[0][0] == "routes.1.crossing"
    assert "unknown crossing 'erenhot'" in problems[0][1]


def test_a_number_without_source_is_refused(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    del broken["base"]["rail"]["sources"]["line_km"]
    problems = _problems(broken)
    assert problems[0][0] == "base.rail"
    assert "line_km" in problems[0][1]


def test_an_invented_source_is_refused(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    broken["base"]["rail"]["sources"]["line_km"] = "my guess"
    assert "must be a fact id" in _problems(broken)[0][1]
