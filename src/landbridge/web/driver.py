"""The driver's screen (``/driver``) and the control room's work queues (``/work``).

The driver's screen is made for a phone in a cab: large buttons, one job at a time. A driver logs
in with the token of the dashboard, signs on to a machine, sees the next job with its from and to
positions, confirms it or reports a problem with a reason. Jobs arrive over server-sent events
(``/driver/live`` sends the job panel whenever the machine's job or status changes). The buttons
post forms to this router, which calls the same work services as the API with the viewer as the
actor (the session cookie is ``SameSite=Strict``, so another site cannot post them).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse

from landbridge.domain.errors import Conflict, DomainError, Forbidden, NotFound
from landbridge.services.actor import Actor
from landbridge.services.authz import Action, allowed
from landbridge.services.idempotency import Outcome
from landbridge.services.work import equipment, jobs, kpis
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web import auth, csrf
from landbridge.web.i18n import Localiser, choose_language
from landbridge.web.live import sse
from landbridge.web.pages import TEMPLATES, Page, PageDep, guarded
from landbridge.web.readmodels.common import now_utc
from landbridge.web.readmodels.work import control_room, driver_view, job_signature, place_text
from landbridge.web.readonly import read_session

router = APIRouter(include_in_schema=False)
POLL_S = 1.0
MAX_S = 300.0
PROBLEMS = [p.value for p in jobs.Problem]
InstructionId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def _status_of(error: DomainError) -> int:
    for kind, code in ((NotFound, 404), (Conflict, 409), (Forbidden, 403)):
        if isinstance(error, kind):
            return code
    return 422


def _driver_page(p: Page, error: DomainError | None = None) -> HTMLResponse:
    assert p.viewer is not None
    view = driver_view(p.session, p.viewer.name)
    status = 200 if error is None else _status_of(error)
    context = {"d": view, "problems": PROBLEMS, "error": error, "place": place_text}
    return p.render("driver.html", context, status_code=status)


@router.get("/driver", response_class=HTMLResponse)
def driver(p: PageDep) -> Response:
    """The driver's screen: sign on to a machine, then one job at a time."""
    return guarded(p, Action.WORK_DRIVE, lambda: _driver_page(p))


def _act(p: Page, command: Callable[[UnitOfWork, auth.Viewer], Outcome]) -> Response:
    """Run a driver's command as the viewer; back to the screen (303), or the screen with the refusal."""
    if p.viewer is None or p.viewer.open_mode or not allowed(p.viewer.role, Action.WORK_DRIVE):
        return guarded(p, Action.WORK_DRIVE, lambda: _driver_page(p))
    try:
        command(UnitOfWork.for_url(p.request.app.state.database_url), p.viewer)
    except DomainError as error:
        p.session.rollback()
        return _driver_page(p, error)
    lang = p.request.query_params.get("lang")
    return RedirectResponse("/driver" + (f"?lang={lang}" if lang else ""), status_code=303)


@router.post("/driver/sign-on", response_class=HTMLResponse)
def sign_on(p: PageDep, code: Annotated[str, Form(max_length=16)]) -> Response:
    """Take a machine."""
    return _act(p, lambda uow, v: equipment.sign_on(uow, _source(v), code=code))


@router.post("/driver/sign-off", response_class=HTMLResponse)
def sign_off(p: PageDep, code: Annotated[str, Form(max_length=16)]) -> Response:
    """Leave the machine."""
    return _act(p, lambda uow, v: equipment.sign_off(uow, _source(v), code=code))


@router.post("/driver/jobs/{instruction_id}/done", response_class=HTMLResponse)
def done(p: PageDep, instruction_id: InstructionId) -> Response:
    """The move is done: recorded with the machine and now."""
    return _act(p, lambda uow, v: jobs.confirm(uow, _source(v), instruction_id=instruction_id))


@router.post("/driver/jobs/{instruction_id}/problem", response_class=HTMLResponse)
def problem(
    p: PageDep,
    instruction_id: InstructionId,
    problem: Annotated[jobs.Problem, Form()],
    note: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The job cannot be done: back to the queue with the reason."""
    return _act(
        p,
        lambda uow, v: jobs.report_problem(uow, _source(v), instruction_id=instruction_id, problem=problem, note=note),
    )


def _source(viewer: auth.Viewer) -> Actor:
    return replace(viewer.actor, source="web:driver")


def _job_panel(url: str, lang: Localiser, user: str, csrf_token: str) -> tuple[str, str]:
    with read_session(url) as session:
        signature = job_signature(session, user)
        view = driver_view(session, user)
        html = TEMPLATES.get_template("_driver_job.html").render(
            d=view, _=lang.gettext, L=lang, problems=PROBLEMS, place=place_text, csrf_token=lambda: csrf_token
        )
        return signature, html


@router.get("/driver/live", response_model=None)
async def driver_live(request: Request, once: bool = False) -> Response:
    """Server-sent ``job`` events: the job panel, at the start and whenever the machine's job or status changes."""
    lang = Localiser(choose_language(request))
    url: str = request.app.state.database_url

    def watcher() -> auth.Viewer | None:
        with read_session(url) as session:
            return auth.viewer_for_token(session, request.cookies.get(auth.COOKIE))

    viewer = await asyncio.to_thread(watcher)
    if viewer is None:
        return PlainTextResponse("log in first", status_code=401)
    if not viewer.may(Action.WORK_DRIVE):
        return PlainTextResponse("your role does not drive machines", status_code=403)

    form_token = csrf.token_for(request.scope)  # the pushed job's Done/Problem forms carry it (web/csrf.py)

    async def stream() -> AsyncIterator[str]:
        last, waited, sent = "", 0.0, 0
        yield "retry: 2000\n\n"
        while waited < MAX_S:
            signature, html = await asyncio.to_thread(_job_panel, url, lang, viewer.name, form_token)
            if signature != last:
                last, sent = signature, sent + 1
                yield sse("job", html, sent)
                if once:
                    return
            else:
                yield ": keep-alive\n\n"
            await asyncio.sleep(POLL_S)
            waited += POLL_S
            if await request.is_disconnected():
                return

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )


@router.get("/work", response_class=HTMLResponse)
def work(p: PageDep) -> Response:
    """The control room's view of the work: queues per berth, track and block, late jobs, machines on the plan."""

    def build() -> HTMLResponse:
        now = now_utc()
        room = control_room(p.session, now)
        figures = kpis.productivity(
            UnitOfWork.for_url(p.request.app.state.database_url), start=now - timedelta(hours=24), end=now
        )
        return p.render("work.html", {"room": room, "k": figures, "now": now})

    return guarded(p, Action.WORK_READ, build)
