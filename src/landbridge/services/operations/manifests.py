"""Visit lists: set and change a ship's discharge and load lists and a train's planned boxes.

The discharge, the vessel load and the rail load call :func:`check_listed` in their transaction. The
interchange (COPRAR, BAPLIE, CSV) fills the lists through :func:`set_discharge_list`,
:func:`set_load_list`, :func:`set_planned_boxes` and :func:`add_to_list`; each is one command with
its own event (``manifest.set`` / ``manifest.changed``) on the visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.manifests import (
    ListKind,
    ManifestEntry,
    VisitKind,
    checked_entries,
    list_name,
)
from landbridge.domain.manifests import (
    check_listed as check_on_list,
)
from landbridge.domain.rail import TrainStatus
from landbridge.domain.visits import VesselVisitStatus
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import acting_scope, execute, subject_event
from landbridge.services.operations.vgm import hold_until_vgm, release_vgm_wait
from landbridge.store import tables
from landbridge.store.repositories import EVERYTHING, Scope
from landbridge.store.unit_of_work import UnitOfWork


def entry_view(row: tables.ManifestEntryRow) -> dict[str, Any]:
    """One entry of a list as JSON."""
    return {"container": row.container_number, "iso_type": row.iso_type, "gross_mass_kg": row.gross_mass_kg}


def _lock_visit(uow: UnitOfWork, actor: Actor, visit_kind: VisitKind, visit: str, scope: Scope = EVERYTHING) -> None:
    """Lock the visit (lists change under its lock, so a load cannot slip past a removal).

    A line (a party-scoped caller) changes only the lists of the calls it operates; another call is 404.
    """
    if visit_kind is VisitKind.VESSEL:
        scope = acting_scope(actor, scope)
        if not scope.everything and uow.vessels.get_visible(visit, scope) is None:
            raise NotFound("reference", f"no vessel visit {visit!r}")
        row = uow.vessels.get(visit, lock=True)
        if row is None:
            raise NotFound("reference", f"no vessel visit {visit!r}")
        if row.status == VesselVisitStatus.DEPARTED.value:
            raise RuleViolation("reference", f"vessel visit {visit} has departed; its lists are closed")
        return
    train = uow.rail.train(visit, lock=True)
    if train is None:
        raise NotFound("reference", f"no train visit {visit!r}")
    if train.status not in (TrainStatus.ANNOUNCED.value, TrainStatus.LOADING.value):
        raise RuleViolation("reference", f"train {visit} is {train.status}; its planned boxes are closed")


def _rows(
    actor: Actor, visit_kind: VisitKind, visit: str, list_kind: ListKind, entries: Sequence[ManifestEntry]
) -> list[tables.ManifestEntryRow]:
    return [
        tables.ManifestEntryRow(
            visit_kind=visit_kind.value,
            visit_reference=visit,
            list_kind=list_kind.value,
            container_number=entry.container,
            iso_type=entry.iso_type,
            gross_mass_kg=entry.gross_mass_kg,
            added_by=actor.name,
        )
        for entry in entries
    ]


def _answer(uow: UnitOfWork, visit_kind: VisitKind, visit: str, list_kind: ListKind) -> dict[str, Any]:
    return {
        "visit": visit,
        "visit_kind": visit_kind.value,
        "list_kind": list_kind.value,
        "name": list_name(visit_kind, list_kind),
        "entries": [entry_view(row) for row in uow.manifests.entries(visit_kind.value, visit, list_kind.value)],
    }


def _vgm_waits(
    uow: UnitOfWork,
    actor: Actor,
    visit_kind: VisitKind,
    visit: str,
    list_kind: ListKind,
    added: list[str],
    removed: list[str],
) -> None:
    """A ship's load list holds its packed boxes until their VGM is declared (the automatic
    ``vgm_missing`` hold, SOLAS VI/2); a box taken off the list is no longer held for it."""
    if (visit_kind, list_kind) != (VisitKind.VESSEL, ListKind.LOAD):
        return
    hold_until_vgm(uow, actor, added)
    release_vgm_wait(uow, actor, removed, f"taken off the load list of {visit}")


def replace_list(
    uow: UnitOfWork,
    actor: Actor,
    visit_kind: VisitKind,
    visit: str,
    list_kind: ListKind,
    entries: Sequence[ManifestEntry],
    scope: Scope = EVERYTHING,
) -> dict[str, Any]:
    """Replace a visit's list inside an open command (the caller's transaction); appends ``manifest.set``."""
    what = list_name(visit_kind, list_kind)
    checked = checked_entries(entries)
    _lock_visit(uow, actor, visit_kind, visit, scope)
    before = [row.container_number for row in uow.manifests.entries(visit_kind.value, visit, list_kind.value)]
    uow.manifests.remove(visit_kind.value, visit, list_kind.value)
    uow.manifests.add(_rows(actor, visit_kind, visit, list_kind, checked))
    answer = _answer(uow, visit_kind, visit, list_kind)
    after = [e.container for e in checked]
    subject_event(
        uow,
        EventType.MANIFEST_SET,
        visit_kind.value,
        visit,
        actor,
        {"list": list_kind.value, "containers": before},
        {"list": list_kind.value, "name": what, "containers": after},
    )
    _vgm_waits(uow, actor, visit_kind, visit, list_kind, added=after, removed=[n for n in before if n not in after])
    return answer


def add_entries(
    uow: UnitOfWork,
    actor: Actor,
    visit_kind: VisitKind,
    visit: str,
    list_kind: ListKind,
    entries: Sequence[ManifestEntry],
    reason: str,
    scope: Scope = EVERYTHING,
) -> dict[str, Any]:
    """Add boxes to a list inside an open command (boxes already on it are kept); appends ``manifest.changed``."""
    what = list_name(visit_kind, list_kind)
    checked = checked_entries(entries)
    _lock_visit(uow, actor, visit_kind, visit, scope)
    listed = {row.container_number for row in uow.manifests.entries(visit_kind.value, visit, list_kind.value)}
    new = [entry for entry in checked if entry.container not in listed]
    if new:
        uow.manifests.add(_rows(actor, visit_kind, visit, list_kind, new))
        subject_event(
            uow,
            EventType.MANIFEST_CHANGED,
            visit_kind.value,
            visit,
            actor,
            None,
            {"list": list_kind.value, "name": what, "added": [e.container for e in new], "reason": reason},
        )
        _vgm_waits(uow, actor, visit_kind, visit, list_kind, added=[e.container for e in new], removed=[])
    return _answer(uow, visit_kind, visit, list_kind)


def set_list(
    uow: UnitOfWork,
    actor: Actor,
    *,
    visit_kind: VisitKind,
    visit: str,
    list_kind: ListKind,
    entries: Sequence[ManifestEntry],
    scope: Scope = EVERYTHING,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Replace any of a visit's lists (see the three named functions below); a line: its own calls'."""
    return execute(
        uow,
        actor,
        lambda uow: replace_list(uow, actor, visit_kind, visit, list_kind, entries, scope),
        idempotency=idempotency,
        occurred_at=occurred_at,
    )


