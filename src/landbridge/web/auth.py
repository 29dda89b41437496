"""Who is looking at the dashboard: a token typed once into the login form, kept in an HttpOnly cookie.

The token is the same bearer token the API accepts (``api_users``, stored as its SHA-256; expired
or revoked tokens are refused), and the person behind it is the same :class:`Actor` the API
authenticates: the role policy (``services/authz.POLICY``) decides which screens and tiles it may
open, and the store's one visibility rule (its :class:`Scope`) which objects they show. The
dashboard is open without a login only when the operator says so (``LANDBRIDGE_OPEN_DASHBOARD=1``,
which ``make run`` sets for a local look) — never because the users table happens to be empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from landbridge.services.authz import (
    PARTY_SCOPED_ROLES,
    READ_ACTIONS,
    Action,
    allowed,
    scope_of,
    token_is_live,
    token_sha256,
)
from landbridge.services.containers import Actor
from landbridge.store.repositories import EVERYTHING, Scope, UserRepository

COOKIE = "lb_token"


@dataclass(frozen=True)
class Viewer:
    """The actor behind a request, and whether the dashboard is in open mode (no users yet)."""

    actor: Actor
    open_mode: bool = False

    @property
    def name(self) -> str:
        """The user's name."""
        return self.actor.name

    @property
    def role(self) -> str:
        """The user's role (worded by the vocabulary catalog)."""
        return self.actor.role

    @property
    def party_scoped(self) -> bool:
        """A cargo owner or shipping line: sees its own party's objects only."""
        return not self.open_mode and self.actor.role in PARTY_SCOPED_ROLES

    def may(self, action: Action) -> bool:
        """Whether the role policy grants the action (open mode: every read, nothing else)."""
        if self.open_mode:
            return action in READ_ACTIONS
        return allowed(self.actor.role, action)

    @property
    def scope(self) -> Scope:
        """Which objects the viewer's screens show: the store's visibility rule for its actor."""
        return EVERYTHING if self.open_mode else scope_of(self.actor)


OPEN_VIEWER = Viewer(Actor(name="open access", role="auditor"), open_mode=True)


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
    row = UserRepository(session).by_token_sha256(token_digest(token))
    if row is None or not token_is_live(row):
        return None
    return Viewer(Actor(name=row.name, role=row.role, party=row.party_code))
