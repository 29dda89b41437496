"""The Reports screen (``/reports``): a management report per day, week or month as a chart (the
vendored ECharts) and a table, with the same rows as CSV or XLSX (``/reports/{name}.csv|.xlsx``).

The figures come from ``services.reports.compute_report`` on the dashboard's read-only session, so
the screen and ``GET /api/v1/reports/{name}`` show the same numbers.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from landbridge.domain.errors import DomainError
from landbridge.reports.export import report_csv, report_xlsx
from landbridge.services.authz import Action
from landbridge.services.reports import DESCRIPTIONS, compute_report
from landbridge.store.repositories import ReportRepository
from landbridge.web.pages import Page, PageDep, guarded, not_found
from landbridge.web.readmodels.common import hub_zone, now_utc

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _(message: str) -> str:
    """Mark a message for extraction; it is translated when rendered."""
    return message


TITLES = {
    "throughput": _("Throughput"),
    "dwell": _("Dwell time"),
    "yard-occupancy": _("Yard occupancy"),
    "trains": _("Trains and punctuality"),
    "gate": _("Gate turn time"),
    "holds": _("Holds"),
    "wagon-turnaround": _("Wagon turnaround"),
    "berth-occupancy": _("Berth occupancy"),
    "equipment": _("Equipment productivity"),
}
# What each report shows, for the screen (the API's wording in services/reports.py, translated here).
EXPLAINED = {
    "throughput": _("Boxes and TEU in and out by mode (sea, rail, road), and grain tonnes received and shipped."),
    "dwell": _("Dwell of the boxes that left, by flow (mode in → mode out): P50, P90 and mean hours."),
    "yard-occupancy": _("Boxes and TEU in the base at the end of each period, and the peak within it."),
    "trains": _("Departures per route and their punctuality: within 60 minutes of the timetable slot."),
    "gate": _("Truck turn time (in → out), P50 and P90 minutes, and appointment compliance (no clerk override)."),
    "holds": _("Holds placed per kind, how many were released, and their P50 and P90 duration in hours."),
    "wagon-turnaround": _("Hours a train's wagons spend at the base: arrival → released or departed."),
    "berth-occupancy": _(
        "Per berth: calls berthed and the hours a ship lay alongside (berthed → departed), as a share."
    ),
    "equipment": _(
        "Per machine: moves confirmed, hours with a move, and moves per such hour (crane and RMG productivity)."
    ),
}
# The figure each report charts (one line or bar series per mode, flow, route or kind).
CHARTED = {
    "throughput": "teu",
    "dwell": "p90_h",
    "yard-occupancy": "teu_at_end",
    "trains": "departures",
    "gate": "p90_min",
    "holds": "placed",
    "wagon-turnaround": "p90_h",
    "berth-occupancy": "occupancy_pct",
    "equipment": "moves_per_working_hour",
}
COLUMNS = {
    "period": _("Period"),
    "mode": _("Mode"),
    "direction": _("Direction"),
    "boxes": _("Boxes"),
    "teu": _("TEU"),
    "grain_t": _("Grain (t)"),
    "flow": _("Flow"),
    "p50_h": _("P50 (h)"),
    "p90_h": _("P90 (h)"),
    "mean_h": _("Mean (h)"),
    "boxes_at_end": _("Boxes at the end"),
    "teu_at_end": _("TEU at the end"),
    "peak_boxes": _("Peak boxes"),
    "route": _("Route"),
    "departures": _("Departures"),
    "timetabled": _("Timetabled"),
    "on_time": _("On time"),
    "punctuality_pct": _("Punctuality (%)"),
    "mean_delay_min": _("Mean delay (min)"),
    "trucks": _("Trucks"),
    "p50_min": _("P50 (min)"),
    "p90_min": _("P90 (min)"),
    "with_override": _("With override"),
    "appointment_compliance_pct": _("Appointment compliance (%)"),
    "kind": _("Kind"),
    "placed": _("Placed"),
    "released": _("Released"),
    "trains": _("Trains"),
    "berth": _("Berth"),
    "calls_berthed": _("Calls berthed"),
    "occupied_h": _("Occupied (h)"),
    "occupancy_pct": _("Occupancy (%)"),
    "machine": _("Machine"),
    "moves": _("Moves"),
    "working_hours": _("Hours with a move"),
    "moves_per_working_hour": _("Moves per hour"),
}

# Values shown in the table's mode, direction and kind columns.
WORDS: tuple[str, ...] = (_("sea"), _("rail"), _("road"), _("grain"), _("in"), _("out"))
WORDS += (_("customs"), _("line"), _("terminal"), _("damage"), _("vgm_missing"))
WORDS += (_("quay_crane"), _("rail_mounted_gantry"), _("reach_stacker"), _("terminal_tractor"), _("grain_loader"))


def _range(p: Page) -> tuple[datetime, datetime, str, str]:
    """The month chosen (``?month=YYYY-MM``, default the current one in hub time) and the granularity."""
    zone = hub_zone()
    month = p.request.query_params.get("month") or now_utc().astimezone(zone).strftime("%Y-%m")
    granularity = p.request.query_params.get("granularity", "day")
    try:
        start = datetime.strptime(month + "-01", "%Y-%m-%d").replace(tzinfo=zone)
    except ValueError:
        start = now_utc().astimezone(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        month = start.strftime("%Y-%m")
    end = min((start + timedelta(days=32)).replace(day=1), now_utc().astimezone(zone))  # no days yet to come
    if end <= start:
        end = (start + timedelta(days=32)).replace(day=1)  # a future month: empty, but a valid range
    if granularity == "month":  # a year of months up to the chosen one
        first_month = start.month - 11
        start = start.replace(year=start.year - (first_month <= 0), month=first_month % 12 or 12)
    return start, end, month, granularity


@router.get("/reports", response_class=HTMLResponse)
def reports(p: PageDep, name: str = "throughput") -> Response:
    """A report as a chart and a table for a month (or a year of months)."""

    def build() -> Response:
        if name not in DESCRIPTIONS:
            return not_found(p, name)
        start, end, month, granularity = _range(p)
        error = None
        try:
            body = compute_report(ReportRepository(p.session), name, start, end, granularity)
        except DomainError as refused:
            body, error = None, refused
        return p.render(
            "reports.html",
            {
                "name": name,
                "titles": TITLES,
                "descriptions": EXPLAINED,
                "columns": COLUMNS,
                "month": month,
                "granularity": granularity,
                "report": body,
                "error": error,
                "charted": CHARTED[name],
                "rows_json": json.dumps([] if body is None else body["rows"], ensure_ascii=False),
            },
        )

    return guarded(p, Action.REPORT_READ, build)


@router.get("/reports/{name}.{extension}")
def download(p: PageDep, name: str, extension: str) -> Response:
    """The report's rows as CSV or XLSX (the same as the table)."""

    def build() -> Response:
        if name not in DESCRIPTIONS or extension not in ("csv", "xlsx"):
            return not_found(p, f"{name}.{extension}")
        start, end, month, granularity = _range(p)
        try:
            rows = compute_report(ReportRepository(p.session), name, start, end, granularity)["rows"]
        except DomainError:
            return not_found(p, name)
        filename = f"{name}-{granularity}-{month}.{extension}"
        disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
        if extension == "csv":
            return Response(report_csv(rows), media_type="text/csv; charset=utf-8", headers=disposition)
        return Response(report_xlsx(name, rows), media_type=XLSX, headers=disposition)

    return guarded(p, Action.REPORT_READ, build)
