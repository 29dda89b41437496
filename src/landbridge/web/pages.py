"""The dashboard screens: server-rendered pages in four languages, one read transaction each.

Every page goes through ``render`` so the language, the viewer and the navigation are the same on
all of them. What each screen shows comes from its read model (``web/readmodels/``); which screens a
viewer may open is the role policy's answer (``services/authz.POLICY``), and which objects it sees
the store's visibility rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from landbridge.services.authz import Action
from landbridge.services.throttle import Throttle
from landbridge.store.repositories.snapshots import StateSnapshotRepository
from landbridge.web import auth, csrf, runs
from landbridge.web.commands import (
    BY_NAME,
    OCCURRED_AT,
    OTHER_DONE,
    TRAIN_PLAN_FIELDS,
    forms_for,
    hub_now_text,
    new_form_token,
)
from landbridge.web.eta import eta_for
from landbridge.web.gantt import berth_gantt
from landbridge.web.i18n import COOKIE as LANG_COOKIE
from landbridge.web.i18n import LANGUAGES, Localiser, choose_language
from landbridge.web.readmodels.base import base_facts
from landbridge.web.readmodels.berths import berth_calls, berth_codes
from landbridge.web.readmodels.cargo import container as container_view
from landbridge.web.readmodels.cargo import count_open_holds, open_holds
from landbridge.web.readmodels.common import now_utc
from landbridge.web.readmodels.corridor import corridor as corridor_view
from landbridge.web.readmodels.corridor import origin_lat_lon
from landbridge.web.readmodels.grain import grain as grain_view
from landbridge.web.readmodels.overview import overview
from landbridge.web.readmodels.rail import LOADING_STATUSES, at_base, departures, track_codes
from landbridge.web.readmodels.yard import CATEGORY_MODES, stack_boxes, stack_categories, yard_blocks
from landbridge.web.readonly import read_session
from landbridge.web.screens import home as home_of
from landbridge.web.screens import menu, tiles_for

# Every page: scripts, styles, images and connections from the app itself only, and no inline script or
# style attribute anywhere (bars are SVG rects, data for scripts sits in JSON blocks that never run).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def _(message: str) -> str:
    """Mark a message for extraction; it is translated when rendered."""
    return message


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no "</script>" or "<!--" can be formed by the data."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def open_session(request: Request) -> Session:
    """A read-only session on this app's database."""
    return read_session(request.app.state.database_url)


class Page:
    """Per-request context: database session, language, viewer."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.lang = Localiser(choose_language(request))
        self.session = open_session(request)
        self.viewer: auth.Viewer | None = auth.viewer_for_token(self.session, request.cookies.get(auth.COOKIE))
        if self.viewer is None and auth.dashboard_is_open(request):
            self.viewer = auth.OPEN_VIEWER

    def close(self) -> None:
        """End the read transaction."""
        self.session.close()

    def render(self, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
        """Render a page with the shared context; remember a language chosen with ``?lang=``."""
        lang = self.lang
        screens = [(screen.path, screen.label) for screen in menu(self.viewer)]
        path = self.request.url.path
        forms = forms_for(self.viewer, path) if status_code < 400 else []
        others = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        done = self.request.query_params.get("done", "")
        response = TEMPLATES.TemplateResponse(
            self.request,
            template,
            {
                "_": lang.gettext,
                "ngettext": lang.ngettext,
                "L": lang,
                "viewer": self.viewer,
                "screens": screens,
                "path": path,
                "languages": LANGUAGES,
                "lang_url": lambda code: f"{path}?{urlencode([*others, ('lang', code)])}",
                "csrf_token": lambda: csrf.token_for(self.request.scope),
                "commands": forms,
                "done": BY_NAME.get(done) or OTHER_DONE.get(done),
                "new_form_token": new_form_token,
                "hub_now": hub_now_text(),
                "occurred_field": OCCURRED_AT,
                **context,
            },
            status_code=status_code,
        )
        response.headers["Content-Security-Policy"] = CSP
        if self.request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang.code, max_age=365 * 86400, samesite="lax")
        return response


def page(request: Request) -> Iterator[Page]:
    """Dependency: a Page closed after the response."""
    current = Page(request)
    try:
        yield current
    finally:
        current.close()


PageDep = Annotated[Page, Depends(page)]


def guarded(p: Page, action: Action | None, build: Callable[[], Response]) -> Response:
    """Every screen: anonymous users go to the login form; a role the policy does not grant the screen's
    action gets 403 (``action`` None: the Overview, open to whoever may see one of its tiles)."""
    if p.viewer is None:
        return RedirectResponse(f"/login?next={quote(p.request.url.path)}", status_code=303)
    allowed = bool(tiles_for(p.viewer)) if action is None else p.viewer.may(action)
    if not allowed:
        return p.render("forbidden.html", {"what": p.request.url.path}, status_code=403)
    return build()


def not_found(p: Page, what: str) -> HTMLResponse:
    """The friendly 404, in the viewer's language (also for boxes a shipper may not see)."""
    return p.render("not_found.html", {"what": what}, status_code=404)


