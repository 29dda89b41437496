"""Request dependencies: the database URL of this app, and a fresh unit of work per request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from landbridge.services.containers import Actor
from landbridge.store.unit_of_work import UnitOfWork


def get_uow(request: Request) -> UnitOfWork:
    """A new unit of work on this app's database."""
    url: str = request.app.state.database_url
    return UnitOfWork.for_url(url)


def get_actor(request: Request) -> Actor:
    """Who is calling. Token authentication arrives with the operations issue; until then, anonymous."""
    return Actor(name=request.headers.get("X-Actor", "anonymous"), role="anonymous")


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
ActorDep = Annotated[Actor, Depends(get_actor)]
