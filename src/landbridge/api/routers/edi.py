"""EDIFACT over HTTP: send us an interchange file, read what was received and sent, export a COARRI or
a BAPLIE, see a call's bay plan, keep the trading-partner agreements."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Header, Path, Query, UploadFile
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field

from landbridge.api.deps import Authorized, DeclaredQueryOnly, Principal, UowDep, WritingUowDep
from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.interchange.edifact.syntax import INTERCHANGE_PEEK_CHARS, starts_an_interchange
from landbridge.services.authz import Action
from landbridge.services.interchange import bayplans, exports, partners, queries
from landbridge.services.interchange.importer import import_edifact
from landbridge.store.unit_of_work import UnitOfWork

router = APIRouter(prefix="/api/v1/edi", tags=["interchange"])
Importer = Annotated[Principal, Depends(Authorized(Action.EDI_IMPORT))]
Reader = Annotated[Principal, Depends(Authorized(Action.EDI_READ))]
Exporter = Annotated[Principal, Depends(Authorized(Action.EDI_EXPORT))]
PartnerAdmin = Annotated[Principal, Depends(Authorized(Action.EDI_PARTNERS))]
EDIFACT = "application/edifact"
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no or unknown bearer token"},
    403: {"description": "the caller's role may not do this"},
    404: {"description": "no such object (the body names the field)"},
    422: {"description": "bad input (the body names the field and the reason)"},
}


def holds_an_interchange(upload: UploadFile) -> bool:
    """Whether the uploaded file starts like an EDIFACT interchange (refused with 422, not logged, if not)."""
    head = upload.file.read(INTERCHANGE_PEEK_CHARS)
    upload.file.seek(0)
    return starts_an_interchange(head.decode("utf-8", errors="replace"))


class ProblemOut(BaseModel):
    """A fault: UN/EDIFACT syntax error code (ISO 9735 list 0085), where it is, and why."""

    code: str
    segment: str | None
    position: int | None = Field(description="segment position in its message, UNH = 1")
    element: int | None
    component: int | None
    reason: str
    severity: Literal["error", "warning"]
    text: str


class MessageOut(BaseModel):
    """What became of one message: applied whole, or rejected whole."""

    reference: str
    message_type: str
    version: str
    status: str
    problems: list[ProblemOut]
    summary: dict[str, Any]


class InterchangeReportOut(BaseModel):
    """What became of one interchange (accepted, partially_accepted, rejected, duplicate or held)."""

    id: int | None
    sender: str
    recipient: str
    control_reference: str
    partner: str | None
    status: str
    duplicate_of: int | None
    problems: list[ProblemOut]
    messages: list[MessageOut]
    contrl: str | None = Field(description="the CONTRL (syntax 4) answering this interchange")


class InterchangeOut(BaseModel):
    """An interchange received (``in``) or sent (``out``) and its status."""

    id: int
    direction: str
    partner: str | None
    sender: str
    recipient: str
    control_reference: str
    message_types: str
    message_count: int
    accepted_count: int
    status: str
    duplicate_of: int | None
    source_name: str | None
    processed_at: str


class InterchangeDetailOut(InterchangeOut):
    """An interchange with its full report and CONTRL."""

    report: dict[str, Any]
    contrl: str | None


class PartnerIn(BaseModel):
    """A partner's agreement: UNB id, messages and versions each way, tolerances, delivery."""

    name: str = Field(min_length=1, max_length=200)
    unb_id: str = Field(min_length=1, max_length=35)
    unb_qualifier: str = Field(default="ZZZ", max_length=4)
    time_zone: str = Field(default="Asia/Shanghai", description="IANA zone of the times in its messages")
    inbound: list[str] = Field(default_factory=list, examples=[["COPRAR:2.1", "BAPLIE:3.1"]])
    outbound: list[str] = Field(default_factory=list, examples=[["COARRI:2.1", "CONTRL"]])
    tolerances: list[str] = Field(default_factory=list, examples=[["wrong_counts", "empty_recipient"]])
    delivery_kind: Literal["none", "folder", "http"] = "none"
    delivery_target: str | None = None
    party_code: str | None = Field(
        default=None, max_length=32, description="the party whose users may send interchanges as this partner"
    )


class PartnerOut(PartnerIn):
    """A partner as stored."""

    code: str


class BayplanOut(BaseModel):
    """A vessel call's bay plan (from the last BAPLIE), its differences with the lists, and MOVINS received."""

    visit: str
    cells: list[dict[str, Any]]
    differences: dict[str, list[str]]
    stowage_instructions: list[dict[str, Any]]


def _partner_out(partner: partners.Partner) -> PartnerOut:
    return PartnerOut(
        code=partner.code,
        name=partner.name,
        unb_id=partner.unb_id,
        unb_qualifier=partner.unb_qualifier,
        time_zone=partner.time_zone,
        inbound=sorted(partner.inbound),
        outbound=sorted(partner.outbound),
        tolerances=sorted(partner.tolerances),
        delivery_kind=partner.delivery_kind,
        delivery_target=partner.delivery_target,
        party_code=partner.party_code,
    )