def set_discharge_list(
    uow: UnitOfWork,
    actor: Actor,
    *,
    visit: str,
    entries: Sequence[ManifestEntry],
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Replace a vessel visit's discharge list (the boxes it will bring)."""
    return execute(
        uow,
        actor,
        lambda uow: replace_list(uow, actor, VisitKind.VESSEL, visit, ListKind.DISCHARGE, entries),
        idempotency=idempotency,
        occurred_at=occurred_at,
    )


def set_load_list(
    uow: UnitOfWork,
    actor: Actor,
    *,
    visit: str,
    entries: Sequence[ManifestEntry],
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Replace a vessel visit's load list (the boxes it will take)."""
    return execute(
        uow,
        actor,
        lambda uow: replace_list(uow, actor, VisitKind.VESSEL, visit, ListKind.LOAD, entries),
        idempotency=idempotency,
        occurred_at=occurred_at,
    )


def set_planned_boxes(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    entries: Sequence[ManifestEntry],
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Replace a train visit's planned boxes (the boxes it will take)."""
    return execute(
        uow,
        actor,
        lambda uow: replace_list(uow, actor, VisitKind.TRAIN, train, ListKind.LOAD, entries),
        idempotency=idempotency,
        occurred_at=occurred_at,
    )


def add_to_list(
    uow: UnitOfWork,
    actor: Actor,
    *,
    visit_kind: VisitKind,
    visit: str,
    list_kind: ListKind,
    entries: Sequence[ManifestEntry],
    reason: str,
    scope: Scope = EVERYTHING,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """The planner adds boxes to a list (a box not declared by the line or the railway), with a reason."""
    return execute(
        uow,
        actor,
        lambda uow: add_entries(uow, actor, visit_kind, visit, list_kind, entries, reason, scope),
        idempotency=idempotency,
        occurred_at=occurred_at,
    )


def remove_from_list(
    uow: UnitOfWork,
    actor: Actor,
    *,
    visit_kind: VisitKind,
    visit: str,
    list_kind: ListKind,
    containers: Sequence[str],
    reason: str,
    scope: Scope = EVERYTHING,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Take boxes off a list (they stay where they are), with a reason; a box not on it is 422."""
    what = list_name(visit_kind, list_kind)
    checked = [entry.container for entry in checked_entries([ManifestEntry(c) for c in containers], "containers")]

    def work(uow: UnitOfWork) -> dict[str, Any]:
        _lock_visit(uow, actor, visit_kind, visit, scope)
        listed = {row.container_number for row in uow.manifests.entries(visit_kind.value, visit, list_kind.value)}
        for index, number in enumerate(checked):
            if number not in listed:
                raise RuleViolation(f"containers[{index}]", f"{number} is not on the {what} of {visit}")
        uow.manifests.remove(visit_kind.value, visit, list_kind.value, checked)
        subject_event(
            uow,
            EventType.MANIFEST_CHANGED,
            visit_kind.value,
            visit,
            actor,
            {"list": list_kind.value, "containers": checked},
            {"list": list_kind.value, "name": what, "removed": checked, "reason": reason},
        )
        _vgm_waits(uow, actor, visit_kind, visit, list_kind, added=[], removed=checked)
        return _answer(uow, visit_kind, visit, list_kind)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def list_of(
    uow: UnitOfWork, visit_kind: VisitKind, visit: str, list_kind: ListKind, scope: Scope = EVERYTHING
) -> dict[str, Any]:
    """A visit's list (404 for an unknown visit, or a call the scope may not see)."""
    list_name(visit_kind, list_kind)
    with uow:
        exists = uow.vessels.get_visible(visit, scope) if visit_kind is VisitKind.VESSEL else uow.rail.train(visit)
        if exists is None:
            raise NotFound("reference", f"no {visit_kind.value.replace('_', ' ')} {visit!r}")
        return _answer(uow, visit_kind, visit, list_kind)


def check_listed(
    uow: UnitOfWork, visit_kind: VisitKind, visit: str, list_kind: ListKind, number: str, field: str = "container"
) -> None:
    """Refuse (422) a box that is not on the visit's list; the planner adds it first."""
    if not uow.manifests.is_listed(visit_kind.value, visit, list_kind.value, number):
        check_on_list((), number, list_name(visit_kind, list_kind), visit, field)
