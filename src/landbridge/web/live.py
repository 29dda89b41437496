"""Live updates over server-sent events: the Overview tiles are re-sent whenever the event log grows.

Every tile is checked against the role policy for the watching user and counted within its scope,
exactly as on the Overview page; the ``changed`` signal alone (``tiles=0``) lets any logged-in
screen refresh itself.

Plain ``text/event-stream`` on Starlette's StreamingResponse (no extra package); the browser's
EventSource reconnects by itself, so the stream can end at any time without harm.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from sqlalchemy import func, select

from landbridge.store import tables
from landbridge.web import auth
from landbridge.web.i18n import Localiser, choose_language
from landbridge.web.pages import TEMPLATES
from landbridge.web.readmodels.common import now_utc
from landbridge.web.readmodels.overview import overview
from landbridge.web.readonly import read_session
from landbridge.web.screens import tiles_for

router = APIRouter(include_in_schema=False)
POLL_S = 2.0
MAX_S = 300.0  # end the stream now and then; EventSource reconnects, and no connection lives forever


def _newest_event(database_url: str) -> int:
    """The id of the newest event: any change at the base appends one."""
    with read_session(database_url) as session:
        return int(session.scalar(select(func.coalesce(func.max(tables.EventRow.id), 0))) or 0)


def _tiles(database_url: str, lang: Localiser, viewer: auth.Viewer) -> str:
    """The Overview tiles this viewer may see (the role policy, tile by tile), counted within its scope."""
    with read_session(database_url) as session:
        figures = overview(session, now_utc(), tiles_for(viewer), viewer.scope)
        return TEMPLATES.get_template("_tiles.html").render(o=figures, _=lang.gettext, L=lang)


def sse(event: str, data: str, event_id: int) -> str:
    """One server-sent event (multi-line data split as the format requires)."""
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"id: {event_id}\nevent: {event}\n{lines}\n"


def _watcher(database_url: str, token: str | None, open_dashboard: bool) -> auth.Viewer | None:
    """Who watches: any logged-in user (or anyone when the dashboard is set to be open); None means 401."""
    with read_session(database_url) as session:
        viewer = auth.viewer_for_token(session, token)
        if viewer is None and open_dashboard:
            return auth.OPEN_VIEWER
        return viewer


@router.get("/live", response_model=None)
async def live(request: Request, once: bool = False, tiles: bool = True) -> Response:
    """Stream ``changed`` (the newest event id) and, unless ``tiles=0``, the rendered Overview ``tiles``:
    once at the start, then each time the event log grows. Each tile goes only to a role the policy
    lets read it, and counts only what the viewer's scope may see."""
    lang = Localiser(choose_language(request))
    url: str = request.app.state.database_url
    token, open_dashboard = request.cookies.get(auth.COOKIE), auth.dashboard_is_open(request)
    viewer = await asyncio.to_thread(_watcher, url, token, open_dashboard)
    if viewer is None:
        return PlainTextResponse("log in first", status_code=401)
    if tiles and not tiles_for(viewer):
        return PlainTextResponse("no Overview tile is open to your role", status_code=403)

    async def stream() -> AsyncIterator[str]:
        last = -1
        waited = 0.0
        yield "retry: 3000\n\n"
        while waited < MAX_S:
            newest = await asyncio.to_thread(_newest_event, url)
            if newest != last:
                last = newest
                yield sse("changed", str(newest), newest)
                if tiles:
                    yield sse("tiles", await asyncio.to_thread(_tiles, url, lang, viewer), newest)
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
