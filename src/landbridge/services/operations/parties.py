"""Parties and consignments (bookings): who owns which containers and grain — the basis of visibility."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from landbridge.domain.dangerous_goods import DangerousGoods
from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.identifiers import HSCode, UNLocode
from landbridge.domain.parties import owner_code
from landbridge.domain.units import PartyRole
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import (
    container_event,
    container_view,
    execute,
    locked_container,
    snapshot,
    subject_event,
)
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class GoodsLineSpec:
    """A goods line of a new consignment."""

    hs_code: str
    description: str
    packages: int
    mass_kg: int
    imdg_class: str | None = None
    un_number: str | None = None
    packing_group: str | None = None


def create_party(
    uow: UnitOfWork,
    actor: Actor,
    *,
    code: str,
    name: str,
    role: PartyRole,
    country: str | None = None,
    occurred_at: datetime | None = None,
    owner_codes: Sequence[str] = (),
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Register a party (shipper, consignee, forwarder, line…); a line names its ISO 6346 owner codes,
    which decide the boxes it sees (one party per code)."""
    codes = sorted({owner_code(value) for value in owner_codes})

    def work(uow: UnitOfWork) -> dict[str, Any]:
        parties = uow.parties
        if parties.party(code) is not None:
            raise Conflict("code", f"party {code} already exists")
        taken = parties.owners_of(codes)
        if taken:
            first = min(taken)
            raise Conflict("owner_codes", f"owner code {first} belongs to party {taken[first]}")
        parties.add(tables.PartyRow(code=code, name=name, role=role.value, country=country))
        for value in codes:
            parties.add(tables.PartyOwnerCodeRow(owner_code=value, party_code=code))
        view = {"code": code, "name": name, "role": role.value, "country": country, "owner_codes": codes}
        subject_event(uow, EventType.PARTY_CREATED, "party", code, actor, None, view)
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def set_owner_codes(
    uow: UnitOfWork,
    actor: Actor,
    *,
    code: str,
    owner_codes: Sequence[str],
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Replace the ISO 6346 owner codes of a party (e.g. a line registered before it had any, or a new
    fleet); the line then sees exactly the boxes with these codes. One party per code."""
    codes = sorted({owner_code(value) for value in owner_codes})

    def work(uow: UnitOfWork) -> dict[str, Any]:
        parties = uow.parties
        party = parties.party(code)
        if party is None:
            raise NotFound("code", f"no party {code!r}")
        taken = {owner: holder for owner, holder in parties.owners_of(codes).items() if holder != code}
        if taken:
            first = min(taken)
            raise Conflict("owner_codes", f"owner code {first} belongs to party {taken[first]}")
        before = {"owner_codes": parties.owner_codes(code)}
        parties.replace_owner_codes(code, codes)
        view = {"code": code, "name": party.name, "role": party.role, "country": party.country, "owner_codes": codes}
        subject_event(uow, EventType.PARTY_OWNER_CODES_SET, "party", code, actor, before, {"owner_codes": codes})
        return view

    return execute(uow, actor, work, status_code=200, idempotency=idempotency)


def create_consignment(
    uow: UnitOfWork,
    actor: Actor,
    *,
    booking_reference: str,
    shipper_code: str,
    consignee_code: str | None,
    origin: str,
    destination: str,
    goods: list[GoodsLineSpec],
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Book a consignment with its goods lines (dangerous goods data checked)."""
    origin_code, destination_code = UNLocode(origin), UNLocode(destination)
    for index, line in enumerate(goods):
        try:
            HSCode(line.hs_code)
            if line.imdg_class is not None or line.un_number is not None:
                DangerousGoods(line.imdg_class or "", line.un_number or "", line.packing_group)
        except RuleViolation as error:
            raise RuleViolation(f"goods[{index}].{error.field}", error.reason) from None
        except ValueError as error:
            field = getattr(error, "field", "goods")
            reason = getattr(error, "reason", str(error))
            raise RuleViolation(f"goods[{index}].{field}", reason) from None

    def work(uow: UnitOfWork) -> dict[str, Any]:
        parties = uow.parties
        for field, code in (("shipper_code", shipper_code), ("consignee_code", consignee_code)):
            if code is not None and parties.party(code) is None:
                raise NotFound(field, f"no party {code!r}")
        if parties.consignment(booking_reference) is not None:
            raise Conflict("booking_reference", f"booking {booking_reference} already exists")
        row = tables.ConsignmentRow(
            booking_reference=booking_reference,
            shipper_code=shipper_code,
            consignee_code=consignee_code,
            origin=origin_code,
            destination=destination_code,
        )
        parties.add(row)
        lines = []
        for line in goods:
            goods_row = tables.GoodsLineRow(
                consignment_id=row.id,
                hs_code=str(HSCode(line.hs_code)),
                description=line.description,
                packages=line.packages,
                mass_kg=line.mass_kg,
                imdg_class=line.imdg_class,
                un_number=line.un_number,
                packing_group=line.packing_group,
            )
            parties.add(goods_row)
            lines.append(
                {
                    "id": goods_row.id,
                    "hs_code": goods_row.hs_code,
                    "mass_kg": line.mass_kg,
                    "imdg_class": line.imdg_class,
                }
            )
        view = {
            "booking_reference": booking_reference,
            "shipper_code": shipper_code,
            "consignee_code": consignee_code,
            "origin": origin_code,
            "destination": destination_code,
            "goods": lines,
        }
        subject_event(uow, EventType.CONSIGNMENT_CREATED, "consignment", booking_reference, actor, None, view)
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def assign_container(
    uow: UnitOfWork,
    actor: Actor,
    *,
    booking_reference: str,
    container: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Attach a container to a consignment: from then on the consignment's shipper can follow it."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container)
        if uow.parties.consignment(booking_reference) is None:
            raise NotFound("booking_reference", f"no booking {booking_reference!r}")
        if row.booking_reference is not None and row.booking_reference != booking_reference:
            raise Conflict("container", f"{row.number} already belongs to booking {row.booking_reference}")
        before = {**snapshot(row), "booking_reference": row.booking_reference}
        row.booking_reference = booking_reference
        row.version += 1
        uow.session.flush()
        container_event(uow, EventType.CONTAINER_ASSIGNED, row, actor, before, {"booking_reference": booking_reference})
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)
