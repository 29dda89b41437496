"""The scenario format: the shipped Lianyungang scenario loads, broken files are refused with paths."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from landbridge.config import get_settings
from landbridge.scenarios.loader import ScenarioError, bundled_scenario_path, current_scenario, parse_scenario
from landbridge.scenarios.model import Scenario
from landbridge.simulation.cli import build_variant


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


def test_base_time_zone_must_be_an_iana_zone(raw: dict[str, Any]) -> None:
    assert parse_scenario(raw).base.zone.key == "Asia/Shanghai"
    broken = copy.deepcopy(raw)
    broken["base"]["time_zone"] = "+08:00"
    assert any(path == "base" and "not an IANA time zone" in reason for path, reason in _problems(broken)), _problems(
        broken
    )


def test_every_route_has_a_locode_and_the_crossings_their_km(raw: dict[str, Any]) -> None:
    scenario = parse_scenario(raw)
    assert {r.code: r.locode for r in scenario.routes}["astana"] == "KZNQZ"
    assert all(len(r.locode) == 5 for r in scenario.routes)
    assert scenario.crossing("alashankou").km_from_base == 4119
    assert scenario.crossing("alashankou").sources["km_from_base"].startswith("C3")
    unsourced = copy.deepcopy(raw)
    del unsourced["crossings"][0]["sources"]["km_from_base"]
    assert any("km_from_base" in reason for _, reason in _problems(unsourced))
    missing = copy.deepcopy(raw)
    del missing["routes"][2]["locode"]
    assert ("routes.2.locode", "Field required") in _problems(missing)


def test_current_scenario_is_the_configured_one(
    raw: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seed, dashboard, demo day, planning and the twin all ask ``current_scenario()``: LANDBRIDGE_SCENARIO decides."""
    other = copy.deepcopy(raw)
    other["title"] = "another base"
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(other, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("LANDBRIDGE_SCENARIO", str(path))
    get_settings.cache_clear()
    try:
        assert current_scenario().title == "another base"
        assert build_variant(None, None, None, None).scenario.title == "another base"  # `landbridge simulate`
    finally:
        monkeypatch.delenv("LANDBRIDGE_SCENARIO")
        get_settings.cache_clear()
    assert current_scenario().scenario == "lianyungang"
