"""Management reports on both backends: a seeded month of operations played through the API, and every
report figure checked against a direct count from the event log; CSV and XLSX exports."""

from __future__ import annotations

import io
import json
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from landbridge.domain.events import as_utc
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from tests.integration.test_operations_rules import post
from tests.integration.test_reports_window import check_against_the_log
from tests.support import Hub, container_number

HUB = ZoneInfo("Asia/Shanghai")
NOVEMBER = datetime(2026, 11, 1, tzinfo=HUB)
BOXES = 24


def _iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def month(make_hub: Callable[..., Hub]) -> Hub:
    """November 2026 played through the API with a seeded generator: discharges, customs holds, pick-ups."""
    hub = make_hub(users=("admin", "auditor"), as_user="admin")
    client = hub.client
    rng = random.Random(24)
    before = NOVEMBER - timedelta(days=2)
    post(
        client,
        "/api/v1/vessel-visits",
        {"reference": "VM", "vessel_name": "Month", "eta": _iso(before), "occurred_at": _iso(before)},
        201,
    )
    post(
        client,
        "/api/v1/vessel-visits/VM/berth",
        {"berth_code": "30", "etb": _iso(before), "occurred_at": _iso(before + timedelta(hours=1))},
    )
    for serial in range(1, BOXES + 1):
        number = container_number(500 + serial)
        iso = rng.choice(["22G1", "42G1", "45G1"])
        body = {"number": number, "iso_type": iso, "load_state": "full", "gross_mass_kg": 15_000}
        post(client, "/api/v1/containers", {**body, "occurred_at": _iso(before + timedelta(hours=2))}, 201)
        listed = {
            "entries": [{"container": number}],
            "reason": "manifest",
            "occurred_at": _iso(before + timedelta(hours=3)),
        }
        post(client, "/api/v1/vessel-visits/VM/discharge-list/add", listed)
        arrived = NOVEMBER + timedelta(minutes=rng.randrange(0, 27 * 24 * 60))
        post(client, "/api/v1/vessel-visits/VM/discharge", {"container": number, "occurred_at": _iso(arrived)})
        moment = arrived
        if rng.random() < 0.4:
            held = post(
                client,
                "/api/v1/customs/holds",
                {"container": number, "reason": "inspection", "occurred_at": _iso(moment + timedelta(hours=1))},
                201,
            )
            moment += timedelta(hours=1 + rng.randrange(1, 30))
            post(client, f"/api/v1/customs/holds/{held['id']}/release", {"occurred_at": _iso(moment)})
        if rng.random() < 0.75:  # picked up within the free time; the rest stays into December
            leaves = moment + timedelta(minutes=rng.randrange(30, 3 * 24 * 60))
            order = {
                "reference": f"DO{serial}",
                "containers": [number],
                "valid_from": _iso(arrived),
                "valid_to": _iso(leaves + timedelta(days=1)),
                "pin": "4711",
                "occurred_at": _iso(arrived),
            }
            post(client, "/api/v1/delivery-orders", order, 201)
            truck = {
                "reference": f"TM{serial}",
                "plate": f"KZ {serial}",
                "pick_up": [number],
                "delivery_order": f"DO{serial}",
                "pin": "4711",
            }
            if rng.random() < 0.5:
                truck["override_reason"] = "walk-in"
            else:
                hour = as_utc(leaves).replace(minute=0, second=0, microsecond=0)  # stored as UTC
                appointment = {
                    "reference": f"AP{serial}",
                    "hour_start": _iso(hour),
                    "plate": f"KZ {serial}",
                    "kind": "pick_up",
                    "container": number,
                    "occurred_at": _iso(arrived),
                }
                post(client, "/api/v1/gate/appointments", appointment, 201)
                truck["appointment_reference"] = f"AP{serial}"
            post(client, "/api/v1/gate/trucks", {**truck, "occurred_at": _iso(leaves)}, 201)
            post(
                client,
                f"/api/v1/gate/trucks/TM{serial}/out",
                {"occurred_at": _iso(leaves + timedelta(minutes=rng.randrange(5, 90)))},
            )
    return hub


def _events(url: str) -> list[tables.EventRow]:
    with UnitOfWork.for_url(url) as uow:
        rows = uow.events.all_rows()
        uow.session.expunge_all()
        return rows


def _report(hub: Hub, name: str, granularity: str = "day", **extra: str) -> Any:
    params = {
        "start": "2026-11-01T00:00:00+08:00",
        "end": "2026-12-01T00:00:00+08:00",
        "granularity": granularity,
        **extra,
    }
    response = hub.client.get(f"/api/v1/reports/{name}", params=params)
    assert response.status_code == 200, response.text
    return response


def _day(moment: datetime) -> str:
    return as_utc(moment).astimezone(HUB).strftime("%Y-%m-%d")


def _rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered)) - 1]


