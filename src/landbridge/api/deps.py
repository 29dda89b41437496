"""Request dependencies: the unit of work, the authenticated actor, role checks and idempotency keys.

Authentication is a bearer token (``Authorization: Bearer …``) looked up by its SHA-256. Every
route that changes or reveals hub state declares the action it performs with
``Depends(Authorized(Action.X))``; the one policy table in :mod:`landbridge.services.authz`
decides, and the returned :class:`Principal` carries the scope repository queries filter by.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from landbridge.api.throttle import client_address, throttle_of, too_many
from landbridge.domain.errors import RuleViolation
from landbridge.domain.identifiers import ContainerNumber
from landbridge.services import preconditions
from landbridge.services.authz import Action, authenticate, authorize
from landbridge.services.containers import Actor
from landbridge.services.idempotency import HEADER, MAX_KEY_LENGTH, IdempotencyKey, request_digest
from landbridge.services.token_reader import TokenReader
from landbridge.store.repositories import Scope
from landbridge.store.unit_of_work import UnitOfWork

SAFE_METHODS = frozenset({"GET", "HEAD"})
"""Methods that only read (RFC 9110 §9.2.1): their unit of work is one for reading."""


def uow_of(request: Request) -> UnitOfWork:
    """A new unit of work on this app's database: for reading on ``GET``/``HEAD``, writing otherwise.

    A read takes no write lock (on SQLite a long CSV export or report held it and concurrent commands
    failed with "database is locked"), and the database refuses any write it tries. A ``GET`` that
    must write (numbering an exported interchange) declares :data:`WritingUowDep` instead.
    """
    url: str = request.app.state.database_url
    if request.method in SAFE_METHODS:
        return UnitOfWork.for_reading(url)
    return UnitOfWork.for_url(url)


async def get_uow(request: Request) -> UnitOfWork:
    """The route's unit of work (``async``: it does no I/O, so FastAPI need not hand it to a worker thread)."""
    return uow_of(request)


async def get_writing_uow(request: Request) -> UnitOfWork:
    """A writing unit of work whatever the method: for the few ``GET`` routes that record something."""
    url: str = request.app.state.database_url
    return UnitOfWork.for_url(url)


def _unauthenticated(reason: str) -> HTTPException:
    return HTTPException(
        status_code=401,
        detail=[{"loc": ["header", "authorization"], "msg": reason, "type": "unauthenticated"}],
        headers={"WWW-Authenticate": "Bearer"},
    )


async def get_actor(request: Request, authorization: Annotated[str | None, Header()] = None) -> Actor:
    """Who is calling, from the bearer token; 401 without a valid one.

    The token is read from the database on every request: on PostgreSQL by the server process's
    :class:`~landbridge.services.token_reader.TokenReader` on the event loop (no worker thread), on
    SQLite (or an app started without its lifespan) in a worker thread.
    """
    if authorization is None:
        raise _unauthenticated("send Authorization: Bearer <token>")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("send Authorization: Bearer <token>")
    throttle, address = throttle_of(request), client_address(request)
    locked = throttle.lockout_s(address)
    if locked is not None:
        raise too_many(locked, "too many wrong tokens from this address")
    reader: TokenReader | None = getattr(request.app.state, "token_reader", None)
    if reader is not None:
        actor = await reader.actor(token.strip())
    else:
        actor = await run_in_threadpool(authenticate, uow_of(request), token.strip())
    if actor is None:
        throttle.failed(address)
        raise _unauthenticated("unknown, expired or revoked token")
    wait = throttle.request_wait_s(actor.name)
    if wait is not None:
        raise too_many(wait, f"more than the allowed requests for user {actor.name}")
    return actor


@dataclass(frozen=True)
class Principal:
    """An authenticated actor allowed to perform the route's action, and what it may see."""

    actor: Actor
    scope: Scope


