"""Turn domain errors into HTTP answers whose JSON body names the field and the reason.

The body has FastAPI's validation shape (``{"detail": [{"loc", "msg", "type"}]}``) so clients
read every 4xx the same way.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from landbridge.domain.errors import Conflict, DomainError, Forbidden, InvalidIdentifier, NotFound, RuleViolation

_STATUS: list[tuple[type[DomainError], int, str]] = [
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (InvalidIdentifier, 422, "invalid_identifier"),
    (RuleViolation, 422, "rule_violation"),
]


def domain_error_response(error: DomainError, location: str = "body") -> JSONResponse:
    """The HTTP response for a domain error."""
    status, kind = 400, "domain_error"
    for error_type, code, name in _STATUS:
        if isinstance(error, error_type):
            status, kind = code, name
            break
    return JSONResponse(
        status_code=status,
        content={"detail": [{"loc": [location, error.field], "msg": error.reason, "type": kind}]},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the domain-error handler on the app."""

    async def handle(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainError)
        return domain_error_response(error)

    app.add_exception_handler(DomainError, handle)
