"""Pure pieces of the dashboard: formatting per language, the map's train placement, the run table,
JSON embedded in pages. No database, no browser."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from landbridge.web.i18n import Localiser
from landbridge.web.pages import script_json
from landbridge.web.readmodels.corridor import along
from landbridge.web.readmodels.overview import ALL_TILES
from landbridge.web.runs import list_runs, load_run, table
from landbridge.web.screens import TILES


@pytest.mark.parametrize(
    ("code", "number", "share"),
    [
        ("en", "1,700.5", "3.0%"),
        ("ru", "1\u00a0700,5", "3,0\u00a0%"),
        ("kk", "1\u00a0700,5", "3,0%"),
        ("zh", "1,700.5", "3.0%"),
    ],
)
def test_numbers_follow_the_language(code: str, number: str, share: str) -> None:
    lang = Localiser(code)
    assert lang.number(1700.5, 1) == number
    assert lang.percent(0.03) == share
    assert lang.number(None) == "–"


def test_times_are_shown_in_hub_time() -> None:
    noon_utc = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert "20:00" in Localiser("ru").datetime(noon_utc)  # Lianyungang is UTC+8
    assert Localiser("zh").gettext("Yard") == "堆场"
    assert Localiser("en").gettext("container.gate_in") == "gate in"


def test_a_train_is_placed_along_its_line_by_elapsed_share() -> None:
    path = [(0.0, 0.0), (0.0, 10.0), (10.0, 10.0)]
    assert along(path, 0.0) == (0.0, 0.0)
    assert along(path, 0.25) == (0.0, 5.0)
    assert along(path, 0.75) == (5.0, 10.0)
    assert along(path, 1.0) == (10.0, 10.0)


def test_run_table_puts_headline_kpis_first_and_compares(tmp_path: Path) -> None:
    for name, total in (("a", 50), ("b/c", 54)):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "kpis.json").write_text(
            json.dumps(
                {"trains": {"total": total, "per_week": [1, 2]}, "teu": {"rail": {"total": total * 100}}, "x": 1.5}
            )
        )
    assert list_runs(tmp_path) == ["a", "b/c"]
    a, b = load_run(tmp_path, "a"), load_run(tmp_path, "b/c")
    assert a is not None and b is not None
    rows = table(a, b)
    assert rows[0] == ("teu.rail.total", 5000, 5400)
    assert rows[1] == ("trains.total", 50, 54)
    assert ("x", 1.5, 1.5) in rows and all(key != "trains.per_week" for key, _, _ in rows)
    assert load_run(tmp_path, "../..") is None and load_run(tmp_path, "missing") is None


def test_json_in_a_script_element_cannot_close_it() -> None:
    text = script_json({"name": "</script><script>alert(1)</script>", "ok": "Қорғас"})
    assert "</script>" not in text and "<" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>", "ok": "Қорғас"}


def test_every_overview_tile_names_the_action_it_shows() -> None:
    assert set(TILES) == ALL_TILES