def test_report_figures_for_a_month_agree_with_a_direct_count_of_the_event_log(month: Hub) -> None:
    events = _events(month.url)
    by_type: dict[str, list[tables.EventRow]] = defaultdict(list)
    for event in events:
        by_type[event.event_type].append(event)

    # Throughput: boxes discharged and picked up per day, and per month.
    throughput = _report(month, "throughput").json()["rows"]
    counted = Counter((_day(e.occurred_at), "sea", "in") for e in by_type["container.discharged"])
    counted.update((_day(e.occurred_at), "road", "out") for e in by_type["container.gate_out"])
    assert {(r["period"], r["mode"], r["direction"]): r["boxes"] for r in throughput} == dict(counted)
    monthly = _report(month, "throughput", "month").json()["rows"]
    assert {(r["mode"], r["direction"]): r["boxes"] for r in monthly} == {
        ("sea", "in"): BOXES,
        ("road", "out"): len(by_type["container.gate_out"]),
    }

    # Dwell: discharge → gate out per box, P50 and P90 by nearest rank, over the month.
    arrived = {e.subject_id: as_utc(e.occurred_at) for e in by_type["container.discharged"]}
    hours = [
        (as_utc(e.occurred_at) - arrived[e.subject_id]).total_seconds() / 3600 for e in by_type["container.gate_out"]
    ]
    (dwell,) = _report(month, "dwell", "month").json()["rows"]
    assert dwell["flow"] == "sea→road" and dwell["boxes"] == len(hours)
    assert dwell["p50_h"] == round(_rank(hours, 0.5), 2) and dwell["p90_h"] == round(_rank(hours, 0.9), 2)

    # Yard occupancy at the end of November: discharged and not picked up.
    occupancy = _report(month, "yard-occupancy").json()["rows"]
    assert len(occupancy) == 30
    assert occupancy[-1]["boxes_at_end"] == BOXES - len(by_type["container.gate_out"]) > 0

    # Gate: every truck's turn time, and those that came in on the clerk's override.
    came = {e.subject_id: as_utc(e.occurred_at) for e in by_type["truck.in"]}
    turns = [(as_utc(e.occurred_at) - came[e.subject_id]).total_seconds() / 60 for e in by_type["truck.out"]]
    (gate,) = _report(month, "gate", "month").json()["rows"]
    assert gate["trucks"] == len(turns) and gate["p90_min"] == round(_rank(turns, 0.9), 2)
    assert gate["with_override"] == len(by_type["gate.override"])

    # Holds: placed and released in the month, with their durations.
    (holds,) = _report(month, "holds", "month").json()["rows"]
    placed = {e.after["hold"]["id"]: as_utc(e.occurred_at) for e in by_type["customs.hold_placed"]}
    lasted = [
        (as_utc(e.occurred_at) - placed[e.after["hold"]["id"]]).total_seconds() / 3600
        for e in by_type["customs.hold_released"]
    ]
    assert (holds["kind"], holds["placed"], holds["released"]) == ("customs", len(placed), len(lasted))
    assert holds["p50_h"] == round(_rank(lasted, 0.5), 2)

    # Exports: the same rows as CSV and XLSX.
    csv_lines = _report(month, "throughput", "month", format="csv").text.splitlines()
    assert csv_lines[0] == "period,mode,direction,boxes,teu,grain_t" and len(csv_lines) == 3
    book = load_workbook(io.BytesIO(_report(month, "dwell", "month", format="xlsx").content))
    sheet = book["dwell"]
    assert [c.value for c in sheet[1]] == ["period", "flow", "boxes", "p50_h", "p90_h", "mean_h"]
    assert sheet.cell(row=2, column=3).value == len(hours)

    # The window-bounded reports give exactly the event-log computation's rows (issue #19).
    check_against_the_log(month.url, NOVEMBER)


def test_reports_refuse_bad_ranges_and_unknown_names_and_need_the_right(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub(users=("admin",), as_user="admin")
    client = hub.client
    assert len(client.get("/api/v1/reports").json()) == 9
    base = {"start": "2026-11-01T00:00:00+08:00", "end": "2026-12-01T00:00:00+08:00"}
    assert client.get("/api/v1/reports/nonsense", params=base).status_code == 404
    backwards = client.get("/api/v1/reports/throughput", params={**base, "end": "2026-10-01T00:00:00+08:00"})
    assert backwards.status_code == 422 and backwards.json()["detail"][0]["loc"][-1] == "end"
    naive = client.get("/api/v1/reports/throughput", params={**base, "start": "2026-11-01T00:00:00"})
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"][-1] == "start"
    empty = client.get("/api/v1/reports/trains", params=base).json()
    assert empty["rows"] == [] and empty["columns"] == ["period"]


def test_the_reports_screen_charts_the_same_rows_and_exports_them(month: Hub) -> None:
    from fastapi.testclient import TestClient

    from tests.support import token

    api_rows = _report(month, "throughput").json()["rows"]
    with TestClient(month.client.app) as web:
        web.cookies.set("lb_token", token(month.url, "web-auditor", "auditor"))
        page = web.get("/reports", params={"name": "throughput", "month": "2026-11", "lang": "zh"})
        assert page.status_code == 200 and 'id="report-chart"' in page.text and "echarts.min.js" in page.text
        shown = page.text.split('id="report-rows">')[1].split("</script>")[0]
        assert json.loads(shown) == api_rows
        assert "吞吐量" in page.text  # the title in Chinese
        exported = web.get("/reports/throughput.csv", params={"month": "2026-11"})
        assert exported.status_code == 200 and exported.text.count("\n") == len(api_rows) + 1
        xlsx = web.get("/reports/gate.xlsx", params={"month": "2026-11", "granularity": "month"})
        assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
        assert web.get("/reports", params={"name": "nothing"}).status_code == 404
        web.cookies.set("lb_token", token(month.url, "web-clerk", "gate_clerk"))
        assert web.get("/reports").status_code == 403
