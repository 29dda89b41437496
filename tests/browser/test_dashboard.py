"""The dashboard in real Chromium: every screen loads, its figures agree with the API, the container
search is clicked through, the language is switched, and a shipper meets the same friendly 404 for a
missing box and for someone else's. Screenshots land in build/screenshots/ (docs/screenshots/ with
LANDBRIDGE_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Offline, Served, login, shot
from tests.browser.demo import OPERATOR_TOKEN, OTHER_SHIPPER_TOKEN, SHIPPER_TOKEN

pytestmark = pytest.mark.browser


def api(served: Served, path: str) -> Any:
    """GET an API endpoint as the operator."""
    response = httpx.get(served.base_url + path, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}, timeout=10)
    response.raise_for_status()
    return response.json()


def digits(text: str) -> int:
    """The whole part of an English-formatted figure ("1,700.0 t" -> 1700)."""
    match = re.search(r"-?[\d,]+", text)
    assert match, text
    return int(match.group().replace(",", ""))


def new_page(context: tuple[Any, Offline]) -> tuple[Any, list[str]]:
    """A page that records script errors."""
    page = context[0].new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def test_every_screen_loads_and_agrees_with_the_api(context: tuple[Any, Offline], served: Served) -> None:
    page, errors = new_page(context)
    base = served.base_url
    login(page, base, OPERATOR_TOKEN)
    assert page.url.rstrip("/") == base

    blocks = api(served, "/api/v1/yard/blocks")
    in_yard = sum(block["occupied_slots"] for block in blocks)
    page.wait_for_selector("#live-tiles[data-updated]", timeout=10_000)  # the SSE stream delivered tiles
    assert f"{in_yard:,} /" in page.inner_text("#kpi-yard + .label")  # English groups thousands
    assert page.inner_text("#kpi-holds") == "1"
    assert page.inner_text("#kpi-ships") == "1"
    assert page.locator("#alerts li").count() >= 2  # the old hold and the overloaded wagon
    shot(page, "overview")

    page.click("#screens a[href='/berths']")
    assert page.locator("svg.gantt rect.actual").count() == 2
    assert page.locator("svg.gantt rect.plan").count() == 3
    shot(page, "berths")

    page.click("#screens a[href='/yard']")
    assert digits(page.inner_text("#yard-occupied")) == in_yard
    block, bay, row, tiers = served.demo.stack
    page.click(f"[data-stack='{block}-{bay}-{row}']")
    page.wait_for_selector("#stack-boxes")
    assert page.locator("#stack-boxes tbody tr").count() == tiers
    shot(page, "yard")
    page.click("#mode-dwell")
    assert page.locator(".heat .cell.used").count() > 0

    page.click("#screens a[href='/rail']")
    train = page.locator(f"#train-{served.demo.loading_train}")
    assert train.locator("tr.over").count() == 1
    assert train.locator(f"tr[data-wagon='{served.demo.overweight_wagon}']").get_attribute("class") == "over"
    assert page.locator("#departures tbody tr").count() >= 5
    assert page.locator("#tracks tr[data-track='T1']").inner_text().count(served.demo.loading_train) == 1
    shot(page, "rail")

    page.click("#screens a[href='/grain']")
    silo_stock_t = sum(silo["stock_kg"] for silo in api(served, "/api/v1/silos")) / 1000
    assert digits(page.inner_text("#grain-stock")) == int(silo_stock_t) == served.demo.grain_stock_kg // 1000
    assert digits(page.inner_text("#grain-gap")) == 0
    for owner, ledger in api(served, "/api/v1/grain/balance").items():
        shown = page.inner_text(f"#owners tr[data-owner='{owner}'] .stock")
        assert digits(shown) == ledger["in_stock_kg"] // 1000
    shot(page, "grain")

    page.click("#screens a[href='/corridor']")
    page.wait_for_selector("#map[data-loaded='true']", timeout=20_000)
    assert page.locator(".marker.train").count() == 2
    assert page.locator("#queues tr[data-crossing='khorgos'] .queue").inner_text() == "1"
    assert page.locator(".marker.destination").count() == len(api(served, "/api/v1/routes"))
    page.wait_for_timeout(500)
    shot(page, "corridor")

    page.click("#screens a[href='/customs']")
    assert page.inner_text("#holds-count") == "1"
    assert served.demo.held_box in page.inner_text("#holds")

    page.click("#screens a[href='/simulation']")
    page.select_option("#run-b", "base-seed2")
    page.click("#compare")
    page.wait_for_selector("body[data-plots='ready']")
    for name, column in (("base-seed1", "a"), ("base-seed2", "b")):
        kpis = json.loads((served.runs / name / "kpis.json").read_text())
        cell = page.locator(f"tr[data-kpi='trains.total'] td.{column}").inner_text()
        assert digits(cell) == kpis["trains"]["total"]
    assert page.locator("#plot-yard svg").count() == page.locator("#plot-border svg").count() == 1
    for plot in ("#plot-yard-share", "#plot-refused", "#plot-border-queues"):
        assert page.locator(f"{plot} svg").count() == 1, plot
    shot(page, "simulation")
    assert errors == []


def test_container_search_is_clicked_through(context: tuple[Any, Offline], served: Served) -> None:
    page, errors = new_page(context)
    login(page, served.base_url, OPERATOR_TOKEN)
    page.click("#screens a[href='/container']")
    number = served.demo.shipper_box
    page.fill("#number", f"{number[:4]} {number[4:10]} {number[10]}".lower())
    page.click("#search-button")
    page.wait_for_selector("#container-number")
    assert page.inner_text("#container-number") == number
    history = api(served, f"/api/v1/containers/{number}/history")
    assert page.locator("#timeline li[data-subject='container']").count() == len(history)
    assert page.inner_text("#eta-p10") and page.inner_text("#eta-p50") and page.inner_text("#eta-p90")

    # A box six days out on the Duisburg train: the page shows the tracking API's own P10/P50/P90.
    page.fill("#number", served.demo.transit_box)
    page.click("#search-button")
    page.wait_for_selector("#eta[data-source='tracking']")
    tracked = api(served, f"/api/v1/tracking/{served.demo.transit_box}")["eta"]
    assert page.get_attribute("#eta", "data-stage") == tracked["stage"] == "to_border"  # six days out
    assert page.locator("#timeline li[data-event='train.departed']").count() == 1  # the box's train left
    for quantile in ("p10", "p50", "p90"):
        shown = datetime.fromisoformat(page.get_attribute(f"#eta-{quantile}", "datetime"))
        assert abs(shown - datetime.fromisoformat(tracked[quantile])) < timedelta(minutes=10)
    shot(page, "container")
    assert errors == []


def test_language_is_switched_and_kept(context: tuple[Any, Offline], served: Served) -> None:
    page, errors = new_page(context)
    login(page, served.base_url, OPERATOR_TOKEN)
    page.click("[data-lang='zh']")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert "概览" in page.inner_text("#screens")
    shot(page, "overview-zh")
    page.click("#screens a[href='/rail']")  # the cookie keeps the language
    assert page.get_attribute("html", "lang") == "zh-Hans"
    page.click("[data-lang='kk']")
    assert page.get_attribute("html", "lang") == "kk"
    assert "Теміржол" in page.inner_text("#screens")
    shot(page, "rail-kk")
    page.click("[data-lang='ru']")
    page.click("#screens a[href='/yard']")
    assert "Площадка" in page.inner_text("#screens")
    # Numbers follow the language: Russian writes a decimal comma (3,0 %) where English writes 3.0%.
    assert re.search(r"\d,\d\s?%", page.inner_text("#block-A h2"))
    assert errors == []


def test_shipper_sees_one_friendly_404_for_missing_and_foreign_boxes(
    context: tuple[Any, Offline], served: Served
) -> None:
    page, errors = new_page(context)
    login(page, served.base_url, SHIPPER_TOKEN, lang="ru")
    assert page.url.endswith("/container")
    forbidden = page.goto(f"{served.base_url}/yard")  # the yard is not for cargo owners: no yard.read
    assert forbidden is not None and forbidden.status == 403
    assert page.locator("#screens a[href='/yard']").count() == 0
    shot(page, "forbidden-ru")

    own = page.goto(f"{served.base_url}/container/{served.demo.shipper_box}")
    assert own is not None and own.status == 200

    missing = page.goto(f"{served.base_url}/container/MSCU1234566")
    assert missing is not None and missing.status == 404
    missing_text = page.inner_text("#not-found h1")
    assert "Мы не нашли" in missing_text
    shot(page, "not-found-ru")

    foreign = page.goto(f"{served.base_url}/container/{served.demo.other_box}")
    assert foreign is not None and foreign.status == 404
    assert page.inner_text("#not-found h1") == missing_text
    assert served.demo.other_box not in page.inner_text("main").replace(
        page.inner_text(".not-found .number"), ""
    )  # nothing about the box beyond the number typed

    page.click("#screens a[href='/customs']")
    assert page.inner_text("#holds-count") == "0"  # the only hold is on another shipper's box
    assert errors == []


def test_other_shipper_sees_its_box(context: tuple[Any, Offline], served: Served) -> None:
    page, _ = new_page(context)
    login(page, served.base_url, OTHER_SHIPPER_TOKEN, lang="kk")
    response = page.goto(f"{served.base_url}/container/{served.demo.other_box}")
    assert response is not None and response.status == 200
    foreign = page.goto(f"{served.base_url}/container/{served.demo.shipper_box}")
    assert foreign is not None and foreign.status == 404


def test_overview_updates_live_when_a_box_arrives(context: tuple[Any, Offline], served: Served) -> None:
    from landbridge.store import tables
    from landbridge.store.database import session_factory
    from tests.browser.demo import box

    page, errors = new_page(context)
    login(page, served.base_url, OPERATOR_TOKEN)
    page.wait_for_selector("#live-tiles[data-updated]")
    before = digits(page.inner_text("#kpi-containers"))
    number = box("LIV", 424242)
    now = datetime.now(UTC)
    with session_factory(served.database_url)() as session:
        session.add(
            tables.ContainerRow(
                number=number,
                iso_type="22G1",
                load_state="empty",
                gross_mass_kg=2_200,
                seals=[],
                position_kind="yard",
                position_reference="E-40-8-1",
                version=1,
            )
        )
        session.flush()
        session.add(tables.YardSlotRow(block="E", bay=40, row=8, tier=1, container_number=number))
        session.add(
            tables.EventRow(
                event_type="container.placed",
                subject_type="container",
                subject_id=number,
                actor="test",
                role="yard_operator",
                occurred_at=now,
                recorded_at=now,
            )
        )
        session.commit()
    page.wait_for_function(
        f"document.querySelector('#kpi-containers').textContent.replace(/,/g, '') == '{before + 1}'", timeout=10_000
    )  # no reload: the SSE stream pushed new tiles

    # Other screens re-fetch their sections when the event log grows: a new hold appears by itself.
    page.click("#screens a[href='/customs']")
    page.wait_for_timeout(500)  # let the stream deliver its first (baseline) event
    holds = int(page.inner_text("#holds-count"))
    later = datetime.now(UTC)
    with session_factory(served.database_url)() as session:
        session.add(
            tables.CustomsHoldRow(container_number=number, reason="X-ray", placed_by="customs", placed_at=later)
        )
        session.add(
            tables.EventRow(
                event_type="customs.hold_placed",
                subject_type="container",
                subject_id=number,
                actor="test",
                role="customs_officer",
                occurred_at=later,
                recorded_at=later,
            )
        )
        session.commit()
    page.wait_for_function(f"document.querySelector('#holds-count').textContent == '{holds + 1}'", timeout=10_000)
    assert errors == []


def test_the_offline_guard_catches_a_request_to_another_host(context: tuple[Any, Offline], served: Served) -> None:
    """The guard itself works: a fetch to another host is aborted and recorded (then forgiven here)."""
    page, _ = new_page(context)
    page.goto(f"{served.base_url}/login")
    outcome = page.evaluate("fetch('https://tiles.example.com/0/0/0.png').then(() => 'loaded', () => 'blocked')")
    assert outcome == "blocked"
    assert context[1].outside == ["https://tiles.example.com/0/0/0.png"]
    context[1].outside.clear()
