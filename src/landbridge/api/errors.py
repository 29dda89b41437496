"""The one error path: every failure becomes a JSON answer whose body names the field and the reason.

The body has FastAPI's validation shape (``{"detail": [{"loc", "msg", "type"}]}``) for every 4xx
and 5xx, so clients read every error the same way:

- domain errors → 403/404/409/422, a stale ``If-Match`` → 412 (``DomainError`` names its field);
- request validation → 422; the offending input is echoed only as a short excerpt (a 10 MB body
  must not come back as a 10 MB error) and never as a value JSON cannot carry (NaN, Infinity);
- a value the database cannot hold (an integer past the column) → 422;
- the database unreachable → 503 with ``Retry-After``; the engine's pool re-connects by itself;
- anything else → 500 with a JSON body and a reference to the log line, never a bare text page.
"""

from __future__ import annotations

import logging
import math
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from landbridge.domain.errors import Conflict, DomainError, Forbidden, InvalidIdentifier, NotFound, RuleViolation
from landbridge.services.preconditions import PreconditionFailed

log = logging.getLogger("landbridge.api")

RETRY_AFTER_S = 5
"""What a 503 tells a client to wait before trying again (the database is restarting or failing over)."""
MAX_MSG_CHARS = 300
MAX_EXCERPT_CHARS = 64
MAX_ERRORS = 20
_READS = frozenset({"GET", "HEAD"})
HEADER_FIELDS = frozenset({"If-Match", "Idempotency-Key", "Authorization"})
"""Fields that are request headers: their errors are located in ``header``, not ``body``."""

_STATUS: list[tuple[type[DomainError], int, str]] = [
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (PreconditionFailed, 412, "precondition_failed"),
    (InvalidIdentifier, 422, "invalid_identifier"),
    (RuleViolation, 422, "rule_violation"),
]


class ErrorItem(BaseModel):
    """One problem: where (``loc``: body/query/path/header, then the field), why (``msg``), what kind (``type``)."""

    loc: list[str | int]
    msg: str
    type: str
    input: Any = None


class ErrorBody(BaseModel):
    """The body of every error answer."""

    detail: list[ErrorItem]


def _clip(text: str, limit: int = MAX_MSG_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_response(
    status: int, loc: list[str | int], msg: str, kind: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A one-problem error answer."""
    item = {"loc": [_clip(str(part), MAX_EXCERPT_CHARS) for part in loc], "msg": _clip(msg), "type": kind}
    return JSONResponse(status_code=status, content={"detail": [item]}, headers=headers)


def domain_error_response(error: DomainError, location: str = "body") -> JSONResponse:
    """The HTTP response for a domain error."""
    status, kind = 400, "domain_error"
    for error_type, code, name in _STATUS:
        if isinstance(error, error_type):
            status, kind = code, name
            break
    where = "header" if error.field in HEADER_FIELDS else location
    return error_response(status, [where, error.field], error.reason, kind)


def _excerpt(value: Any) -> Any:
    """What of the input an error may echo: short scalars; a long text only as its start."""
    if isinstance(value, bool) or value is None or (isinstance(value, int) and abs(value) < 2**63):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _clip(value, MAX_EXCERPT_CHARS)
    return None  # objects and lists: the location says where, the body is the caller's own


def _safe_loc(loc: Any) -> list[str | int]:
    return [part if isinstance(part, int) else _clip(str(part), MAX_EXCERPT_CHARS) for part in loc]


def validation_error_response(error: RequestValidationError) -> JSONResponse:
    """422 for a request that does not match its schema, without echoing the request back."""
    items = []
    for problem in error.errors()[:MAX_ERRORS]:
        item: dict[str, Any] = {
            "loc": _safe_loc(problem.get("loc", ())),
            "msg": _clip(str(problem.get("msg", "invalid"))),
            "type": str(problem.get("type", "value_error")),
        }
        excerpt = _excerpt(problem.get("input"))
        if excerpt is not None:
            item["input"] = excerpt
        items.append(item)
    return JSONResponse(status_code=422, content={"detail": items})


def service_unavailable(dependency: str = "database") -> JSONResponse:
    """503: a dependency is down; the client should retry after ``RETRY_AFTER_S``."""
    return error_response(
        503,
        [dependency],
        f"the {dependency} is not reachable at the moment; nothing was changed, try again in {RETRY_AFTER_S} s",
        "service_unavailable",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def _location_of(request: Request, field: str) -> str:
    """Where the field at fault came from: a path or query parameter of this request, else the body.

    A read has no body: a field it did not receive is one of its query parameters left at its default.
    """
    if field in request.path_params:
        return "path"
    if field in request.query_params or request.method in _READS:
        return "query"
    return "body"


def allowed_methods(request: Request) -> str:
    """Every method the API documents for this path (Starlette names only the first route's)."""
    from landbridge.api.responses import documented_methods

    methods = documented_methods(request.app, request.url.path)
    return ", ".join(methods)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers of the one error path on the app."""

    async def on_domain_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainError)
        return domain_error_response(error, _location_of(request, error.field))

    async def on_validation_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return validation_error_response(error)

    async def on_http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        headers = dict(error.headers) if error.headers else None
        if isinstance(error.detail, list):
            return JSONResponse(status_code=error.status_code, content={"detail": error.detail}, headers=headers)
        if error.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(request)}
        kind = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return error_response(error.status_code, ["request"], str(error.detail), kind, headers=headers)

    async def on_database_down(request: Request, error: Exception) -> JSONResponse:
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, _clip(str(error), 200))
        return service_unavailable("database")

    async def on_unstorable_value(request: Request, error: Exception) -> JSONResponse:
        log.info("value refused by the database on %s %s: %s", request.method, request.url.path, _clip(str(error)))
        return error_response(
            422, ["request"], "a value is out of the range the hub can store (too large a number?)", "out_of_range"
        )

    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        reference = uuid.uuid4().hex[:12]
        log.exception("unexpected error %s on %s %s", reference, request.method, request.url.path, exc_info=error)
        return error_response(500, ["server"], f"unexpected error; reported as {reference}", "internal_error")

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    for unavailable in (OperationalError, InterfaceError, DisconnectionError, PoolTimeout):
        app.add_exception_handler(unavailable, on_database_down)
    for unstorable in (DataError, OverflowError):
        app.add_exception_handler(unstorable, on_unstorable_value)
    app.add_exception_handler(Exception, on_unexpected)
