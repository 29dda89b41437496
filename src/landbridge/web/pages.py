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

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from landbridge.web import auth, runs
from landbridge.web.eta import eta_for
from landbridge.web.gantt import berth_gantt
from landbridge.web.i18n import COOKIE as LANG_COOKIE
from landbridge.web.i18n import LANGUAGES, Localiser, choose_language
from landbridge.web.readmodels.base import base_facts
from landbridge.web.readmodels.berths import berth_calls, berth_codes
from landbridge.web.readmodels.cargo import container as container_view
from landbridge.web.readmodels.cargo import open_holds
from landbridge.web.readmodels.common import now_utc
from landbridge.web.readmodels.corridor import corridor as corridor_view
from landbridge.web.readmodels.corridor import origin_lat_lon
from landbridge.web.readmodels.grain import grain as grain_view
from landbridge.web.readmodels.interchange import interchanges, undelivered
from landbridge.web.readmodels.overview import overview
from landbridge.web.readmodels.rail import LOADING_STATUSES, departures, track_codes, trains
from landbridge.web.readmodels.yard import stack_boxes, yard_blocks
from landbridge.web.readonly import read_session

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def _(message: str) -> str:
    """Mark a message for extraction; it is translated when rendered."""
    return message


# (path, message id) of the staff screens, in menu order; translated in the template.
STAFF_SCREENS = (
    ("/", _("Overview")),
    ("/berths", _("Berths")),
    ("/yard", _("Yard")),
    ("/rail", _("Rail")),
    ("/grain", _("Grain")),
    ("/corridor", _("Corridor")),
    ("/container", _("Container")),
    ("/customs", _("Customs")),
    ("/interchange", _("Interchange")),
    ("/simulation", _("Simulation")),
)
SHIPPER_SCREENS = (("/container", _("Container")), ("/customs", _("Customs")))


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
        if auth.any_users(self.session):
            self.viewer: auth.Viewer | None = auth.viewer_for_token(self.session, request.cookies.get(auth.COOKIE))
        else:
            self.viewer = auth.OPEN_VIEWER

    def close(self) -> None:
        """End the read transaction."""
        self.session.close()

    def render(self, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
        """Render a page with the shared context; remember a language chosen with ``?lang=``."""
        lang = self.lang
        screens = SHIPPER_SCREENS if self.viewer and self.viewer.is_shipper else STAFF_SCREENS
        path = self.request.url.path
        others = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
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
                **context,
            },
            status_code=status_code,
        )
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


def staff_only(p: Page, build: Callable[[], HTMLResponse]) -> Response:
    """Staff screens: anonymous users go to the login form, shippers to their container search."""
    if p.viewer is None:
        return RedirectResponse(f"/login?next={quote(p.request.url.path)}", status_code=303)
    if p.viewer.is_shipper:
        return RedirectResponse("/container", status_code=303)
    return build()


def not_found(p: Page, what: str) -> HTMLResponse:
    """The friendly 404, in the viewer's language (also for boxes a shipper may not see)."""
    return p.render("not_found.html", {"what": what}, status_code=404)


# ------------------------------------------------------------------ screens


@router.get("/", response_class=HTMLResponse)
def home(p: PageDep) -> Response:
    """Overview: berths, trains, yard, silo, holds and alerts, refreshed live over SSE."""

    def build() -> HTMLResponse:
        now = now_utc()
        return p.render("overview.html", {"o": overview(p.session, now), "now": now, "base": base_facts(p.session)})

    return staff_only(p, build)


@router.get("/berths", response_class=HTMLResponse)
def berths(p: PageDep) -> Response:
    """Berth Gantt: planned window against what happened."""

    def build() -> HTMLResponse:
        now = now_utc()
        calls = berth_calls(p.session)
        lanes = berth_codes(p.session)
        return p.render("berths.html", {"calls": calls, "svg": berth_gantt(calls, lanes, now, p.lang)})

    return staff_only(p, build)


@router.get("/yard", response_class=HTMLResponse)
def yard(p: PageDep, mode: str = "occupancy") -> Response:
    """Yard heat map by occupancy or by dwell time."""

    def build() -> HTMLResponse:
        blocks = yard_blocks(p.session, now_utc())
        return p.render(
            "yard.html",
            {
                "blocks": blocks,
                "mode": "dwell" if mode == "dwell" else "occupancy",
                "occupied": sum(b.occupied for b in blocks),
                "capacity": sum(b.capacity for b in blocks),
            },
        )

    return staff_only(p, build)


