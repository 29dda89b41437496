"""Vessel visits: announce, berth, discharge a container (into the yard), load one, depart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from landbridge.domain.containers import PositionKind
from landbridge.domain.corrections import VESSEL_FIELDS, VESSEL_FIXED, check_fields
from landbridge.domain.errors import Conflict, Forbidden, NotFound, RuleViolation
from landbridge.domain.events import EventType, as_utc
from landbridge.domain.holds import Exit
from landbridge.domain.identifiers import IMONumber
from landbridge.domain.manifests import ListKind, VisitKind
from landbridge.domain.units import Mode
from landbridge.domain.visits import VesselVisitStatus, check_berth_fit
from landbridge.services import preconditions
from landbridge.services.authz import Role
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import (
    acting_scope,
    container_event,
    container_view,
    execute,
    locked_container,
    peek_version,
    set_position,
    snapshot,
    subject_event,
)
from landbridge.services.operations.holds import check_exit
from landbridge.services.operations.manifests import check_listed
from landbridge.services.operations.routing import check_route_fit
from landbridge.services.operations.vgm import check_for_vessel
from landbridge.services.operations.yard import put_in_yard, take_out_of_yard, yard_payload
from landbridge.store import tables
from landbridge.store.repositories import EVERYTHING, Scope
from landbridge.store.unit_of_work import UnitOfWork


def visit_view(row: tables.VesselVisitRow) -> dict[str, Any]:
    """The JSON answer describing a vessel visit."""
    return {
        "reference": row.reference,
        "vessel_name": row.vessel_name,
        "imo_number": row.imo_number,
        "eta": as_utc(row.eta).isoformat(),
        "etb": None if row.etb is None else as_utc(row.etb).isoformat(),
        "etd": None if row.etd is None else as_utc(row.etd).isoformat(),
        "berth_code": row.berth_code,
        "status": row.status,
        "operator_code": row.operator_code,
    }


def vessel_view(row: tables.VesselRow) -> dict[str, Any]:
    """The JSON answer describing a ship's master data."""
    return {
        "imo_number": row.imo_number,
        "name": row.name,
        "call_sign": row.call_sign,
        "loa_m": row.loa_m,
        "beam_m": row.beam_m,
        "draft_m": row.draft_m,
        "operator": row.operator,
    }


def ensure_vessel(uow: UnitOfWork, actor: Actor, imo: str, name: str, rename: bool = True) -> tables.VesselRow:
    """The ship with this IMO number, recorded if new; a different name is recorded as a rename (not a new ship)."""
    ship = uow.vessels.vessel(imo, lock=True)
    if ship is None:
        ship = tables.VesselRow(imo_number=imo, name=name)
        uow.vessels.add_vessel(ship)
        subject_event(uow, EventType.VESSEL_REGISTERED, "vessel", imo, actor, None, vessel_view(ship))
    elif rename and ship.name != name:
        before = {"name": ship.name}
        ship.name = name
        uow.session.flush()
        subject_event(
            uow, EventType.VESSEL_DATA_CORRECTED, "vessel", imo, actor, before, {"name": name, "reason": "renamed"}
        )
    return ship


