"""Who may do what: one policy table role × action, checked in one place (``authorize``).

Role checks answer 403. Object-level rules (a shipper sees only its own consignments' containers
and its own grain) are not here but in the repository queries, through the :class:`Scope` this
module derives from the actor — so a foreign object is simply not found (404) and never listed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from landbridge.config import get_settings
from landbridge.domain.errors import Conflict, Forbidden, NotFound, RuleViolation
from landbridge.domain.events import utc_now
from landbridge.services.actor import Actor
from landbridge.services.operations.common import execute
from landbridge.store import tables
from landbridge.store.repositories import Scope
from landbridge.store.unit_of_work import UnitOfWork

USER_ADMIN = "landbridge-users"
"""The actor that creates API users (``landbridge users create``, run on the hub's own machine)."""


class Role(StrEnum):
    """The roles an API user can hold."""

    PLANNER = "planner"
    YARD_OPERATOR = "yard_operator"
    GATE_CLERK = "gate_clerk"
    RAIL_OPERATOR = "rail_operator"
    CUSTOMS_OFFICER = "customs_officer"
    SHIPPING_LINE = "shipping_line"
    SHIPPER = "shipper"  # shipper or forwarder: sees only its own consignments
    DRIVER = "driver"  # drives a machine: sees and confirms its jobs on the driver's screen, nothing else
    AUDITOR = "auditor"
    ADMIN = "admin"


class Action(StrEnum):
    """Everything the API lets a caller do, grouped by context."""

    CONTAINER_READ = "container.read"
    CONTAINER_REGISTER = "container.register"
    AUDIT_READ = "audit.read"
    PARTY_WRITE = "party.write"
    CONSIGNMENT_WRITE = "consignment.write"
    VESSEL_READ = "vessel.read"
    VESSEL_PLAN = "vessel.plan"  # announce, berth, depart
    VESSEL_HANDLE = "vessel.handle"  # discharge, load
    YARD_READ = "yard.read"
    YARD_WRITE = "yard.write"
    RAIL_READ = "rail.read"
    RAIL_PLAN = "rail.plan"  # announce a train visit
    RAIL_HANDLE = "rail.handle"  # load, unload, depart, border, gauge change, arrival
    GATE_READ = "gate.read"
    GATE_BOOK = "gate.book"
    GATE_WRITE = "gate.write"  # truck in / out
    CFS_WRITE = "cfs.write"
    GRAIN_READ = "grain.read"
    GRAIN_WRITE = "grain.write"
    CUSTOMS_READ = "customs.read"
    CUSTOMS_WRITE = "customs.write"
    HOLD_READ = "hold.read"
    VGM_WRITE = "vgm.write"  # declare a SOLAS verified gross mass (a shipper: for its own boxes)
    CONTAINER_CORRECT = "container.correct"
    RELEASE_WRITE = "release.write"  # issue and cancel delivery orders
    HOLD_WRITE = "hold.write"  # place/release holds; which kinds a role may touch is domain.holds.HOLD_RULES
    PLAN_RUN = "plan.run"  # ask for and apply berth and train load plans
    SIMULATION_READ = "simulation.read"  # the twin's runs on the dashboard
    SIMULATION_RUN = "simulation.run"  # start a what-if run or small sweep from the dashboard (CPU of the web host)
    EDI_READ = "edi.read"  # interchanges received and sent, bay plans, partners
    EDI_IMPORT = "edi.import"  # send us EDIFACT or CSV to apply (a line or shipper: as its own partner only)
    EDI_EXPORT = "edi.export"  # build and queue outbound messages
    EDI_PARTNERS = "edi.partners"  # change trading-partner agreements
    WAYBILL_READ = "waybill.read"  # SMGS / CIM-SMGS consignment notes
    WAYBILL_WRITE = "waybill.write"  # create, re-consign, record a gauge change
    BILLING_READ = "billing.read"  # charges, tariffs, invoices (a shipper or line: its own invoices)
    BILLING_WRITE = "billing.write"  # guarantees, waivers, billing runs, finalise, credit notes
    TARIFF_WRITE = "tariff.write"  # publish a tariff revision
    REPORT_READ = "report.read"  # the management reports
    PARTY_READ = "party.read"  # the list of parties (hub staff; a party sees itself through its objects)
    EQUIPMENT_READ = "equipment.read"  # the fleet: machines, status, position
    EQUIPMENT_MANAGE = "equipment.manage"  # a machine's status (working, break, out of service)
    WORK_READ = "work.read"  # work instructions, queues, productivity
    WORK_PLAN = "work.plan"  # generate instructions; pin, reorder, suspend a queue
    WORK_DRIVE = "work.drive"  # sign on to a machine, confirm its jobs, report a problem


_READS = frozenset(
    {
        Action.CONTAINER_READ,
        Action.AUDIT_READ,
        Action.VESSEL_READ,
        Action.YARD_READ,
        Action.RAIL_READ,
        Action.GATE_READ,
        Action.GRAIN_READ,
        Action.CUSTOMS_READ,
        Action.HOLD_READ,
        Action.SIMULATION_READ,
        Action.EDI_READ,
        Action.WAYBILL_READ,
        Action.PARTY_READ,
        Action.EQUIPMENT_READ,
        Action.WORK_READ,
    }
)
READ_ACTIONS = _READS
"""Every read of the hub's state: what an auditor — and the dashboard's open mode — may do."""

# Commercial reads: hub staff and the auditor, never the dashboard's open mode.
_COMMERCIAL_READS = frozenset({Action.BILLING_READ, Action.REPORT_READ})

POLICY: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.AUDITOR: _READS | _COMMERCIAL_READS,
    Role.PLANNER: _READS
    | _COMMERCIAL_READS
    | {
        Action.BILLING_WRITE,
        Action.CONTAINER_REGISTER,
        Action.PARTY_WRITE,
        Action.CONSIGNMENT_WRITE,
        Action.VESSEL_PLAN,
        Action.RAIL_PLAN,
        Action.GATE_BOOK,
        Action.PLAN_RUN,
        Action.SIMULATION_RUN,
        Action.HOLD_WRITE,
        Action.VGM_WRITE,
        Action.CONTAINER_CORRECT,
        Action.RELEASE_WRITE,
        Action.EDI_IMPORT,
        Action.EDI_EXPORT,
        Action.WAYBILL_WRITE,
        Action.WORK_PLAN,
        Action.EQUIPMENT_MANAGE,
    },
    Role.YARD_OPERATOR: _READS
    | {
        Action.CONTAINER_REGISTER,
        Action.YARD_WRITE,
        Action.VESSEL_HANDLE,
        Action.CFS_WRITE,
        Action.GRAIN_WRITE,
        Action.HOLD_WRITE,
        Action.VGM_WRITE,
        Action.CONTAINER_CORRECT,
        Action.WORK_PLAN,
        Action.EQUIPMENT_MANAGE,
        Action.WORK_DRIVE,
    },
    Role.GATE_CLERK: _READS
    | {
        Action.BILLING_READ,
        Action.CONTAINER_REGISTER,
        Action.GATE_BOOK,
        Action.GATE_WRITE,
        Action.HOLD_WRITE,
        Action.VGM_WRITE,
        Action.CONTAINER_CORRECT,
        Action.WORK_PLAN,
    },
    Role.RAIL_OPERATOR: _READS
    | {
        Action.RAIL_PLAN,
        Action.RAIL_HANDLE,
        Action.WORK_PLAN,
        Action.WORK_DRIVE,
        Action.EDI_IMPORT,
        Action.WAYBILL_WRITE,
    },
    Role.CUSTOMS_OFFICER: _READS | {Action.CUSTOMS_WRITE, Action.HOLD_WRITE},
    Role.SHIPPING_LINE: frozenset(
        {
            Action.CONTAINER_READ,
            Action.AUDIT_READ,
            Action.BILLING_READ,
            Action.VESSEL_READ,
            Action.CUSTOMS_READ,
            Action.HOLD_READ,
            Action.HOLD_WRITE,
            Action.VGM_WRITE,
            Action.RELEASE_WRITE,
            Action.CONTAINER_REGISTER,
            Action.CONSIGNMENT_WRITE,
            Action.VESSEL_PLAN,
            Action.GATE_BOOK,
            Action.EDI_IMPORT,
        }
    ),
    Role.SHIPPER: frozenset(
        {
            Action.CONTAINER_READ,
            Action.AUDIT_READ,
            Action.BILLING_READ,
            Action.CUSTOMS_READ,
            Action.HOLD_READ,
            Action.GRAIN_READ,
            Action.GATE_BOOK,
            Action.VGM_WRITE,
        }
    ),
    Role.DRIVER: frozenset(
        {Action.EQUIPMENT_READ, Action.WORK_READ, Action.WORK_DRIVE, Action.CONTAINER_READ, Action.YARD_READ}
    ),
}

