"""Corrections of recorded facts: a container, a vessel visit, a train visit, a ship's master data.

Each is a ``*.corrected`` event with the values before and after and the reason; a field that cannot
change (identity, position, status) is a 422 naming it. The rules are in ``domain.corrections``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from landbridge.domain import corrections as rules
from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.identifiers import IMONumber
from landbridge.domain.rail import TrainStatus
from landbridge.domain.units import Direction
from landbridge.domain.visits import VesselVisitStatus
from landbridge.services import preconditions
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import container_view, execute, locked_container, subject_event
from landbridge.store import tables
from landbridge.store.repositories import EVERYTHING, Scope
from landbridge.store.unit_of_work import UnitOfWork


def _reason(reason: str) -> str:
    if not reason.strip():
        raise RuleViolation("reason", "say why the record is corrected")
    return reason.strip()


def _facts(row: tables.ContainerRow) -> rules.ContainerFacts:
    return rules.ContainerFacts(
        iso_type=row.iso_type,
        load_state=row.load_state,
        gross_mass_kg=row.gross_mass_kg,
        seals=tuple(row.seals or ()),
        reefer_setpoint_c=row.reefer_setpoint_c,
        booking_reference=row.booking_reference,
        position_kind=row.position_kind,
    )


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def correct_container(
    uow: UnitOfWork,
    actor: Actor,
    *,
    container: str,
    changes: Mapping[str, Any],
    reason: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Correct a box's gross mass, full/empty, ISO type, seals, reefer set point or booking."""
    why = _reason(reason)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container)
        before = _facts(row)
        after = rules.corrected_container(before, changes)
        booking = after.booking_reference
        if booking is not None and booking != before.booking_reference and uow.parties.consignment(booking) is None:
            raise NotFound("booking_reference", f"no booking {booking!r}")
        row.iso_type, row.load_state, row.gross_mass_kg = after.iso_type, after.load_state, after.gross_mass_kg
        row.seals, row.reefer_setpoint_c = list(after.seals), after.reefer_setpoint_c
        row.booking_reference = after.booking_reference
        row.version += 1
        uow.session.flush()
        old, new = _changed(before.as_dict(), after.as_dict())
        subject_event(uow, EventType.CONTAINER_CORRECTED, "container", row.number, actor, old, {**new, "reason": why})
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def _visit_facts(row: tables.VesselVisitRow) -> dict[str, Any]:
    return {
        "eta": row.eta.isoformat() if row.eta else None,
        "etb": row.etb.isoformat() if row.etb else None,
        "etd": row.etd.isoformat() if row.etd else None,
        "imo_number": row.imo_number,
        "vessel_name": row.vessel_name,
    }


def correct_vessel_visit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    changes: Mapping[str, Any],
    reason: str,
    scope: Scope = EVERYTHING,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Correct a call's ETA/ETB/ETD, or (while announced) which ship it is (IMO and name); a line: its own call."""
    why = _reason(reason)
    rules.check_fields(changes, rules.VESSEL_VISIT_FIELDS, rules.VESSEL_VISIT_FIXED)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        from landbridge.services.operations.vessel import check_visible_visit, ensure_vessel, visit_view

        check_visible_visit(uow, reference, scope, actor)
        row = uow.vessels.get(reference, lock=True)
        if row is None:
            raise NotFound("reference", f"no vessel visit {reference!r}")
        preconditions.check("vessel_visit", row.reference, lambda: preconditions.vessel_visit_etag(row))
        before = _visit_facts(row)
        for name in ("eta", "etb", "etd"):
            if name in changes:
                value = changes[name]
                if value is not None and not isinstance(value, datetime):
                    raise RuleViolation(name, "a time with its offset")
                if name == "eta" and value is None:
                    raise RuleViolation("eta", "a call always has an ETA")
                setattr(row, name, value)
        if "imo_number" in changes or "vessel_name" in changes:
            if row.status != VesselVisitStatus.ANNOUNCED.value:
                raise RuleViolation(
                    next(n for n in ("imo_number", "vessel_name") if n in changes),
                    f"visit {reference} is {row.status}; which ship it is can be corrected only while announced",
                )
            imo = changes.get("imo_number", row.imo_number)
            name = changes.get("vessel_name", row.vessel_name)
            if imo is not None:
                imo = str(IMONumber(str(imo)))
                ship = ensure_vessel(uow, actor, imo, str(name), rename=("vessel_name" in changes))
                name = ship.name
            row.imo_number, row.vessel_name = imo, str(name)
        uow.session.flush()
        old, new = _changed(before, _visit_facts(row))
        if not new:
            raise RuleViolation(next(iter(changes)), "the correction changes nothing")
        subject_event(
            uow, EventType.VESSEL_VISIT_CORRECTED, "vessel_visit", reference, actor, old, {**new, "reason": why}
        )
        return visit_view(row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def correct_train_visit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    changes: Mapping[str, Any],
    reason: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Correct a train's route, direction or track while it is at the base (announced or loading)."""
    why = _reason(reason)
    rules.check_fields(changes, rules.TRAIN_VISIT_FIELDS, rules.TRAIN_VISIT_FIXED)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        from landbridge.services.operations.rail import train_view

        row = uow.rail.train(reference, lock=True)
        if row is None:
            raise NotFound("reference", f"no train visit {reference!r}")
        preconditions.check("train", row.reference, lambda: preconditions.train_etag(uow, row))
        if row.status not in (TrainStatus.ANNOUNCED.value, TrainStatus.LOADING.value):
            raise RuleViolation(next(iter(changes)), f"train {reference} is {row.status}; correct it while at the base")
        before = {"route_code": row.route_code, "direction": row.direction, "track_code": row.track_code}
        if "route_code" in changes:
            if uow.rail.route(str(changes["route_code"])) is None:
                raise NotFound("route_code", f"no route {changes['route_code']!r}")
            row.route_code = str(changes["route_code"])
        if "direction" in changes:
            row.direction = Direction(changes["direction"]).value
        if "track_code" in changes:
            code = changes["track_code"]
            if code is not None:
                track = uow.rail.track(str(code))
                if track is None:
                    raise NotFound("track_code", f"no track {code!r}")
                if track.gauge_mm != row.gauge_mm:
                    raise RuleViolation("track_code", f"track {code} is {track.gauge_mm} mm")
                types = uow.rail.wagon_types()
                length_m = sum(types[w.wagon_type_code].length_m for w in uow.rail.wagons(reference))
                if length_m > track.length_m:
                    raise RuleViolation(
                        "track_code", f"train length {length_m:.1f} m exceeds track {track.length_m:g} m"
                    )
                other = uow.rail.track_in_use(str(code), reference)
                if other is not None:
                    raise RuleViolation("track_code", f"track {code} is taken by train {other}")
            row.track_code = None if code is None else str(code)
        uow.session.flush()
        after = {"route_code": row.route_code, "direction": row.direction, "track_code": row.track_code}
        old, new = _changed(before, after)
        if not new:
            raise RuleViolation(next(iter(changes)), "the correction changes nothing")
        subject_event(uow, EventType.TRAIN_CORRECTED, "train_visit", reference, actor, old, {**new, "reason": why})
        return train_view(uow, row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)