def register_vessel(
    uow: UnitOfWork,
    actor: Actor,
    *,
    imo_number: str,
    name: str,
    call_sign: str | None = None,
    loa_m: float | None = None,
    beam_m: float | None = None,
    draft_m: float | None = None,
    operator: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Record a ship's master data (409 if its IMO number is known: correct it instead)."""
    imo = str(IMONumber(imo_number))
    _check_dimensions(loa_m=loa_m, beam_m=beam_m, draft_m=draft_m)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        if uow.vessels.vessel(imo) is not None:
            raise Conflict("imo_number", f"IMO {imo} is already known; correct its data with PATCH /vessels/{imo}")
        ship = tables.VesselRow(
            imo_number=imo,
            name=name,
            call_sign=call_sign,
            loa_m=loa_m,
            beam_m=beam_m,
            draft_m=draft_m,
            operator=operator,
        )
        uow.vessels.add_vessel(ship)
        view = vessel_view(ship)
        subject_event(uow, EventType.VESSEL_REGISTERED, "vessel", imo, actor, None, view)
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def _check_dimensions(**values: float | None) -> None:
    for field, value in values.items():
        if value is not None and not 0 < value <= 500:
            raise RuleViolation(field, f"{value} m is not a ship dimension (0–500 m)")


def correct_vessel(
    uow: UnitOfWork,
    actor: Actor,
    *,
    imo_number: str,
    changes: dict[str, Any],
    reason: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Correct a ship's master data (a new name is a rename of the same ship); the IMO number cannot change.
    A line corrects only a ship it operates a call of (403 otherwise)."""
    check_fields(changes, VESSEL_FIELDS, VESSEL_FIXED)
    _check_dimensions(**{k: v for k, v in changes.items() if k in ("loa_m", "beam_m", "draft_m")})
    if not reason.strip():
        raise RuleViolation("reason", "say why the record is corrected")
    imo = str(IMONumber(imo_number))

    def work(uow: UnitOfWork) -> dict[str, Any]:
        ship = uow.vessels.vessel(imo, lock=True)
        if ship is None:
            raise NotFound("imo_number", f"no vessel with IMO {imo}")
        scope = acting_scope(actor, EVERYTHING)
        if not scope.everything and not any(v.imo_number == imo for v in uow.vessels.all(scope)):
            # Ships are shared master data (every line reads them): a line corrects a ship it runs a call of.
            raise Forbidden("imo_number", f"only the hub or a line operating a call of IMO {imo} corrects its data")
        before = vessel_view(ship)
        for name, value in changes.items():
            if name == "name" and not value:
                raise RuleViolation("name", "a ship has a name")
            setattr(ship, name, value)
        uow.session.flush()
        after = vessel_view(ship)
        changed = [k for k in after if after[k] != before[k]]
        if not changed:
            raise RuleViolation(next(iter(changes)), "the correction changes nothing")
        subject_event(
            uow,
            EventType.VESSEL_DATA_CORRECTED,
            "vessel",
            imo,
            actor,
            {k: before[k] for k in changed},
            {**{k: after[k] for k in changed}, "reason": reason.strip()},
        )
        return after

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def check_visible_visit(uow: UnitOfWork, reference: str, scope: Scope, actor: Actor | None = None) -> None:
    """A party-scoped caller (a line) acts only on the calls it operates: any other is 404, as unknown."""
    if actor is not None:
        scope = acting_scope(actor, scope)
    if not scope.everything and uow.vessels.get_visible(reference, scope) is None:
        raise NotFound("reference", f"no vessel visit {reference!r}")


def _visit(
    uow: UnitOfWork, reference: str, status: VesselVisitStatus | None = None, shared: bool = False
) -> tables.VesselVisitRow:
    # Discharges and loads share the visit's lock (they may run in parallel) but exclude a departure.
    row = uow.vessels.get(reference, lock=not shared, shared=shared)
    if row is None:
        raise NotFound("reference", f"no vessel visit {reference!r}")
    preconditions.check("vessel_visit", row.reference, lambda: preconditions.vessel_visit_etag(row))
    if status is not None and row.status != status.value:
        raise RuleViolation("status", f"vessel visit {reference} is {row.status}, not {status.value}")
    return row


def announce_vessel(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    vessel_name: str,
    eta: datetime,
    imo_number: str | None = None,
    operator_code: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Announce a vessel call with its ETA and the shipping line operating it (a line announces its own);
    with an IMO number the ship is recorded (or renamed) in master data."""
    imo = None if imo_number is None else str(IMONumber(imo_number))
    operator = _operator(actor, operator_code)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        vessels = uow.vessels
        if vessels.get(reference) is not None:
            raise Conflict("reference", f"vessel visit {reference} already exists")
        if operator is not None and uow.parties.party(operator) is None:
            raise NotFound("operator_code", f"no party {operator!r}")
        name = vessel_name if imo is None else ensure_vessel(uow, actor, imo, vessel_name).name
        row = tables.VesselVisitRow(
            reference=reference,
            vessel_name=name,
            imo_number=imo,
            eta=eta,
            status=VesselVisitStatus.ANNOUNCED,
            operator_code=operator,
        )
        vessels.add(row)
        view = visit_view(row)
        subject_event(uow, EventType.VESSEL_ANNOUNCED, "vessel_visit", reference, actor, None, view)
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def _operator(actor: Actor, operator_code: str | None) -> str | None:
    """The operating line of a new call: a shipping line user's own party, else the one named (or none)."""
    if actor.role != Role.SHIPPING_LINE:
        return operator_code
    if operator_code is not None and operator_code != actor.party:
        raise Forbidden("operator_code", "a shipping line announces only the calls it operates")
    return actor.party


def berth_vessel(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    berth_code: str,
    etb: datetime,
    scope: Scope = EVERYTHING,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Bring an announced vessel alongside a free berth (a line: only a call it operates)."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        check_visible_visit(uow, reference, scope, actor)
        vessels = uow.vessels
        row = _visit(uow, reference, VesselVisitStatus.ANNOUNCED)
        berth = vessels.berth(berth_code, lock=True)
        if berth is None:
            raise NotFound("berth_code", f"no berth {berth_code!r}")
        ship = None if row.imo_number is None else vessels.vessel(row.imo_number)
        if ship is not None:
            check_berth_fit(ship.name, ship.loa_m, ship.draft_m, berth.code, berth.length_m, berth.depth_m)
        occupant = vessels.berthed_at(berth_code)
        if occupant is not None:
            raise Conflict("berth_code", f"berth {berth_code} is taken by {occupant.reference}")
        before = visit_view(row)
        row.berth_code, row.etb, row.status = berth_code, etb, VesselVisitStatus.BERTHED.value
        uow.session.flush()
        view = visit_view(row)
        subject_event(
            uow,
            EventType.VESSEL_BERTHED,
            "vessel_visit",
            reference,
            actor,
            before,
            view,
            location=f"berth {berth_code}",
        )
        return view

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def discharge_container(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    container: str,
    slot: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Discharge a container from a berthed vessel into the yard (slot proposed when not given)."""

    seen = peek_version(uow, container)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container, seen_version=seen)
        visit = _visit(uow, reference, VesselVisitStatus.BERTHED, shared=True)
        kind = PositionKind(row.position_kind)
        on_this_vessel = kind is PositionKind.VESSEL and row.position_reference == reference
        if kind is not PositionKind.ANNOUNCED and not on_this_vessel:
            raise Conflict("container", f"{row.number} is not on board {reference} (it is {row.position_kind})")
        check_listed(uow, VisitKind.VESSEL, reference, ListKind.DISCHARGE, row.number)
        before = snapshot(row)
        placed = put_in_yard(uow, row, slot)
        container_event(
            uow,
            EventType.CONTAINER_DISCHARGED,
            row,
            actor,
            before,
            {**yard_payload(placed, row), "vessel_visit": reference},
            location=f"berth {visit.berth_code}",
        )
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def load_container_on_vessel(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    container: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Load a container from the yard onto a berthed vessel."""

    seen = peek_version(uow, container)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container, seen_version=seen)
        visit = _visit(uow, reference, VesselVisitStatus.BERTHED, shared=True)
        if row.position_kind not in (PositionKind.YARD.value, PositionKind.TRUCK.value):
            raise RuleViolation("container", f"{row.number} is {row.position_kind}; only yard or truck boxes load")
        check_listed(uow, VisitKind.VESSEL, reference, ListKind.LOAD, row.number)
        check_exit(uow, [row.number], Exit.VESSEL_LOAD, row.number)
        check_for_vessel(uow, row)
        check_route_fit(uow, row, Mode.VESSEL)
        before = snapshot(row)
        take_out_of_yard(uow, row)
        set_position(row, PositionKind.VESSEL, reference)
        container_event(
            uow,
            EventType.CONTAINER_LOADED_VESSEL,
            row,
            actor,
            before,
            {"vessel_visit": reference},
            location=f"berth {visit.berth_code}",
        )
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def depart_vessel(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    scope: Scope = EVERYTHING,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """The vessel leaves its berth; every box on board is recorded as departed with it (a line: its own call)."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        check_visible_visit(uow, reference, scope, actor)
        visit = _visit(uow, reference, VesselVisitStatus.BERTHED)
        before = visit_view(visit)
        on_board = uow.containers.in_position(PositionKind.VESSEL.value, reference)
        check_exit(uow, [r.number for r in on_board], Exit.VESSEL_DEPARTURE, f"vessel visit {reference}", "holds")
        visit.status = VesselVisitStatus.DEPARTED.value
        for row in on_board:
            prior = snapshot(row)
            set_position(row, PositionKind.DEPARTED, f"vessel {reference}")
            container_event(
                uow,
                EventType.VESSEL_DEPARTED,
                row,
                actor,
                prior,
                {"vessel_visit": reference},
                location=f"berth {visit.berth_code}",
            )
        uow.session.flush()
        view = {**visit_view(visit), "containers_on_board": [r.number for r in on_board]}
        subject_event(
            uow,
            EventType.VESSEL_DEPARTED,
            "vessel_visit",
            reference,
            actor,
            before,
            view,
            location=f"berth {visit.berth_code}",
        )
        return view

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)
