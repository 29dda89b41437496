"""Helpers shared by the operations tests: seeded databases, users with tokens, valid identifiers."""

from __future__ import annotations

from stdnum import iso6346, luhn

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
