"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from landbridge import __version__
from landbridge.api.deps import UowDep
from landbridge.api.schemas_base import HealthOut

router = APIRouter(tags=["health"])


@router.get("/api/health", response_model=HealthOut)
def health(uow: UowDep) -> dict[str, Any]:
    """The app is up and its database answers."""
    with uow:
        uow.session.execute(text("SELECT 1"))
        backend = uow.session.get_bind().dialect.name
    return {"status": "ok", "version": __version__, "database": backend}
