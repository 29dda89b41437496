"""Who is looking at the dashboard: a token typed once into the login form, kept in an HttpOnly cookie.

The token is the same bearer token the API accepts (``api_users``, stored as its SHA-256; expired
or revoked tokens are refused), so the dashboard adds no second user store. The dashboard is open
without a login only when the operator says so (``LANDBRIDGE_OPEN_DASHBOARD=1``, which ``make run``
sets for a local look) — never because the users table happens to be empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.services.authz import PARTY_SCOPED_ROLES, token_is_live, token_sha256
from landbridge.store import tables

COOKIE = "lb_token"
SHIPPER_ROLES = frozenset(role.value for role in PARTY_SCOPED_ROLES)


@dataclass(frozen=True)
class Viewer:
    """The person behind a request: name, role and, for a shipper, the party whose cargo it may see."""

    name: str
    role: str
    party_code: str | None = None
    open_mode: bool = False

    @property
    def is_shipper(self) -> bool:
        """Cargo owners see only their own containers and none of the operational screens."""
        return self.role in SHIPPER_ROLES

    @property
    def shipper_filter(self) -> str | None:
        """The party code every cargo query must be limited to (None for staff)."""
        if not self.is_shipper:
            return None
        return self.party_code or "\x00no-party"  # a shipper without a party sees nothing


OPEN_VIEWER = Viewer(name="open access", role="operator", open_mode=True)


def token_digest(token: str) -> str:
    """What api_users stores of a token (the API's own rule, surrounding blanks of a paste ignored)."""
    return token_sha256(token.strip())


def dashboard_is_open(request: Request) -> bool:
    """Whether this app shows staff screens without a login (an explicit setting, see the module docstring)."""
    return bool(getattr(request.app.state, "open_dashboard", False))


def viewer_for_token(session: Session, token: str | None) -> Viewer | None:
    """The user a token belongs to, or None when unknown (or no token)."""
    if not token:
        return None
    row = session.scalar(select(tables.ApiUserRow).where(tables.ApiUserRow.token_sha256 == token_digest(token)))
    if row is None or not token_is_live(row):
        return None
    return Viewer(name=row.name, role=row.role, party_code=row.party_code)
