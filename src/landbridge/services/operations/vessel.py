"""Vessel visits: announce, berth, discharge a container (into the yard), load one, depart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from landbridge.domain.containers import PositionKind
from landbridge.domain.errors import Conflict, Forbidden, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.identifiers import IMONumber
from landbridge.domain.visits import VesselVisitStatus
from landbridge.services.authz import Role
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import (
    container_event,
    container_view,
    execute,
    locked_container,
    peek_version,
    set_position,
    snapshot,
    subject_event,
)
from landbridge.services.operations.yard import put_in_yard, take_out_of_yard, yard_payload
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork


def visit_view(row: tables.VesselVisitRow) -> dict[str, Any]:
    """The JSON answer describing a vessel visit."""
    return {
        "reference": row.reference,
        "vessel_name": row.vessel_name,
        "imo_number": row.imo_number,
        "eta": row.eta.isoformat(),
        "etb": None if row.etb is None else row.etb.isoformat(),
        "berth_code": row.berth_code,
        "status": row.status,
        "operator_code": row.operator_code,
    }


def _visit(
    uow: UnitOfWork, reference: str, status: VesselVisitStatus | None = None, shared: bool = False
) -> tables.VesselVisitRow:
    # Discharges and loads share the visit's lock (they may run in parallel) but exclude a departure.
    row = uow.vessels.get(reference, lock=not shared, shared=shared)
    if row is None:
        raise NotFound("reference", f"no vessel visit {reference!r}")
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
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Announce a vessel call with its ETA and the shipping line operating it (a line announces its own)."""
    imo = None if imo_number is None else str(IMONumber(imo_number))
    operator = _operator(actor, operator_code)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        vessels = uow.vessels
        if vessels.get(reference) is not None:
            raise Conflict("reference", f"vessel visit {reference} already exists")
        if operator is not None and uow.parties.party(operator) is None:
            raise NotFound("operator_code", f"no party {operator!r}")
        row = tables.VesselVisitRow(
            reference=reference,
            vessel_name=vessel_name,
            imo_number=imo,
            eta=eta,
            status=VesselVisitStatus.ANNOUNCED,
            operator_code=operator,
        )
        vessels.add(row)
        view = visit_view(row)
        subject_event(uow, EventType.VESSEL_ANNOUNCED, "vessel_visit", reference, actor, None, view)
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency)


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
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Bring an announced vessel alongside a free berth."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        vessels = uow.vessels
        row = _visit(uow, reference, VesselVisitStatus.ANNOUNCED)
        if vessels.berth(berth_code, lock=True) is None:
            raise NotFound("berth_code", f"no berth {berth_code!r}")
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

    return execute(uow, actor, work, idempotency=idempotency)


def discharge_container(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    container: str,
    slot: str | None = None,
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

    return execute(uow, actor, work, idempotency=idempotency)


def load_container_on_vessel(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    container: str,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Load a container from the yard onto a berthed vessel."""

    seen = peek_version(uow, container)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container, seen_version=seen)
        visit = _visit(uow, reference, VesselVisitStatus.BERTHED, shared=True)
        if row.position_kind not in (PositionKind.YARD.value, PositionKind.TRUCK.value):
            raise RuleViolation("container", f"{row.number} is {row.position_kind}; only yard or truck boxes load")
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

    return execute(uow, actor, work, idempotency=idempotency)


def depart_vessel(
    uow: UnitOfWork, actor: Actor, *, reference: str, idempotency: IdempotencyKey | None = None
) -> Outcome:
    """The vessel leaves its berth; every box on board is recorded as departed with it."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        visit = _visit(uow, reference, VesselVisitStatus.BERTHED)
        before = visit_view(visit)
        visit.status = VesselVisitStatus.DEPARTED.value
        on_board = uow.containers.in_position(PositionKind.VESSEL.value, reference)
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

    return execute(uow, actor, work, idempotency=idempotency)
