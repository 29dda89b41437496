"""Live updates over server-sent events: the Overview tiles are re-sent whenever the event log grows.

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

router = APIRouter(include_in_schema=False)
POLL_S = 2.0
MAX_S = 300.0  # end the stream now and then; EventSource reconnects, and no connection lives forever


def _newest_event(database_url: str) -> int:
    """The id of the newest event: any change at the base appends one."""
    with read_session(database_url) as session:
        return int(session.scalar(select(func.coalesce(func.max(tables.EventRow.id), 0))) or 0)


def _tiles(database_url: str, lang: Localiser) -> str:
    """The Overview tiles, rendered."""
    with read_session(database_url) as session:
        return TEMPLATES.get_template("_tiles.html").render(o=overview(session, now_utc()), _=lang.gettext, L=lang)


def sse(event: str, data: str, event_id: int) -> str:
    """One server-sent event (multi-line data split as the format requires)."""
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"id: {event_id}\nevent: {event}\n{lines}\n"


def _may_watch(database_url: str, token: str | None) -> bool:
    """The tiles are staff figures: the same rule as the Overview page (open while no user exists)."""
    with read_session(database_url) as session:
        if not auth.any_users(session):
            return True
        viewer = auth.viewer_for_token(session, token)
        return viewer is not None and not viewer.is_shipper


@router.get("/live", response_model=None)
async def live(request: Request, once: bool = False, tiles: bool = True) -> Response:
    """Stream ``changed`` (the newest event id) and, unless ``tiles=0``, the rendered Overview ``tiles``:
    once at the start, then each time the event log grows."""
    lang = Localiser(choose_language(request))
    url: str = request.app.state.database_url
    if not await asyncio.to_thread(_may_watch, url, request.cookies.get(auth.COOKIE)):
        return PlainTextResponse("log in first", status_code=401)

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
                    yield sse("tiles", await asyncio.to_thread(_tiles, url, lang), newest)
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