@router.get("/yard/stack/{block}/{bay}/{row}", response_class=HTMLResponse)
def yard_stack(p: PageDep, block: str, bay: int, row: int) -> Response:
    """The containers of one stack (an htmx fragment under the heat map)."""

    def build() -> HTMLResponse:
        boxes = stack_boxes(p.session, block, bay, row, now_utc())
        return p.render("_stack.html", {"block": block, "bay": bay, "row": row, "boxes": boxes})

    return staff_only(p, build)


@router.get("/rail", response_class=HTMLResponse)
def rail(p: PageDep) -> Response:
    """Tracks with trains loading, wagon loads with their checks, and the departures board."""

    def build() -> HTMLResponse:
        now = now_utc()
        loading = trains(p.session, LOADING_STATUSES)
        tracks = track_codes(p.session)
        on_track = {t.track_code: t for t in loading if t.track_code}
        return p.render(
            "rail.html",
            {"tracks": tracks, "on_track": on_track, "loading": loading, "board": departures(p.session, now)},
        )

    return staff_only(p, build)


@router.get("/grain", response_class=HTMLResponse)
def grain(p: PageDep) -> Response:
    """Silos, lots, owners and the mass balance."""
    return staff_only(p, lambda: p.render("grain.html", {"g": grain_view(p.session)}))


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

    return staff_only(p, build)


@router.get("/container", response_class=HTMLResponse)
def container_search(p: PageDep, number: str = "") -> Response:
    """The search form; a submitted number goes to that container's page."""
    if p.viewer is None:
        return RedirectResponse("/login?next=/container", status_code=303)
    wanted = "".join(number.split()).upper()
    if wanted:
        return RedirectResponse(f"/container/{quote(wanted)}", status_code=303)
    return p.render("container_search.html", {})


@router.get("/container/{number}", response_class=HTMLResponse)
def container_page(p: PageDep, number: str) -> Response:
    """One container: where it is, its events, its ETA spread. Unknown and not-yours look the same."""
    if p.viewer is None:
        return RedirectResponse(f"/login?next=/container/{quote(number)}", status_code=303)
    wanted = "".join(number.split()).upper()
    view = container_view(p.session, wanted, p.viewer.shipper_filter)
    if view is None:
        return not_found(p, wanted)
    p.session.rollback()  # a fresh snapshot after the tracking service has brought its projection up to date
    return p.render("container.html", {"c": view, "eta": eta_for(p.request, p.session, view, p.viewer)})


@router.get("/customs", response_class=HTMLResponse)
def customs(p: PageDep) -> Response:
    """Open customs holds (a shipper sees its own)."""
    if p.viewer is None:
        return RedirectResponse("/login?next=/customs", status_code=303)
    return p.render("customs.html", {"holds": open_holds(p.session, p.viewer.shipper_filter), "now": now_utc()})


@router.get("/interchange", response_class=HTMLResponse)
def interchange(p: PageDep) -> Response:
    """EDIFACT interchanges received and sent, with their status (staff only)."""
    return staff_only(
        p,
        lambda: p.render("interchange.html", {"lines": interchanges(p.session), "undelivered": undelivered(p.session)}),
    )


@router.get("/simulation", response_class=HTMLResponse)
def simulation(p: PageDep, a: str = "", b: str = "") -> Response:
    """A twin run's KPIs and plots, and a second run beside it."""

    def build() -> HTMLResponse:
        root = runs.runs_dir(getattr(p.request.app.state, "runs_dir", None))
        names = runs.list_runs(root)
        run_a = runs.load_run(root, a or (names[0] if names else ""))
        run_b = runs.load_run(root, b) if b else None
        plots = [runs.series(r) for r in (run_a, run_b) if r is not None]
        return p.render(
            "simulation.html",
            {
                "names": names,
                "run_a": run_a,
                "run_b": run_b,
                "root": str(root),
                "rows": runs.table(run_a, run_b) if run_a else [],
                "plots_json": script_json(plots),
            },
        )

    return staff_only(p, build)


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
    """Check the token and keep it in an HttpOnly cookie."""
    viewer = auth.viewer_for_token(p.session, token)
    if viewer is None:
        return p.render("login.html", {"next": next, "failed": True}, status_code=401)
    target = _safe_next(next)
    if viewer.is_shipper and target not in ("/customs",) and not target.startswith("/container"):
        target = "/container"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(auth.COOKIE, token.strip(), httponly=True, samesite="strict", max_age=12 * 3600)
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the token."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.COOKIE)
    return response
