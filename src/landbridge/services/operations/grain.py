"""Grain: receive a lot into a silo, transfer between silos, ship to a vessel or load into containers.

Mass is kept to the kilogram in a ledger (``grain_movements``): per owner, received = in stock +
shipped holds after every command. Silo capacity is checked with the silo row locked; owners and
crops are not mixed in a silo unless the silo allows mixing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from landbridge.domain.containers import PositionKind, check_gross_mass, mass_or_tare_kg
from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.grain import HopperWagon, Silo, StoredLot, check_fits, check_grain_berth, check_hopper_receipt
from landbridge.domain.identifiers import parse_wagon_number
from landbridge.domain.iso_types import size_type
from landbridge.domain.visits import VesselVisitStatus
from landbridge.services.containers import Actor
from landbridge.services.event_time import command_time
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import container_event, execute, locked_container, snapshot, subject_event
from landbridge.store import tables
from landbridge.store.repositories import GrainRepository, Scope
from landbridge.store.unit_of_work import UnitOfWork

SOURCE_KINDS = ("hopper_wagons", "containers")


@dataclass(frozen=True)
class ContainerFill:
    """How much of a lot goes into one container."""

    container: str
    mass_kg: int


def lot_view(row: tables.GrainLotRow) -> dict[str, Any]:
    """The JSON answer describing a lot."""
    return {
        "reference": row.reference,
        "owner_code": row.owner_code,
        "crop": row.crop,
        "grain_class": row.grain_class,
        "mass_kg": row.mass_kg,
        "moisture_pct": row.moisture_pct,
        "silo_code": row.silo_code,
    }


def _silo(grain: GrainRepository, code: str, field: str = "silo_code") -> tables.SiloRow:
    silo = grain.silo(code, lock=True)
    if silo is None:
        raise NotFound(field, f"no silo {code!r}")
    return silo


def _check_fits(grain: GrainRepository, silo: tables.SiloRow, owner: str, crop: str, mass_kg: int, field: str) -> None:
    stored = [StoredLot(lot.owner_code, lot.crop, lot.mass_kg) for lot in grain.lots_in(silo.code)]
    check_fits(Silo(silo.code, silo.capacity_kg, silo.allow_mixing), stored, owner, crop, mass_kg, field)


def _movement(
    grain: GrainRepository, lot: tables.GrainLotRow, kind: str, mass_kg: int, silo: str | None, counterpart: str | None
) -> None:
    grain.add(
        tables.GrainMovementRow(
            lot_reference=lot.reference,
            owner_code=lot.owner_code,
            kind=kind,
            mass_kg=mass_kg,
            silo_code=silo,
            counterpart=counterpart,
            occurred_at=command_time(),
        )
    )


def _lot_event(
    uow: UnitOfWork,
    event_type: EventType,
    lot: tables.GrainLotRow,
    actor: Actor,
    before: dict[str, Any] | None,
    extra: dict[str, Any],
) -> None:
    subject_event(
        uow, event_type, "grain_lot", lot.reference, actor, before, {**lot_view(lot), **extra}, location=lot.silo_code
    )


def receive_grain(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    owner_code: str,
    crop: str,
    grain_class: str,
    mass_kg: int,
    moisture_pct: float,
    silo_code: str,
    source_kind: str,
    sources: Sequence[str] = (),
    wagons: Sequence[HopperWagon] = (),
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Receive a lot into a silo from hopper wagons (each with the mass it brought, one gauge) or from
    bulk containers (emptied)."""
    if mass_kg <= 0:
        raise RuleViolation("mass_kg", "must be a positive whole number of kilograms")
    if source_kind not in SOURCE_KINDS:
        raise RuleViolation("source_kind", f"must be one of {', '.join(SOURCE_KINDS)}")
    gauge: int | None = None
    if source_kind == "hopper_wagons":
        if sources:
            raise RuleViolation("sources", "hopper wagons are listed in wagons, each with its mass_kg")
        gauge = check_hopper_receipt(wagons, mass_kg)
        sources = [str(parse_wagon_number(w.number)) for w in wagons]
    elif not sources:
        raise RuleViolation("sources", "name the containers the grain came in")
    elif wagons:
        raise RuleViolation("wagons", "a receipt from containers lists them in sources")

    def work(uow: UnitOfWork) -> dict[str, Any]:
        grain = uow.grain
        emptied: list[str] = []
        if source_kind != "hopper_wagons":
            for index, number in enumerate(sources):
                row = locked_container(uow, number, f"sources[{index}]")
                if row.load_state != "full" or row.position_kind in (
                    PositionKind.ANNOUNCED.value,
                    PositionKind.DEPARTED.value,
                    PositionKind.DELIVERED.value,
                ):
                    raise RuleViolation(f"sources[{index}]", f"{row.number} is not a laden box in the hub")
                before = snapshot(row)
                row.load_state, row.gross_mass_kg, row.version = "empty", None, row.version + 1
                container_event(uow, EventType.CONTAINER_STRIPPED, row, actor, before, {"grain_lot": reference})
                emptied.append(row.number)
        if uow.parties.party(owner_code) is None:
            raise NotFound("owner_code", f"no party {owner_code!r}")
        if grain.lot(reference) is not None:
            raise Conflict("reference", f"grain lot {reference} already exists")
        silo = _silo(grain, silo_code)
        _check_fits(grain, silo, owner_code, crop, mass_kg, "silo_code")
        lot = tables.GrainLotRow(
            reference=reference,
            owner_code=owner_code,
            crop=crop,
            grain_class=grain_class,
            mass_kg=mass_kg,
            moisture_pct=moisture_pct,
            silo_code=silo.code,
        )
        grain.add(lot)
        _movement(grain, lot, "received", mass_kg, silo.code, f"{source_kind}:{','.join(sources)}")
        _lot_event(
            uow,
            EventType.GRAIN_RECEIVED,
            lot,
            actor,
            None,
            {
                "received_kg": mass_kg,
                "source_kind": source_kind,
                "sources": list(sources),
                **(
                    {
                        "wagons": [{"number": n, "mass_kg": w.mass_kg} for n, w in zip(sources, wagons, strict=True)],
                        "gauge_mm": gauge,
                    }
                    if source_kind == "hopper_wagons"
                    else {}
                ),
            },
        )
        return lot_view(lot)

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def transfer_grain(
    uow: UnitOfWork,
    actor: Actor,
    *,
    lot: str,
    to_silo: str,
    mass_kg: int | None = None,
    new_reference: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Move a lot (or part of it, as a new lot) to another silo."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        grain = uow.grain
        source = grain.lot(lot, lock=True)
        if source is None:
            raise NotFound("lot", f"no grain lot {lot!r}")
        moved = source.mass_kg if mass_kg is None else mass_kg
        if not 0 < moved <= source.mass_kg:
            raise RuleViolation("mass_kg", f"lot {lot} holds {source.mass_kg} kg; cannot move {moved} kg")
        if source.silo_code == to_silo:
            raise RuleViolation("to_silo", f"lot {lot} is already in silo {to_silo}")
        for code in sorted({source.silo_code or "", to_silo} - {""}):
            _silo(grain, code, "to_silo" if code == to_silo else "lot")
        target_silo = _silo(grain, to_silo, "to_silo")
        _check_fits(grain, target_silo, source.owner_code, source.crop, moved, "to_silo")
        before = lot_view(source)
        from_silo = source.silo_code
        if moved == source.mass_kg:
            source.silo_code = to_silo
            moved_lot = source
        else:
            if new_reference is None:
                raise RuleViolation("new_reference", "a partial transfer creates a new lot: name it")
            if grain.lot(new_reference) is not None:
                raise Conflict("new_reference", f"grain lot {new_reference} already exists")
            source.mass_kg -= moved
            moved_lot = tables.GrainLotRow(
                reference=new_reference,
                owner_code=source.owner_code,
                crop=source.crop,
                grain_class=source.grain_class,
                mass_kg=moved,
                moisture_pct=source.moisture_pct,
                silo_code=to_silo,
            )
            grain.add(moved_lot)
        uow.session.flush()
        _movement(grain, source, "transfer_out", moved, from_silo, to_silo)
        _movement(grain, moved_lot, "transfer_in", moved, to_silo, from_silo)
        _lot_event(uow, EventType.GRAIN_TRANSFERRED, source, actor, before, {"moved_kg": moved, "to_silo": to_silo})
        if moved_lot is not source:
            _lot_event(
                uow,
                EventType.GRAIN_TRANSFERRED,
                moved_lot,
                actor,
                None,
                {"moved_kg": moved, "from_lot": lot, "from_silo": from_silo},
            )
        return {"lot": lot_view(source), "moved": lot_view(moved_lot), "moved_kg": moved}

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def ship_grain(
    uow: UnitOfWork,
    actor: Actor,
    *,
    lot: str,
    mass_kg: int,
    vessel_visit: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Load grain from a lot onto a berthed vessel."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        grain = uow.grain
        source = grain.lot(lot, lock=True)
        if source is None:
            raise NotFound("lot", f"no grain lot {lot!r}")
        visit = uow.vessels.get(vessel_visit, shared=True)
        if visit is None:
            raise NotFound("vessel_visit", f"no vessel visit {vessel_visit!r}")
        if visit.status != VesselVisitStatus.BERTHED.value:
            raise RuleViolation("vessel_visit", f"vessel visit {vessel_visit} is {visit.status}, not berthed")
        berth = uow.vessels.berth(visit.berth_code or "")
        check_grain_berth(visit.berth_code or "?", "container" if berth is None else berth.purpose)
        if not 0 < mass_kg <= source.mass_kg:
            raise RuleViolation("mass_kg", f"lot {lot} holds {source.mass_kg} kg; cannot ship {mass_kg} kg")
        before = lot_view(source)
        source.mass_kg -= mass_kg
        uow.session.flush()
        _movement(grain, source, "shipped", mass_kg, source.silo_code, f"vessel {vessel_visit}")
        _lot_event(
            uow, EventType.GRAIN_SHIPPED, source, actor, before, {"shipped_kg": mass_kg, "vessel_visit": vessel_visit}
        )
        return lot_view(source)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def load_grain_into_containers(
    uow: UnitOfWork,
    actor: Actor,
    *,
    lot: str,
    fills: list[ContainerFill],
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Fill empty boxes in the yard or CFS with grain from a lot (gross mass limit checked per box)."""
    if not fills:
        raise RuleViolation("containers", "name at least one container")

    def work(uow: UnitOfWork) -> dict[str, Any]:
        grain = uow.grain
        source = grain.lot(lot, lock=True)
        if source is None:
            raise NotFound("lot", f"no grain lot {lot!r}")
        total = sum(f.mass_kg for f in fills)
        if any(f.mass_kg <= 0 for f in fills) or total > source.mass_kg:
            raise RuleViolation("containers", f"lot {lot} holds {source.mass_kg} kg; cannot load {total} kg")
        before = lot_view(source)
        filled = []
        for index, fill in enumerate(fills):
            row = locked_container(uow, fill.container, f"containers[{index}].container")
            if row.load_state != "empty" or row.position_kind not in (PositionKind.YARD.value, PositionKind.CFS.value):
                raise RuleViolation(f"containers[{index}].container", f"{row.number} is not an empty box in the hub")
            _check_can_become_laden(uow, row, f"containers[{index}].container")
            gross = mass_or_tare_kg(None, row.iso_type) + fill.mass_kg
            check_gross_mass(gross, row.iso_type, f"containers[{index}].mass_kg")
            prior = snapshot(row)
            row.load_state, row.gross_mass_kg, row.version = "full", gross, row.version + 1
            container_event(uow, EventType.GRAIN_LOADED_CONTAINER, row, actor, prior, {"grain_lot": lot})
            _movement(grain, source, "shipped", fill.mass_kg, source.silo_code, f"container {row.number}")
            filled.append(row.number)
        source.mass_kg -= total
        uow.session.flush()
        _lot_event(
            uow, EventType.GRAIN_LOADED_CONTAINER, source, actor, before, {"shipped_kg": total, "containers": filled}
        )
        return {**lot_view(source), "containers": filled}

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def _check_can_become_laden(uow: UnitOfWork, row: tables.ContainerRow, field: str) -> None:
    """A box filled where it stands must keep its stack within the laden height, and not be a reefer."""
    iso = size_type(row.iso_type)
    if iso.is_reefer:
        raise RuleViolation(field, f"{row.number} is a reefer; grain goes in dry or bulk boxes")
    yard = uow.yard
    slot = yard.slot_of(row.number)
    if slot is None:
        return  # in the CFS
    block = yard.block(slot.block, lock=True)
    assert block is not None
    bays = {slot.bay - 1, slot.bay} if iso.length_ft >= 40 else {slot.bay}
    height = max(c.tier for c in yard.cells_in_block(slot.block) if c.row == slot.row and c.bay in bays)
    if height > block.max_tiers_full:
        raise RuleViolation(
            field,
            f"{row.number} stands in a stack {height} high; laden stacks in block "
            f"{block.code} stop at {block.max_tiers_full}",
        )


def lots(uow: UnitOfWork, scope: Scope, *, after: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Lots the scope may see, by reference (``limit`` after the reference ``after``)."""
    with uow:
        return [lot_view(row) for row in uow.grain.lots(scope, after=after, limit=limit)]


def lot(uow: UnitOfWork, scope: Scope, reference: str) -> dict[str, Any]:
    """One lot the scope may see (404 otherwise)."""
    with uow:
        row = uow.grain.lot(reference, scope)
        if row is None:
            raise NotFound("reference", f"no grain lot {reference!r}")
        return lot_view(row)


def balance(uow: UnitOfWork, scope: Scope) -> dict[str, dict[str, int]]:
    """Per owner the scope may see: received, shipped and in stock, to the kilogram."""
    with uow:
        return uow.grain.ledger(scope)
