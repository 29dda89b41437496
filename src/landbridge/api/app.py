"""The FastAPI application: API under /api, DCSA under /dcsa, pages at /, OpenAPI at /docs."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from landbridge import __version__
from landbridge.api.errors import install_error_handlers
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
from landbridge.config import get_settings
from landbridge.web import actions, driver, lists, live, pages, reports_screen

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def create_app(database_url: str | None = None) -> FastAPI:
    """Build the app for one database (the settings' URL unless given)."""
    # FastAPIOffline serves Swagger UI and ReDoc from the package: /docs works with no internet.
    app: FastAPI = FastAPIOffline(
        title="landbridge",
        version=__version__,
        description="The open system for a sea–rail intermodal hub: the China–Kazakhstan (Lianyungang) base.",
    )
    app.state.database_url = database_url or get_settings().database_url
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(reference.router)
    app.include_router(containers.router)
    for operations_router in (
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
    ):
        app.include_router(operations_router)
    app.include_router(billing.router)
    app.include_router(reports.router)
    app.include_router(equipment.router)
    app.include_router(work.router)
    app.include_router(plans.router)
    app.include_router(edi.router)
    app.include_router(waybills.router)
    app.include_router(dcsa.router)
    app.include_router(tracking.router)
    app.include_router(pages.router)
    app.include_router(actions.router)
    app.include_router(lists.router)
    app.include_router(reports_screen.router)
    app.include_router(live.router)
    app.include_router(driver.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Added last, so outermost: whatever answers a /dcsa request (a route, a guard, the router's 404),
    # the answer carries API-Version and, for an error, DCSA's error body.
    app.add_middleware(dcsa.DcsaResponses)
    return app