class Authorized:
    """``Depends(Authorized(Action.X))``: authenticate, then check the policy table for action X."""

    def __init__(self, action: Action) -> None:
        self.action = action

    async def __call__(self, request: Request, actor: Annotated[Actor, Depends(get_actor)]) -> Principal:
        # Events record where a command came from: the caller's X-Request-ID, else its Idempotency-Key.
        reference = request.headers.get("X-Request-ID") or request.headers.get(HEADER)
        source = f"api:{request.method} {request.url.path}" + (f" {reference}" if reference else "")
        sourced = replace(actor, source=source[:128])
        return Principal(sourced, authorize(sourced, self.action))


async def get_idempotency_key(
    request: Request,
    idempotency_key: Annotated[str | None, Header(alias=HEADER, min_length=1, max_length=MAX_KEY_LENGTH)] = None,
) -> IdempotencyKey | None:
    """The caller's ``Idempotency-Key`` with a digest of this request (method, path, body)."""
    if idempotency_key is None:
        return None
    body = await request.body()
    return IdempotencyKey(
        idempotency_key,
        request_digest(request.method, request.url.path, body),
        raw_sha256=request_digest(request.method, request.url.path, body, canonical=False),
    )


# Routes whose path names one object that carries an ETag: (template prefix, kind, path parameter).
_TAGGED: tuple[tuple[str, preconditions.Kind, str], ...] = (
    ("/api/v1/containers/{number}", "container", "number"),
    ("/api/v1/vessel-visits/{reference}", "vessel_visit", "reference"),
    ("/api/v1/train-visits/{reference}", "train", "reference"),
)
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _tagged_object(request: Request) -> tuple[preconditions.Kind, str | None, bool]:
    """The kind and id of the object a route is about, and whether the route reads exactly that object."""
    route = request.scope.get("route")
    template = getattr(route, "path_format", None) or ""
    for prefix, kind, parameter in _TAGGED:
        if template == prefix or template.startswith(prefix + "/"):
            subject = str(request.path_params.get(parameter, ""))
            if kind == "container":
                with suppress(ValueError):
                    subject = str(ContainerNumber(subject))
            return kind, subject, template == prefix
    return "container", None, False  # a command on containers named in its body (yard moves, gate, CFS…)


async def precondition(
    request: Request,
    response: Response,
    if_match: Annotated[
        str | None,
        Header(
            alias=preconditions.HEADER,
            description="An ETag read earlier: the command runs only if the object still has it (else 412)",
            max_length=400,
        ),
    ] = None,
) -> None:
    """``If-Match`` on commands (checked in the command's transaction); ``ETag`` on object reads."""
    kind, subject, reads_object = _tagged_object(request)
    if request.method in _UNSAFE:
        if if_match is not None:
            preconditions.expect(kind, subject, preconditions.parse_if_match(if_match))
        else:
            preconditions.clear()
        return
    if request.method == "GET" and reads_object and subject:
        url: str = request.app.state.database_url
        tag = await run_in_threadpool(preconditions.etag_of, UnitOfWork.for_reading(url), kind, subject)
        if tag is not None:
            response.headers["ETag"] = tag


class DeclaredQueryOnly:
    """Refuse a query parameter the operation does not take (422 naming it), for commands where a typo
    would otherwise be ignored silently (``?anwser=contrl`` would answer JSON, not the CONTRL asked for)."""

    def __init__(self, *names: str) -> None:
        self.names = frozenset(names)

    async def __call__(self, request: Request) -> None:
        for name in request.query_params:
            if name not in self.names:
                takes = ", ".join(sorted(self.names)) or "none"
                raise RuleViolation(name, f"is not a query parameter of this operation (it takes: {takes})")


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
"""The route's unit of work: for reading on GET/HEAD (no write lock, no writes), writing otherwise."""
WritingUowDep = Annotated[UnitOfWork, Depends(get_writing_uow)]
"""A writing unit of work for a GET that records something (an EDI export numbers its interchange)."""
ActorDep = Annotated[Actor, Depends(get_actor)]
IdempotencyDep = Annotated[IdempotencyKey | None, Depends(get_idempotency_key)]