@router.post(
    "",
    response_model=list[InterchangeReportOut],
    responses={**ERRORS, 200: {"content": {EDIFACT: {}}, "description": "the reports, or the CONTRLs"}},
    summary="Import an EDIFACT file (multipart field ``file``)",
    dependencies=[Depends(DeclaredQueryOnly("answer"))],
)
def post_interchange(
    principal: Importer,
    uow: UowDep,
    file: Annotated[UploadFile, File(description="EDIFACT file: one or more interchanges")],
    answer: Annotated[Literal["report", "contrl"], Query(description="JSON report or the CONTRL answer")] = "report",
    accept: Annotated[str | None, Header()] = None,
) -> Any:
    """Apply each interchange (idempotent per sender, recipient and UNB reference; each message whole or not at all).

    A shipping line's or shipper's user sends only as the partner linked to its party (``party_code``);
    an interchange under another sender is refused and not recorded.

    Answers with a JSON report per interchange, or with the CONTRL messages when ``answer=contrl`` or
    ``Accept: application/edifact``. A file that holds no interchange (empty, or not starting with UNA
    or UNB) and a query parameter other than ``answer`` are refused with 422.
    """
    if not holds_an_interchange(file):
        raise RuleViolation("file", "holds no EDIFACT interchange: it must start with a UNA or UNB segment")
    stream = io.TextIOWrapper(file.file, encoding="utf-8", errors="replace", newline="")
    outcomes = list(
        import_edifact(uow, stream, principal.actor, source_name=file.filename, party=principal.scope.party)
    )
    if answer == "contrl" or (accept or "").startswith(EDIFACT):
        return PlainTextResponse("".join(outcome.contrl or "" for outcome in outcomes), media_type=EDIFACT)
    return [InterchangeReportOut(**outcome.report(), contrl=outcome.contrl) for outcome in outcomes]


@router.get("/interchanges", response_model=list[InterchangeOut], responses=ERRORS)
def list_interchanges(
    principal: Reader,
    uow: UowDep,
    direction: Annotated[Literal["in", "out"] | None, Query()] = None,
    status: Annotated[str | None, Query(max_length=24)] = None,
    partner: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """Interchanges received and sent, newest first."""
    return queries.interchanges(uow, limit=limit, direction=direction, status=status, partner=partner)


@router.get("/interchanges/{interchange_id}", response_model=InterchangeDetailOut, responses=ERRORS)
def get_interchange(
    principal: Reader, uow: UowDep, interchange_id: Annotated[int, Path(ge=1, le=2**62)]
) -> dict[str, Any]:
    """One interchange with its report and CONTRL."""
    return queries.interchange(uow, interchange_id)


VisitQuery = Annotated[str, Query(min_length=1, max_length=32, description="vessel visit reference")]
PartnerQuery = Annotated[str, Query(min_length=1, max_length=32)]
QueueQuery = Annotated[bool, Query(description="also put it in the outbox for delivery")]


def _export_for_visit(export: Callable[..., str], uow: UnitOfWork, partner: str, visit: str, queue: bool) -> Response:
    """An export of one vessel call as EDIFACT; 404 naming ``visit`` when there is nothing to report yet.

    These GETs write (``WritingUowDep``): every interchange sent gets the next control reference
    from a counter row, and ``queue=true`` puts it in the outbox.
    """
    try:
        text = export(uow, partners.partner(uow, partner), visit, queue=queue)
    except RuleViolation as nothing_yet:
        if nothing_yet.field != "visit":
            raise
        raise NotFound("visit", nothing_yet.reason) from nothing_yet
    return PlainTextResponse(text, media_type=EDIFACT)


@router.get(
    "/coarri",
    response_class=PlainTextResponse,
    responses={**ERRORS, 200: {"content": {EDIFACT: {}}, "description": "the COARRI interchange"}},
)
def get_coarri(
    principal: Exporter,
    uow: WritingUowDep,
    visit: VisitQuery,
    partner: PartnerQuery = "COSCO",
    queue: QueueQuery = False,
) -> Response:
    """The discharge and loading reports of a vessel call, built from the recorded events.

    404 when the call is unknown, or when nothing was discharged or loaded yet: there is no report.
    """
    return _export_for_visit(exports.export_coarri, uow, partner, visit, queue)


@router.get(
    "/baplie",
    response_class=PlainTextResponse,
    responses={**ERRORS, 200: {"content": {EDIFACT: {}}, "description": "the BAPLIE interchange"}},
)
def get_baplie(
    principal: Exporter,
    uow: WritingUowDep,
    visit: VisitQuery,
    partner: PartnerQuery = "COSCO",
    queue: QueueQuery = False,
) -> Response:
    """What is on board a vessel call now, as the partner's BAPLIE version (3.1 or 2.2): the arrival
    bay plan less the boxes discharged, plus the boxes loaded at their MOVINS cells.

    404 when the call is unknown or nothing is known to be on board; 422 naming the box when a loaded
    box has no known cell.
    """
    return _export_for_visit(exports.export_baplie, uow, partner, visit, queue)


@router.get("/bayplans/{visit}", response_model=BayplanOut, responses=ERRORS)
def get_bayplan(principal: Reader, uow: UowDep, visit: Annotated[str, Path(max_length=32)]) -> dict[str, Any]:
    """The call's cells on board, how they differ from the lists, and the stowage instructions (MOVINS)."""
    return bayplans.bayplan_view(uow, visit)


@router.get("/partners", response_model=list[PartnerOut], responses=ERRORS)
def list_partners(principal: Reader, uow: UowDep) -> list[PartnerOut]:
    """Every trading partner and its agreement."""
    return [_partner_out(partner) for partner in partners.partners(uow)]


@router.put("/partners/{code}", response_model=PartnerOut, responses=ERRORS)
def put_partner(
    principal: PartnerAdmin, uow: UowDep, code: Annotated[str, Path(min_length=1, max_length=32)], body: PartnerIn
) -> PartnerOut:
    """Create or replace a partner's agreement."""
    return _partner_out(partners.save_partner(uow, code=code, **body.model_dump()))
