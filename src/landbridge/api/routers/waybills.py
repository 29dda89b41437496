"""SMGS / CIM-SMGS consignment notes over HTTP: import as JSON or make from a train visit, read as
JSON, HTML or PDF, re-consign at the legal boundary, record the gauge change; and CSV lists."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Header, Path, Query, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import AwareDatetime, BaseModel, Field

from landbridge.api.deps import Authorized, DeclaredQueryOnly, Principal, UowDep
from landbridge.api.routers.edi import ERRORS
from landbridge.domain.errors import Forbidden
from landbridge.interchange.csv_lists import ListKind
from landbridge.interchange.smgs import CarrierSection, ConsignmentNote, Party, Regime, Station, Wagon
from landbridge.interchange.smgs_render import to_html, to_pdf
from landbridge.services.authz import Action
from landbridge.services.idempotency import HEADER, MAX_KEY_LENGTH
from landbridge.services.interchange import csv_import, waybills

router = APIRouter(tags=["interchange"])
Reader = Annotated[Principal, Depends(Authorized(Action.WAYBILL_READ))]
Writer = Annotated[Principal, Depends(Authorized(Action.WAYBILL_WRITE))]


def _staff_importer(principal: Annotated[Principal, Depends(Authorized(Action.EDI_IMPORT))]) -> Principal:
    """CSV lists are for hub staff: a line's or shipper's user sends its lists as EDIFACT under its agreement."""
    if principal.scope.party is not None:
        raise Forbidden("role", "CSV lists are for hub staff; a party sends its lists as EDIFACT (POST /api/v1/edi)")
    return principal


Importer = Annotated[Principal, Depends(_staff_importer)]
ListReader = Annotated[Principal, Depends(Authorized(Action.EDI_READ))]


class FromTrainIn(BaseModel):
    """What a train visit does not know: the note number, the parties, stations and route."""

    train_reference: str = Field(min_length=1, max_length=32)
    number: str = Field(min_length=1, max_length=35)
    consignor: Party
    consignee: Party
    departure_station: Station
    destination_station: Station
    border_crossings: list[Station] = Field(default_factory=list)
    carriers: list[CarrierSection] = Field(default_factory=list)
    declarations: list[str] = Field(default_factory=list)
    issued_at: AwareDatetime | None = None


class ReconsignIn(BaseModel):
    """Re-consignment at the legal boundary."""

    at: AwareDatetime
    station: Station
    to_regime: Regime


class GaugeChangeIn(BaseModel):
    """The gauge change: the wagons of the new gauge and which container goes on which."""

    at: AwareDatetime
    station: Station
    new_wagons: list[Wagon] = Field(min_length=1)
    placement: dict[str, str] = Field(description="container number → new wagon number")


class NoteSummaryOut(BaseModel):
    """A kept note."""

    number: str
    train_reference: str | None
    regime: str
    version: int


class CsvProblemOut(BaseModel):
    """A bad cell, row or header: its line, column and reason."""

    line: int
    column: str | None
    reason: str


class CsvReportOut(BaseModel):
    """A CSV list applied whole, or not at all with every problem."""

    kind: str
    rows: int
    applied: bool
    problems: list[CsvProblemOut]
    summary: dict[str, Any]


@router.post("/api/v1/waybills", status_code=201, response_model=ConsignmentNote, responses=ERRORS)
def post_note(principal: Writer, uow: UowDep, body: ConsignmentNote) -> ConsignmentNote:
    """Import a consignment note as JSON (validated box by box)."""
    return waybills.save_note(uow, principal.actor, body)


@router.post("/api/v1/waybills/from-train", status_code=201, response_model=ConsignmentNote, responses=ERRORS)
def post_note_from_train(principal: Writer, uow: UowDep, body: FromTrainIn) -> ConsignmentNote:
    """Make the SMGS note of what a train visit carries (wagons, containers, seals, goods, masses)."""
    return waybills.note_from_train(
        uow,
        principal.actor,
        train_reference=body.train_reference,
        number=body.number,
        consignor=body.consignor,
        consignee=body.consignee,
        departure_station=body.departure_station,
        destination_station=body.destination_station,
        border_crossings=body.border_crossings,
        carriers=body.carriers,
        declarations=body.declarations,
        issued_at=body.issued_at,
    )


@router.get("/api/v1/waybills", response_model=list[NoteSummaryOut], responses=ERRORS)
def list_notes(
    principal: Reader, uow: UowDep, train: Annotated[str | None, Query(max_length=32)] = None
) -> list[dict[str, Any]]:
    """Kept notes, newest first (optionally of one train)."""
    return waybills.notes(uow, train)


@router.get(
    "/api/v1/waybills/{number}",
    response_model=ConsignmentNote,
    responses={
        **ERRORS,
        200: {"content": {"text/html": {}, "application/pdf": {}}, "description": "the note as JSON, HTML or PDF"},
    },
)
def get_note(
    principal: Reader,
    uow: UowDep,
    number: Annotated[str, Path(max_length=35)],
    format: Annotated[Literal["json", "html", "pdf"], Query(description="json, printable html, or pdf")] = "json",
) -> Any:
    """A consignment note as JSON, printable HTML or PDF."""
    found = waybills.note(uow, number)
    if format == "html":
        return Response(to_html(found), media_type="text/html; charset=utf-8")
    if format == "pdf":
        return Response(
            to_pdf(found),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{found.number}.pdf"'},
        )
    return JSONResponse(found.model_dump(mode="json"))


@router.post("/api/v1/waybills/{number}/reconsign", response_model=ConsignmentNote, responses=ERRORS)
def post_reconsign(
    principal: Writer, uow: UowDep, number: Annotated[str, Path(max_length=35)], body: ReconsignIn
) -> ConsignmentNote:
    """Re-consign SMGS ↔ CIM (or to CIM/SMGS) at the legal boundary; recorded on the note."""
    return waybills.reconsign_note(
        uow, principal.actor, number, at=body.at, station=body.station, to_regime=body.to_regime
    )


@router.post("/api/v1/waybills/{number}/gauge-change", response_model=ConsignmentNote, responses=ERRORS)
def post_gauge_change(
    principal: Writer, uow: UowDep, number: Annotated[str, Path(max_length=35)], body: GaugeChangeIn
) -> ConsignmentNote:
    """The containers moved onto wagons of the other gauge; recorded on the note."""
    return waybills.record_gauge_change(
        uow,
        principal.actor,
        number,
        at=body.at,
        station=body.station,
        new_wagons=body.new_wagons,
        placement=body.placement,
    )


_CSV_REFUSED = (
    "Nothing applied: `detail` has one item per bad line (`loc`: body, file, line[, column]); the report"
    " (`kind`, `rows`, `applied`, `problems`) comes beside it. Or a field of the request is malformed."
)


def csv_refusal(report: dict[str, Any]) -> dict[str, Any]:
    """A refused list's answer: the hub's error body (one item per problem) with the report beside it."""
    detail = [
        {
            "loc": ["body", "file", problem["line"], *([problem["column"]] if problem["column"] else [])],
            "msg": problem["reason"],
            "type": "csv_row",
        }
        for problem in report["problems"]
    ]
    return {"detail": detail, **report}


@router.post(
    "/api/v1/csv/{kind}",
    response_model=CsvReportOut,
    responses={**ERRORS, 422: {"description": _CSV_REFUSED}},
    dependencies=[Depends(DeclaredQueryOnly("visit"))],
)
def post_csv(
    principal: Importer,
    uow: UowDep,
    kind: ListKind,
    file: Annotated[UploadFile, File(description="CSV with a header line")],
    visit: Annotated[str | None, Query(max_length=32, description="vessel visit (discharge and load lists)")] = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            min_length=1,
            max_length=MAX_KEY_LENGTH,
            description="The same list (kind, visit, file) sent again with this key answers the first report and"
            " applies nothing; another list with it is refused (422)",
        ),
    ] = None,
) -> JSONResponse:
    """Apply a CSV list whole (200), or answer 422 with every bad line and column (nothing applied).

    Idempotent by ``Idempotency-Key`` like every command: a retry or double submit is applied once.
    """
    text = file.file.read().decode("utf-8-sig", errors="replace")
    key = csv_import.upload_key(idempotency_key, kind, visit, text) if idempotency_key is not None else None
    report = csv_import.import_csv(
        uow, principal.actor, text, kind, visit=visit, source_name=file.filename or "upload", idempotency=key
    )
    if not report.applied:
        return JSONResponse(csv_refusal(report.as_dict()), status_code=422)
    return JSONResponse(report.as_dict(), headers={"Idempotent-Replayed": "true"} if report.replayed else None)


@router.get(
    "/api/v1/csv/{kind}",
    response_class=PlainTextResponse,
    responses={**ERRORS, 200: {"content": {"text/csv": {}}, "description": "the list as CSV"}},
)
def get_csv(
    principal: ListReader,
    uow: UowDep,
    kind: ListKind,
    visit: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The hub's containers, bookings, or a call's discharge/load list as CSV (the import's columns)."""
    return PlainTextResponse(csv_import.export_csv(uow, kind, visit=visit), media_type="text/csv; charset=utf-8")
