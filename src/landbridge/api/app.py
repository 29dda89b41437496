"""The FastAPI application: API under /api, DCSA under /dcsa, pages at /, OpenAPI at /docs."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from landbridge import __version__
from landbridge.api.deps import precondition
from landbridge.api.errors import install_error_handlers
from landbridge.api.guard import InputGuard
from landbridge.api.query_names import refuse_undeclared_query
from landbridge.api.responses import document_error_responses
from landbridge.api.routers import (
    billing,
    containers,
    dcsa,
    edi,
    equipment,
    health,
    operations_containers,
    operations_customs,
    operations_gate,
    operations_grain,
    operations_manifests,
    operations_parties,
    operations_rail,
    operations_vessels,
    operations_yard,
    plans,
    reference,
    reports,
    tracking,
    waybills,
    work,
)
from landbridge.api.throttle import Throttle
from landbridge.config import get_settings
from landbridge.services.token_reader import TokenReader
from landbridge.web import actions, driver, lists, live, pages, reports_screen, sim_jobs, train_plan, uploads
from landbridge.web.csrf import CsrfGuard

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"

WORKER_THREADS = 20
"""Threads a server process runs its blocking route code in (anyio's default is 40).

Each thread holds at most one pooled connection of the writing engine, whose pool keeps 20
(``store/database.py``): with more threads than pooled connections, a busy worker opened and closed
overflow connections all the time — a new PostgreSQL backend each, ≈ 300 in 1,000 contested moves
(docs/scale.md). Twenty threads keep two cores busy; more only wait for the GIL.
"""


_start_up_frozen = False


def _freeze_start_up_objects() -> None:
    """Collect once, then keep everything alive out of later full collections (first app of the process only)."""
    global _start_up_frozen
    if not _start_up_frozen:
        gc.collect()
        gc.freeze()
        _start_up_frozen = True


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Per server process: its worker threads, on PostgreSQL its event loop's token lookups, and the objects
    alive once the app has started kept out of the garbage collector's full passes while it serves.

    The app holds ≈ 330,000 long-lived objects (routes, schemas, scenario, statement caches); a full
    collection scans them all, and requests that build many objects (a page of 100 trains × 50 wagons)
    set one off every few requests: ≈ 175 ms of CPU added to that request (docs/scale.md, *Reads at a
    year's size*). ``gc.freeze`` moves them to the permanent generation, once per process: a server process
    starts one app, and a process that starts apps one after another (the test suite) paid a full
    collection of its whole heap at every start — it doubled the suite's time.
    """
    to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    url: str = app.state.database_url
    reader = TokenReader(url) if TokenReader.serves(url) else None
    app.state.token_reader = reader
    _freeze_start_up_objects()
    try:
        yield
    finally:
        app.state.token_reader = None
        if reader is not None:
            await reader.close()


def create_app(database_url: str | None = None, *, open_dashboard: bool | None = None) -> FastAPI:
    """Build the app for one database (the settings' URL unless given).

    ``open_dashboard`` (default: ``LANDBRIDGE_OPEN_DASHBOARD``) shows the staff screens without a login.
    """
    settings = get_settings()
    # FastAPIOffline serves Swagger UI and ReDoc from the package: /docs works with no internet.
    app: FastAPI = FastAPIOffline(
        title="landbridge",
        version=__version__,
        description="The open system for a sea–rail intermodal hub: the China–Kazakhstan (Lianyungang) base.",
        lifespan=_lifespan,
    )
    app.state.database_url = database_url or settings.database_url
    app.state.open_dashboard = settings.open_dashboard if open_dashboard is None else open_dashboard
    app.state.throttle = Throttle.from_settings(settings)
    install_error_handlers(app)
    app.add_middleware(InputGuard)
    app.add_middleware(CsrfGuard, secret=settings.secret_key)
    # Every API route: If-Match on commands, ETag on object reads (api/deps.precondition).
    app.include_router(health.router, dependencies=[Depends(refuse_undeclared_query)])
    # ... and a read refuses a query parameter it does not take (api/query_names.py).
    api_dependencies = [Depends(refuse_undeclared_query), Depends(precondition)]
    for router in (
        reference.router,
        containers.router,
        operations_parties.router,
        operations_vessels.router,
        operations_yard.router,
        operations_rail.router,
        operations_gate.router,
        operations_grain.router,
        operations_customs.router,
        operations_containers.router,
        operations_manifests.router,
        operations_vessels.ships,
        operations_gate.releases,
        operations_rail.wagons,
        billing.router,
        reports.router,
        equipment.router,
        work.router,
        plans.router,
        edi.router,
        waybills.router,
        dcsa.router,
        tracking.router,
    ):
        app.include_router(router, dependencies=api_dependencies)
    app.include_router(pages.router)
    app.include_router(actions.router)
    app.include_router(train_plan.router)
    app.include_router(uploads.router)
    app.include_router(sim_jobs.router)
    app.include_router(lists.router)
    app.include_router(reports_screen.router)
    app.include_router(live.router)
    app.include_router(driver.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Added last, so outermost: whatever answers a /dcsa request (a route, a guard, the router's 404),
    # the answer carries API-Version and, for an error, DCSA's error body.
    app.add_middleware(dcsa.DcsaResponses)
    document_error_responses(app)  # last: every route included above documents its errors
    return app