# Roles whose reads are limited to the objects of their own party: a shipper or forwarder sees the
# boxes of its bookings and its grain; a shipping line the boxes it owns and the ships it operates.
PARTY_SCOPED_ROLES = frozenset({Role.SHIPPER, Role.SHIPPING_LINE})


def allowed(role: str, action: Action) -> bool:
    """Whether the policy table grants ``action`` to ``role`` (unknown roles get nothing)."""
    try:
        return action in POLICY[Role(role)]
    except ValueError:
        return False


def authorize(actor: Actor, action: Action) -> Scope:
    """Refuse (403) unless the actor's role may perform ``action``; return the actor's object scope."""
    if not allowed(actor.role, action):
        raise Forbidden("role", f"role {actor.role!r} may not perform {action.value}")
    return scope_of(actor)


def scope_of(actor: Actor) -> Scope:
    """What the actor may see: everything for hub staff, its own party's objects for a shipper or line."""
    if actor.role in PARTY_SCOPED_ROLES:
        return Scope(party=actor.party or "")
    return Scope()


def token_sha256(token: str) -> str:
    """What is stored of a token: its SHA-256 (tokens are 256-bit random, so no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


MAX_TOKEN_DAYS = 366


def create_user(
    uow: UnitOfWork, *, name: str, role: str, party: str | None = None, valid_for_days: int | None = None
) -> str:
    """Create an API user and return its bearer token — shown once, stored only as a hash, valid for some days."""
    days = get_settings().token_days if valid_for_days is None else valid_for_days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise RuleViolation("days", f"a token is valid for 1 to {MAX_TOKEN_DAYS} days")
    try:
        checked_role = Role(role)
    except ValueError:
        raise RuleViolation("role", f"unknown role {role!r}; roles: {', '.join(r.value for r in Role)}") from None
    if checked_role in PARTY_SCOPED_ROLES and party is None:
        raise RuleViolation("party", f"a {checked_role.value} user acts for a party; give --party")
    token = f"lb_{secrets.token_urlsafe(32)}"

    def work(uow: UnitOfWork) -> None:
        users = uow.users
        if users.by_name(name) is not None:
            raise Conflict("name", f"user {name!r} already exists")
        if party is not None and uow.parties.party(party) is None:
            raise NotFound("party", f"no party {party!r}")
        users.add(
            tables.ApiUserRow(
                name=name,
                role=checked_role.value,
                party_code=party,
                token_sha256=token_sha256(token),
                created_at=utc_now(),
                expires_at=utc_now() + timedelta(days=days),
            )
        )

    execute(uow, Actor(USER_ADMIN, Role.ADMIN.value), work)
    return token


def token_is_live(user: tables.ApiUserRow, now: datetime | None = None) -> bool:
    """Not revoked and not expired (a token without an expiry is one issued before expiries existed)."""
    return is_live(user.revoked_at, user.expires_at, now)


def is_live(revoked_at: datetime | None, expires_at: datetime | None, now: datetime | None = None) -> bool:
    """:func:`token_is_live` on the two columns (the event loop's token lookup reads plain rows)."""
    moment = now or utc_now()
    return revoked_at is None and (expires_at is None or expires_at > moment)


def authenticate(uow: UnitOfWork, token: str) -> Actor | None:
    """The actor a live bearer token belongs to, or None (unknown, expired or revoked).

    Every API request asks, so the token is read from the database each time: a revoked token is
    refused from the next request on. On PostgreSQL the lookup is one statement in autocommit —
    no ``BEGIN`` and ``ROLLBACK`` round trips around it (a third of the CPU a request that does
    nothing cost, docs/scale.md). It is not folded into the command's own transaction: that would
    hold a pooled connection from this dependency's worker thread to the route's, and requests
    holding connections while waiting for a thread, with threads waiting for connections, can
    stall a worker.
    """
    with uow:
        if uow.session.get_bind().dialect.name == "postgresql":
            uow.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        user = uow.users.by_token_sha256(token_sha256(token))
        if user is None or not token_is_live(user):
            return None
        return Actor(name=user.name, role=user.role, party=user.party_code)


def revoke_user(uow: UnitOfWork, name: str) -> None:
    """Revoke a user's token at once: the API and the dashboard refuse it from the next request on."""

    def work(uow: UnitOfWork) -> None:
        user = uow.users.by_name(name)
        if user is None:
            raise NotFound("name", f"no user {name!r}")
        if user.revoked_at is None:
            user.revoked_at = utc_now()

    execute(uow, Actor(USER_ADMIN, Role.ADMIN.value), work)
