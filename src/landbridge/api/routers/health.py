"""Liveness and readiness: which dependency is up, so an operator (or a load balancer) knows what is wrong."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from landbridge import __version__
from landbridge.api.deps import uow_of
from landbridge.api.errors import RETRY_AFTER_S
from landbridge.api.schemas_base import DependencyOut, HealthOut

router = APIRouter(tags=["health"])


@router.get(
    "/api/health",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "A dependency (the database) is down"}},
)
def health(request: Request) -> JSONResponse:
    """The app is up; says whether its database answers."""
    backend = make_url(request.app.state.database_url).get_backend_name()
    try:
        with uow_of(request) as uow:
            uow.session.execute(text("SELECT 1"))
    except (DBAPIError, SQLAlchemyError) as error:
        reason = type(getattr(error, "orig", None) or error).__name__
        body = HealthOut(
            status="unavailable",
            version=__version__,
            database=backend,
            dependencies={"database": DependencyOut(status="down", backend=backend, reason=reason)},
        )
        return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})
    body = HealthOut(
        status="ok",
        version=__version__,
        database=backend,
        dependencies={"database": DependencyOut(status="up", backend=backend)},
    )
    return JSONResponse(body.model_dump())
