"""The Interchange screen: what was received and sent, and upload forms for EDIFACT files and CSV lists.

The forms call the services the API calls (``POST /api/v1/edi``, ``POST /api/v1/csv/{kind}``):
``services.interchange.importer.import_edifact`` applies each interchange (each message whole or not at
all; the same interchange sent twice — a double click — is answered as a duplicate, not applied again)
and ``services.interchange.csv_import.import_csv`` applies a list whole or not at all. The answer is
shown on the screen: per interchange its status, each problem with its syntax error code, segment,
position and element, and the CONTRL message; per CSV file the rows applied or every bad line and
column. A CSV form carries a fresh ``form_token`` per render, the upload's idempotency key, so a double
submit applies the list once (the second answer is the first report). Importing needs ``edi.import``;
a shipping line's or shipper's user sends EDIFACT only as the partner linked to its party, and CSV lists
are for hub staff (the API's rules). Every form carries the CSRF token as its first field (the guard
reads a multipart body up to it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from landbridge.domain.errors import DomainError
from landbridge.interchange.csv_lists import ListKind
from landbridge.services.authz import Action
from landbridge.services.interchange.csv_import import import_csv, upload_key
from landbridge.services.interchange.importer import import_edifact
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.pages import Page, PageDep, guarded
from landbridge.web.readmodels.interchange import interchanges, undelivered


def _(message: str) -> str:
    """Mark a message for extraction; it is translated when rendered."""
    return message


router = APIRouter(include_in_schema=False)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a day's COPRAR for a big call is well under 1 MB
CSV_KINDS = (
    (ListKind.CONTAINERS.value, _("containers (register)")),
    (ListKind.BOOKINGS.value, _("bookings")),
    (ListKind.DISCHARGE.value, _("a call's discharge list (replaces it)")),
    (ListKind.LOAD.value, _("a call's load list (replaces it)")),
)


def _screen(p: Page, status: int = 200, **results: Any) -> HTMLResponse:
    assert p.viewer is not None
    context = {
        "lines": interchanges(p.session, limit=20),
        "undelivered": undelivered(p.session),
        "may_import": p.viewer.may(Action.EDI_IMPORT),
        "staff": p.viewer.scope.party is None,
        "csv_kinds": CSV_KINDS,
        "edi_results": None,
        "csv_result": None,
        "upload_error": None,
        **results,
    }
    return p.render("interchange.html", context, status_code=status)


@router.get("/interchange", response_class=HTMLResponse)
def interchange(p: PageDep) -> Response:
    """EDIFACT interchanges received and sent (the newest; all of them in /lists/interchanges), and the upload forms."""
    return guarded(p, Action.EDI_READ, lambda: _screen(p))


async def _upload(request: Request) -> tuple[dict[str, str], str | None, str]:
    """The form's text fields, the file's text (None when none or too large) and its name."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return fields, None, ""
    body = await upload.read(MAX_UPLOAD_BYTES + 1)
    name = (upload.filename or "upload")[:100]
    if not body or len(body) > MAX_UPLOAD_BYTES:
        return fields, None, name
    return fields, body.decode("utf-8-sig", errors="replace"), name


def _refused(p: Page, action: Action) -> Response | None:
    if p.viewer is None or not p.viewer.may(action):
        return guarded(p, action, lambda: _screen(p))
    return None


@router.post("/interchange/edi", response_class=HTMLResponse)
async def upload_edi(request: Request, p: PageDep) -> Response:
    """Import an EDIFACT file; show each interchange's outcome, its problems and its CONTRL."""
    refused = _refused(p, Action.EDI_IMPORT)
    if refused is not None:
        return refused
    _fields, text, name = await _upload(request)
    if text is None:
        return _screen(p, 422, upload_error=("file", "choose a file of at most 5 MB"))
    assert p.viewer is not None
    actor = replace(p.viewer.actor, source=f"web:POST /interchange/edi {name}"[:128])

    def run() -> list[dict[str, Any]]:
        outcomes = import_edifact(
            UnitOfWork.for_url(p.request.app.state.database_url),
            text,
            actor,
            source_name=name,
            party=p.viewer.scope.party if p.viewer is not None else None,
        )
        return [{**outcome.report(), "contrl": outcome.contrl} for outcome in outcomes]

    results = await run_in_threadpool(run)
    if not results:
        return _screen(p, 422, upload_error=("file", "no interchange (UNB … UNZ) found in the file"))
    p.session.rollback()  # the list below shows what was just recorded
    rejected = all(result["status"] == "rejected" for result in results)
    return _screen(p, 422 if rejected else 200, edi_results=results)


@router.post("/interchange/csv", response_class=HTMLResponse)
async def upload_csv(request: Request, p: PageDep) -> Response:
    """Apply a CSV list whole, or show every bad line and column (nothing applied)."""
    refused = _refused(p, Action.EDI_IMPORT)
    if refused is not None:
        return refused
    assert p.viewer is not None
    if p.viewer.scope.party is not None:
        return p.render("forbidden.html", {"what": "/interchange/csv"}, status_code=403)
    fields, text, name = await _upload(request)
    kind = fields.get("kind", "")
    if kind not in {value for value, _label in CSV_KINDS}:
        return _screen(p, 422, upload_error=("kind", "choose which list the file is"))
    if text is None:
        return _screen(p, 422, upload_error=("csv_file", "choose a file of at most 5 MB"))
    visit = fields.get("visit", "").strip()[:32] or None
    actor = replace(p.viewer.actor, source=f"web:POST /interchange/csv {name}"[:128])
    # The form's token (fresh per render) is the upload's idempotency key: a double submit is applied once.
    token = fields.get("form_token", "").strip()
    key = upload_key(f"form:{token}"[:128], ListKind(kind), visit, text) if token else None

    def run() -> dict[str, Any]:
        uow = UnitOfWork.for_url(p.request.app.state.database_url)
        return import_csv(uow, actor, text, ListKind(kind), visit=visit, source_name=name, idempotency=key).as_dict()

    try:
        report = await run_in_threadpool(run)
    except DomainError:  # the form's key already applied another file; the screen comes back with a fresh form
        return _screen(p, 422, upload_error=("csv_file", "this form already applied another file; send it again here"))
    return _screen(p, 200 if report["applied"] else 422, csv_result=report)
