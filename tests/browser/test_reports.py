"""The Reports screen in Chromium: the chart is drawn by the vendored ECharts from the same rows as the
table, in Chinese too, and the CSV link downloads them; nothing leaves the app."""

from __future__ import annotations

from typing import Any

import pytest

from landbridge.services.authz import create_user
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.readmodels.common import hub_zone, now_utc
from tests.browser.conftest import Offline, Served, login, shot

pytestmark = pytest.mark.browser


def test_a_report_is_charted_and_tabled(context: tuple[Any, Offline], served: Served) -> None:
    ctx, _ = context
    manager = create_user(UnitOfWork.for_url(served.database_url), name="browser-manager", role="planner")
    month = now_utc().astimezone(hub_zone()).strftime("%Y-%m")
    page = ctx.new_page()
    login(page, served.base_url, manager, lang="zh")
    page.goto(f"{served.base_url}/reports?name=yard-occupancy&month={month}")
    page.wait_for_selector("#report-chart svg text", state="attached")
    assert page.locator("#report-chart svg path").count() > 10  # axes, grid and the series
    assert page.inner_text("h1") == "堆场占用"
    table_rows = page.locator("#report-table tbody tr").count()
    assert table_rows == now_utc().astimezone(hub_zone()).day  # one row per day of the month so far
    # ECharts drew one bar or line point per day: its x axis names every period of the table.
    labels = page.locator("#report-chart svg text").all_text_contents()
    first_period = page.locator("#report-table tbody tr").first.locator("td").first.inner_text()
    assert first_period in labels
    shot(page, "reports-zh")
    with page.expect_download() as download:
        page.click("#report-csv")
    assert download.value.suggested_filename == f"yard-occupancy-day-{month}.csv"
    page.close()
