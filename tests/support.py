"""Helpers shared by the whole suite: seeded hubs, users with tokens, valid identifiers.

The ``make_hub`` fixture (tests/conftest.py) builds a :class:`Hub` with :func:`open_hub`; tests that
need a hub of their own shape start from it instead of seeding and serving by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from stdnum import iso6346, luhn

from landbridge.api.app import create_app
from landbridge.scenarios import load_scenario
from landbridge.services.authz import create_user
from landbridge.services.seeding import seed_scenario
from landbridge.store.unit_of_work import UnitOfWork

ROLES = (
    "planner", "yard_operator", "gate_clerk", "rail_operator", "customs_officer", "shipping_line", "shipper",
    "auditor", "admin",
)  # fmt: skip


def seed(url: str) -> None:
    """Seed the Lianyungang master data."""
    seed_scenario(UnitOfWork.for_url(url), load_scenario())


def token(url: str, name: str, role: str, party: str | None = None) -> str:
    """Create a user and return its bearer token."""
    return create_user(UnitOfWork.for_url(url), name=name, role=role, party=party)


def bearer(value: str) -> dict[str, str]:
    """Authorization header for a token."""
    return {"Authorization": f"Bearer {value}"}


def container_number(serial: int, owner: str = "LBO") -> str:
    """A valid ISO 6346 number for a test container."""
    base = f"{owner}U{serial:06d}"
    return base + str(iso6346.calc_check_digit(base))


def uic_wagon(serial: int) -> str:
    """A valid 12-digit UIC wagon number (China, flat wagon)."""
    base = f"31330{serial:06d}"
    return base + str(luhn.calc_check_digit(base))


def wagon_1520(serial: int) -> str:
    """A valid 8-digit 1520 mm flat wagon number."""
    base = f"4{serial:06d}"
    return base + str(luhn.calc_check_digit(base))


@dataclass
class Hub:
    """A seeded hub served over HTTP: the client, its database URL and one bearer token per user.

    Users are named after their role (``tokens["planner"]`` is the planner's); shippers get the
    names given to :meth:`add_shipper`.
    """

    client: TestClient
    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, user: str) -> dict[str, str]:
        """The Authorization header of one user."""
        return bearer(self.tokens[user])

    def add_shipper(self, party: str, user: str, name: str | None = None) -> dict[str, str]:
        """Register a shipper party (through the API, as admin) and a shipper user acting for it."""
        response = self.client.post(
            "/api/v1/parties",
            headers=self.headers("admin"),
            json={"code": party, "name": name or party, "role": "shipper"},
        )
        assert response.status_code == 201, response.text
        self.tokens[user] = token(self.url, user, "shipper", party)
        return self.headers(user)


@contextmanager
def open_hub(url: str, *, users: Iterable[str] = ("admin",), as_user: str | None = None) -> Iterator[Hub]:
    """The one way tests build a hub: seed the scenario, create a user per role, serve the app.

    ``as_user`` makes that user's token the client's default header.
    """
    seed(url)
    tokens = {role: token(url, role, role) for role in users}
    default = None if as_user is None else bearer(tokens[as_user])
    with TestClient(create_app(url), headers=default) as client:
        yield Hub(client, url, tokens)