# ------------------------------------------------------------------ screens


@router.get("/", response_class=HTMLResponse)
def home(p: PageDep) -> Response:
    """Overview: berths, trains, yard, silo, holds and alerts, refreshed live over SSE — each tile to the
    roles that may read it, counting what the viewer's scope may see."""

    def build() -> HTMLResponse:
        assert p.viewer is not None
        now = now_utc()
        figures = overview(p.session, now, tiles_for(p.viewer), p.viewer.scope)
        facts = base_facts(p.session, with_yard=p.viewer.may(Action.YARD_READ))
        return p.render("overview.html", {"o": figures, "now": now, "base": facts})

    return guarded(p, None, build)


@router.get("/berths", response_class=HTMLResponse)
def berths(p: PageDep) -> Response:
    """Berth Gantt: planned window against what happened (a shipping line sees the calls it operates)."""

    def build() -> HTMLResponse:
        assert p.viewer is not None
        now = now_utc()
        calls = berth_calls(p.session, p.viewer.scope, now)
        lanes = berth_codes(p.session)
        return p.render("berths.html", {"calls": calls, "svg": berth_gantt(calls, lanes, now, p.lang)})

    return guarded(p, Action.VESSEL_READ, build)


YARD_MODES = ("occupancy", "dwell", "destination", "outbound", "hold")


@router.get("/yard", response_class=HTMLResponse)
def yard(p: PageDep, mode: str = "occupancy") -> Response:
    """Yard map by occupancy, dwell time, the boxes' destination, the train or ship they are listed for, or holds."""

    def build() -> HTMLResponse:
        blocks = yard_blocks(p.session, now_utc())
        shown = mode if mode in YARD_MODES else "occupancy"
        categories, legend = stack_categories(p.session, blocks, shown) if shown in CATEGORY_MODES else ({}, [])
        return p.render(
            "yard.html",
            {
                "blocks": blocks,
                "mode": shown,
                "modes": YARD_MODES,
                "categories": categories,
                "legend": legend,
                "colour_of": dict(legend),
                "occupied": sum(b.occupied for b in blocks),
                "capacity": sum(b.capacity for b in blocks),
            },
        )

    return guarded(p, Action.YARD_READ, build)


@router.get("/yard/stack/{block}/{bay}/{row}", response_class=HTMLResponse)
def yard_stack(
    p: PageDep,
    block: Annotated[str, PathParam(max_length=2)],
    bay: Annotated[int, PathParam(ge=0, le=999)],
    row: Annotated[int, PathParam(ge=0, le=999)],
) -> Response:
    """The containers of one stack (an htmx fragment under the heat map)."""

    def build() -> HTMLResponse:
        boxes = stack_boxes(p.session, block, bay, row, now_utc())
        return p.render("_stack.html", {"block": block, "bay": bay, "row": row, "boxes": boxes})

    return guarded(p, Action.YARD_READ, build)


