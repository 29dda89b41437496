"""Management reports: the base's figures per day, week or month from the event log (JSON, CSV, XLSX)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from landbridge.api.deps import Authorized, Principal, UowDep
from landbridge.api.schemas_ops import ERRORS
from landbridge.api.types import Instant
from landbridge.reports.export import report_csv, report_xlsx
from landbridge.services import reports
from landbridge.services.authz import Action

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
Reader = Annotated[Principal, Depends(Authorized(Action.REPORT_READ))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportEntryOut(BaseModel):
    name: str
    description: str


class ReportOut(BaseModel):
    """A report: one row per period (and mode, flow, route or kind), columns in order."""

    name: str
    description: str
    granularity: str
    start: str
    end: str
    time_zone: str
    columns: list[str]
    rows: list[dict[str, Any]]


@router.get("", response_model=list[ReportEntryOut], responses=ERRORS)
def catalogue(who: Reader) -> list[dict[str, str]]:
    """The reports there are (docs/reports.md says how each figure is counted)."""
    return reports.catalogue()


@router.get(
    "/{name}",
    response_model=ReportOut,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}, **ERRORS},
)
def report(
    name: str,
    uow: UowDep,
    who: Reader,
    start: Annotated[Instant, Query(description="first instant, with offset, e.g. 2026-11-01T00:00:00+08:00")],
    end: Annotated[Instant, Query(description="end (exclusive), with offset")],
    granularity: Annotated[Literal["day", "week", "month"], Query()] = "day",
    format: Annotated[Literal["json", "csv", "xlsx"], Query(description="json (default), csv or xlsx")] = "json",
) -> Any:
    """One report over [start, end) per day, ISO week or month in hub time. 404 for an unknown report;
    422 for a time without offset, an empty range or more than three years."""
    body = reports.report(uow, name, start, end, granularity)
    filename = f"{name}-{granularity}-{body['start'][:10]}"
    if format == "csv":
        return Response(
            report_csv(body["rows"]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if format == "xlsx":
        return Response(
            report_xlsx(name, body["rows"]),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    return body
