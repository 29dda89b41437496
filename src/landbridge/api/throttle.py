"""The HTTP side of the rate limits and lockout (``services/throttle.py``): the caller's address, 429 answers."""

from __future__ import annotations

from fastapi import HTTPException, Request

from landbridge.services.throttle import Throttle

__all__ = ["Throttle", "client_address", "throttle_of", "too_many"]


def client_address(request: Request) -> str:
    """The caller's address as the server sees it."""
    return request.client.host if request.client is not None else "unknown"


def throttle_of(request: Request) -> Throttle:
    """The app's throttle (created in ``create_app``)."""
    throttle: Throttle = request.app.state.throttle
    return throttle


def too_many(wait_s: int, reason: str, location: str = "authorization") -> HTTPException:
    """429 with ``Retry-After`` and the usual error body."""
    return HTTPException(
        status_code=429,
        detail=[{"loc": ["header", location], "msg": f"{reason}; try again in {wait_s} s", "type": "rate_limited"}],
        headers={"Retry-After": str(wait_s)},
    )