@router.get("/rail", response_class=HTMLResponse)
def rail(p: PageDep) -> Response:
    """Tracks with trains loading, wagon loads with their checks, and the departures board."""

    def build() -> HTMLResponse:
        now = now_utc()
        loading = at_base(p.session)  # eastbound trains being unloaded stand on the tracks too
        tracks = track_codes(p.session)
        on_track = {t.track_code: t for t in loading if t.track_code}
        assert p.viewer is not None
        may_plan = p.viewer.may(Action.PLAN_RUN)
        return p.render(
            "rail.html",
            {
                "tracks": tracks,
                "on_track": on_track,
                "loading": loading,
                "board": departures(p.session, now),
                "fields": TRAIN_PLAN_FIELDS if may_plan else (),
                "at_base": [t.reference for t in loading if t.status in LOADING_STATUSES],
            },
        )

    return guarded(p, Action.RAIL_READ, build)


@router.get("/grain", response_class=HTMLResponse)
def grain(p: PageDep, after: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    """Silos, a page of lots (after the lot ``after``), owners and the mass balance (a grain owner sees its own)."""

    def build() -> HTMLResponse:
        assert p.viewer is not None
        return p.render("grain.html", {"g": grain_view(p.session, p.viewer.scope, after=after)})

    return guarded(p, Action.GRAIN_READ, build)


@router.get("/corridor", response_class=HTMLResponse)
def corridor(p: PageDep) -> Response:
    """The corridor map (MapLibre on the bundled GeoJSON) with trains and border queues."""

    def build() -> HTMLResponse:
        view = corridor_view(p.session, now_utc())
        origin = origin_lat_lon()
        _t = p.lang.gettext
        data = {
            "crossings": [{**c, "name": _t(c["name"])} for c in view.crossings],
            "routes": [{**r, "destination": _t(r["destination"])} for r in view.routes],
            "trains": [{**t, "destination": _t(t["destination"])} for t in view.trains],
            "origin": {"name": _t("Lianyungang"), "lat": origin[0], "lon": origin[1]},
        }
        return p.render("corridor.html", {"view": view, "data_json": script_json(data)})

    return guarded(p, Action.RAIL_READ, build)


@router.get("/container", response_class=HTMLResponse)
def container_search(p: PageDep, number: str = "") -> Response:
    """The search form; a submitted number goes to that container's page."""
    wanted = "".join(number.split()).upper()
    if wanted and p.viewer is not None and p.viewer.may(Action.CONTAINER_READ):
        asked = p.request.query_params.get("lang")
        keep = f"?lang={asked}" if asked in LANGUAGES else ""  # the language a link or form carried stays
        return RedirectResponse(f"/container/{quote(wanted)}{keep}", status_code=303)
    return guarded(p, Action.CONTAINER_READ, lambda: p.render("container_search.html", {}))


@router.get("/container/{number}", response_class=HTMLResponse)
def container_page(p: PageDep, number: str) -> Response:
    """One container: where it is, its events, its ETA spread. Unknown and not-yours look the same."""

    def build() -> HTMLResponse:
        assert p.viewer is not None
        wanted = "".join(number.split()).upper()
        view = container_view(p.session, wanted, p.viewer.scope)
        if view is None:
            return not_found(p, wanted)
        # Its earlier events archived (db archive-events)? Say so rather than start the timeline later.
        archived = StateSnapshotRepository(p.session).archived_history(view.number)
        p.session.rollback()  # a fresh snapshot after the tracking service has brought its projection up to date
        eta = eta_for(p.request, p.session, view, p.viewer)
        context = {"c": view, "eta": eta, "archived": archived, "prefill": {"container": view.number}}
        return p.render("container.html", context)

    return guarded(p, Action.CONTAINER_READ, build)


CUSTOMS_ROWS = 100


@router.get("/customs", response_class=HTMLResponse)
def customs(p: PageDep) -> Response:
    """Open customs holds (a shipper or line sees the holds on the boxes it may see)."""

    def build() -> HTMLResponse:
        assert p.viewer is not None
        # The oldest CUSTOMS_ROWS holds, counted in SQL: the whole list is paged at /lists/holds (a month of a
        # busy base had thousands open, and rendering all of them put this page over its p95 target).
        holds = open_holds(p.session, p.viewer.scope, limit=CUSTOMS_ROWS)
        total = count_open_holds(p.session, p.viewer.scope) if len(holds) == CUSTOMS_ROWS else len(holds)
        return p.render("customs.html", {"holds": holds, "total": total, "now": now_utc()})

    return guarded(p, Action.CUSTOMS_READ, build)


@router.get("/simulation", response_class=HTMLResponse)
def simulation(p: PageDep, a: str = "", b: str = "", show_all: Annotated[str, Query(alias="all")] = "") -> Response:
    """Twin runs compared: KPIs grouped by area, translated, only what changed unless ``all``, and plots."""

    def build() -> HTMLResponse:
        root = runs.runs_dir(getattr(p.request.app.state, "runs_dir", None))
        names = runs.list_runs(root)
        run_a = runs.load_run(root, a or (names[0] if names else ""))
        choices = list(names)
        for name in names:
            if (root / name / runs.SWEEP_FILE).is_file():
                loaded = runs.load_run(root, name)
                if loaded is not None and runs.compared_variant(loaded) is not None:
                    choices.append(f"{name} (compare)")
        run_b = None
        if b and run_a is not None and b == f"{run_a.name} (compare)":
            run_b = runs.compared_variant(run_a)
        elif b:
            run_b = runs.load_run(root, b)
        plots = [runs.series(r) for r in (run_a, run_b) if r is not None and r.kind == "run"]
        words = {
            key: p.lang.gettext(text)
            for key, text in (
                ("in use", "in use"),
                ("working limit", "working limit"),
                ("khorgos", "Khorgos"),
                ("alashankou", "Alashankou"),
                ("west", "westbound"),
                ("east", "eastbound"),
            )
        }
        return p.render(
            "simulation.html",
            {
                "names": sorted(choices),
                "run_a": run_a,
                "run_b": run_b,
                "root": str(root),
                "show_all": bool(show_all),
                "groups": runs.comparison(run_a, run_b, show_all=bool(show_all)) if run_a else [],
                "plots_json": script_json(plots),
                "words_json": script_json(words),
                "may_run": p.viewer is not None and p.viewer.may(Action.SIMULATION_RUN),
            },
        )

    return guarded(p, Action.SIMULATION_READ, build)


# ------------------------------------------------------------------ login


@router.get("/login", response_class=HTMLResponse)
def login_form(p: PageDep, next: str = "/") -> HTMLResponse:
    """The token form."""
    return p.render("login.html", {"next": next, "failed": False})


def _safe_next(target: str) -> str:
    """Only same-site paths: a login link must not bounce the user to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.post("/login", response_class=HTMLResponse)
def login(p: PageDep, token: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    """Check the token and keep it in an HttpOnly cookie (wrong tokens count towards a lockout)."""
    throttle: Throttle = p.request.app.state.throttle
    address = p.request.client.host if p.request.client is not None else "unknown"
    locked = throttle.lockout_s(address)
    if locked is not None:
        context = {"next": next, "failed": False, "locked_s": locked}
        refused = p.render("login.html", context, status_code=429)
        refused.headers["Retry-After"] = str(locked)
        return refused
    viewer = auth.viewer_for_token(p.session, token)
    if viewer is None:
        throttle.failed(address)
        return p.render("login.html", {"next": next, "failed": True}, status_code=401)
    target = _safe_next(next)
    if target == "/":
        target = home_of(viewer)  # the Overview for staff, the container search for a cargo owner or line
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(auth.COOKIE, token.strip(), httponly=True, samesite="strict", max_age=12 * 3600)
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the token."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.COOKIE)
    return response
