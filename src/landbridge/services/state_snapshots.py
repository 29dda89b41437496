"""State snapshots at archive boundaries: the log folded up to an instant, kept so replay can start there.

Why: ``db archive-events`` takes whole old months of the event log out of the database (to dump
files). Boxes that entered before the boundary are still at the base, so a replay of the log that is
left would start in the middle of their lives, and "TEU and grain conserved" would find boxes whose
registration is no longer in the log. A snapshot at the boundary is the state the log had folded to
at that instant — computed by the one fold ``db check`` uses (``services/operations/replay.replay``),
continued from the previous snapshot if there is one — with the number of events folded, the last
event id and a checksum of the state. ``db check`` then replays *snapshot + the events still
attached* (:func:`replay_with_snapshots`), and every snapshot whose boundary lies inside the attached
log is folded again and compared, so a snapshot that does not match its log is named.

A snapshot holds what that fold rebuilds: each box's position, the yard and wagon cells it filled,
whether its registration was folded, and its latest event (id, time); each grain lot's mass and silo.
Status, holds and masses are not events' fold state: they stay in the tables (checked by the other
invariants) and in the archived dumps (the audit trail of those months).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from landbridge.domain.errors import RuleViolation
from landbridge.services.actor import Actor
from landbridge.services.operations.common import execute
from landbridge.services.operations.replay import HubState, replay, restore_cells
from landbridge.store.partitioning import detached_months, next_month
from landbridge.store.snapshot_tables import StateSnapshotRow
from landbridge.store.unit_of_work import UnitOfWork

SNAPSHOT_ACTOR = "db snapshot"


@dataclass(frozen=True)
class SnapshotSummary:
    """A snapshot written (or found already there and matching): what it folded and what it holds."""

    boundary_at: datetime
    based_on: datetime | None
    boxes: int
    lots: int
    events_folded: int
    events_this_fold: int
    last_event_id: int
    checksum: str
    cpu_s: float
    already_there: bool


def checksum(state: HubState) -> str:
    """SHA-256 of the state in a canonical form (sorted lines): positions, cells, lots, registrations."""
    lines = [f"p|{number}|{kind}|{reference or ''}" for number, (kind, reference) in state.positions.items()]
    lines += [f"y|{block}|{bay}|{row}|{tier}|{number}" for (block, bay, row, tier), number in state.yard_cells.items()]
    lines += [f"w|{train}|{wagon}|{slot}|{half}|{n}" for (train, wagon, slot, half), n in state.wagon_cells.items()]
    lines += [f"l|{lot}|{mass_kg}|{silo or ''}" for lot, (mass_kg, silo) in state.lots.items()]
    lines += [f"r|{number}" for number in state.registered]
    lines.sort()
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def restore(uow: UnitOfWork, snapshot: StateSnapshotRow) -> HubState:
    """The state a snapshot keeps, rebuilt from its rows (compare :func:`checksum` with ``snapshot.checksum``)."""
    state = HubState(events_folded=snapshot.events_folded, last_event_id=snapshot.last_event_id)
    for box in uow.snapshots.boxes(snapshot.id):
        number = box.container_number
        if box.position_kind is not None:
            state.positions[number] = (box.position_kind, box.position_reference)
        yard = [(str(b), int(bay), int(row), int(tier)) for b, bay, row, tier in box.yard_cells or ()]
        wagon = [(str(t), str(w), int(slot), int(half)) for t, w, slot, half in box.wagon_cells or ()]
        restore_cells(state, number, yard, wagon)
        if box.registered:
            state.registered.add(number)
        if box.last_event_id is not None and box.last_event_at is not None:
            state.last_event[("container", number)] = (box.last_event_id, box.last_event_at)
    for lot in uow.snapshots.lots(snapshot.id):
        if lot.mass_kg is not None:
            state.lots[lot.reference] = (lot.mass_kg, lot.silo_code)
        if lot.last_event_id is not None and lot.last_event_at is not None:
            state.last_event[("grain_lot", lot.reference)] = (lot.last_event_id, lot.last_event_at)
    return state


def _box_rows(state: HubState) -> list[dict[str, Any]]:
    numbers = set(state.positions) | state.registered | set(state.yard_cells_of) | set(state.wagon_cells_of)
    numbers |= {subject for kind, subject in state.last_event if kind == "container"}
    rows = []
    for number in sorted(numbers):
        kind, reference = state.positions.get(number, (None, None))
        # Only the cells the box still fills: the rest of its index never changes the fold again.
        yard = [list(cell) for cell in state.yard_cells_of.get(number, ()) if state.yard_cells.get(cell) == number]
        wagon = [list(c) for c in state.wagon_cells_of.get(number, ()) if state.wagon_cells.get(c) == number]
        last_id, last_at = state.last_event.get(("container", number), (None, None))
        rows.append(
            {
                "container_number": number,
                "position_kind": kind,
                "position_reference": reference,
                "yard_cells": yard or None,
                "wagon_cells": wagon or None,
                "registered": number in state.registered,
                "last_event_id": last_id,
                "last_event_at": last_at,
            }
        )
    return rows


def _lot_rows(state: HubState) -> list[dict[str, Any]]:
    references = set(state.lots) | {subject for kind, subject in state.last_event if kind == "grain_lot"}
    rows = []
    for reference in sorted(references):
        mass_kg, silo = state.lots.get(reference, (None, None))
        last_id, last_at = state.last_event.get(("grain_lot", reference), (None, None))
        rows.append(
            {
                "reference": reference,
                "mass_kg": mass_kg,
                "silo_code": silo,
                "last_event_id": last_id,
                "last_event_at": last_at,
            }
        )
    return rows


def _missing_months(uow: UnitOfWork, since: datetime | None, before: datetime | None) -> list[str]:
    """Months whose events a fold over [since, before) would need but the log no longer holds (None: open)."""
    gone = [month.partition for month in uow.snapshots.archived_between(since, before)]
    for name, start in detached_months(uow.session.connection()):
        if (before is None or start < before) and (since is None or next_month(start) > since):
            gone.append(f"{name} (detached)")
    return gone


def _archived_before(uow: UnitOfWork, boundary: datetime) -> bool:
    """Whether the log before ``boundary`` is no longer whole (a month archived or detached)."""
    base = uow.snapshots.latest_before(boundary)
    return bool(_missing_months(uow, base.boundary_at if base is not None else None, boundary))


def _fold_to(uow: UnitOfWork, boundary: datetime) -> tuple[HubState, StateSnapshotRow | None]:
    """The state at ``boundary``: the latest earlier snapshot + the events between (or all before it)."""
    base = uow.snapshots.latest_before(boundary)
    since = base.boundary_at if base is not None else None
    missing = _missing_months(uow, since, boundary)
    if missing:
        raise RuleViolation(
            "at",
            f"the events of {', '.join(missing)} are not in the log and no snapshot covers them: restore "
            "them (pg_restore, ALTER TABLE events ATTACH PARTITION) or snapshot at an earlier boundary first",
        )
    state = HubState()
    if base is not None:
        state = restore(uow, base)
        if checksum(state) != base.checksum:
            raise RuleViolation(
                "at", f"the snapshot at {base.boundary_at:%Y-%m-%d %H:%M}Z no longer rebuilds its checksum"
            )
    events = uow.events.stream_for_replay(since=since, before=boundary, moments=True)
    return replay(events, state, latest_events=True), base


def _summary(
    row: StateSnapshotRow, base: StateSnapshotRow | None, folded_now: int, started: float, already_there: bool
) -> SnapshotSummary:
    return SnapshotSummary(
        boundary_at=row.boundary_at,
        based_on=base.boundary_at if base is not None else None,
        boxes=row.boxes,
        lots=row.lots,
        events_folded=row.events_folded,
        events_this_fold=folded_now,
        last_event_id=row.last_event_id,
        checksum=row.checksum,
        cpu_s=time.process_time() - started,
        already_there=already_there,
    )


def _mismatch(what: str, snapshot: StateSnapshotRow, state: HubState, digest: str) -> str | None:
    """How a snapshot differs from a fold of the log to its boundary (None: it matches)."""
    if snapshot.events_folded != state.events_folded:
        return f"{what}: the log before it has {state.events_folded:,} events, it folded {snapshot.events_folded:,}"
    if snapshot.last_event_id != state.last_event_id:
        return f"{what}: the last event before it is {state.last_event_id}, it says {snapshot.last_event_id}"
    if snapshot.checksum != digest:
        return f"{what}: the log folds to another state (checksum {digest[:12]}…, it says {snapshot.checksum[:12]}…)"
    return None


def take_snapshot(uow: UnitOfWork, boundary: datetime, *, now: datetime | None = None) -> SnapshotSummary:
    """Fold the log to ``boundary`` and keep the state (``landbridge db snapshot``; ``db archive-events`` first).

    A snapshot already at ``boundary`` is folded again and compared: a match is reported as already
    there, a mismatch refused (422 at ``at``) — archiving must not go on over a snapshot its log
    contradicts. Refused too: a naive or future boundary (events dated before it may still come), and
    a fold across months that are archived or detached without a snapshot covering them.
    """
    if boundary.tzinfo is None:
        raise RuleViolation("at", "give the boundary with its offset (UTC)")
    boundary = boundary.astimezone(UTC)
    if boundary > (now or datetime.now(UTC)):
        raise RuleViolation("at", f"{boundary:%Y-%m-%d %H:%M}Z is in the future: events dated before it may still come")
    started = time.process_time()

    def work(uow: UnitOfWork) -> SnapshotSummary:
        existing = uow.snapshots.at(boundary)
        if existing is not None and _archived_before(uow, boundary):
            # Its months are archived already (a second archive run): only its own rows can be checked.
            kept = restore(uow, existing)
            if checksum(kept) != existing.checksum:
                raise RuleViolation("at", f"the snapshot at {boundary:%Y-%m-%d %H:%M}Z no longer rebuilds its checksum")
            return _summary(existing, None, 0, started, already_there=True)
        state, base = _fold_to(uow, boundary)
        folded_now = state.events_folded - (base.events_folded if base is not None else 0)
        digest = checksum(state)
        if existing is not None:
            mismatch = _mismatch(f"the snapshot at {boundary:%Y-%m-%d %H:%M}Z", existing, state, digest)
            if mismatch is not None:
                raise RuleViolation("at", mismatch)
            return _summary(existing, base, folded_now, started, already_there=True)
        boxes, lots = _box_rows(state), _lot_rows(state)
        row = StateSnapshotRow(
            boundary_at=boundary,
            based_on_id=base.id if base is not None else None,
            last_event_id=state.last_event_id,
            events_folded=state.events_folded,
            boxes=len(boxes),
            lots=len(lots),
            checksum=digest,
            taken_at=datetime.now(UTC),
        )
        uow.snapshots.add(row, boxes, lots)
        return _summary(row, base, folded_now, started, already_there=False)

    summary: SnapshotSummary = execute(uow, Actor(SNAPSHOT_ACTOR, "admin"), work, attempts=1).body
    return summary


@dataclass
class SnapshotReplay:
    """``db check``'s replay: where it started, the state it folded to, and how the snapshots fared."""

    state: HubState
    started_from: datetime | None
    first_event_at: datetime | None
    snapshots_checked: int = 0
    problems: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        """One line for the operator: what the replay folded."""
        if self.started_from is None:
            return f"replay folded the whole log ({self.state.events_folded:,} events)"
        return (
            f"replay started from the snapshot at {self.started_from:%Y-%m-%d %H:%M}Z "
            f"(archived months before it) and folded {self.state.events_folded:,} events in all"
        )


def _check_snapshot(
    uow: UnitOfWork, snapshot: StateSnapshotRow, previous: StateSnapshotRow | None, report: SnapshotReplay
) -> None:
    """Fold the log from the previous snapshot to this one's boundary and compare (it lies in the attached log)."""
    start = restore(uow, previous) if previous is not None else HubState()
    since = previous.boundary_at if previous is not None else None
    state = replay(uow.events.stream_for_replay(since=since, before=snapshot.boundary_at), start)
    what = f"snapshot at {snapshot.boundary_at:%Y-%m-%d %H:%M}Z"
    mismatch = _mismatch(what, snapshot, state, checksum(state))
    if mismatch is not None:
        report.problems.append(mismatch)
    elif checksum(restore(uow, snapshot)) != snapshot.checksum:
        report.problems.append(f"{what}: its rows no longer rebuild its checksum (changed since it was taken)")
    report.snapshots_checked += 1


def replay_with_snapshots(uow: UnitOfWork) -> SnapshotReplay:
    """Replay for ``db check``: from the latest snapshot at or before the log's first attached event.

    Nothing archived: the whole log is folded, as before, and each snapshot inside it is checked
    against a fold to its boundary. After archiving: the snapshot at the archive boundary (its rows
    checked against its checksum) + the events still attached.
    """
    with uow:
        first = uow.events.first_moment()
        snapshots = uow.snapshots.all()
        earlier = [s for s in snapshots if first is None or s.boundary_at <= first]
        base = earlier[-1] if earlier else None
        report = SnapshotReplay(HubState(), base.boundary_at if base is not None else None, first)
        if base is not None:
            report.state = restore(uow, base)
            report.snapshots_checked += 1
            if checksum(report.state) != base.checksum:
                report.problems.append(
                    f"snapshot at {base.boundary_at:%Y-%m-%d %H:%M}Z: its rows no longer rebuild its checksum "
                    "(changed since it was taken)"
                )
        previous = base
        for snapshot in snapshots[len(earlier) :]:
            _check_snapshot(uow, snapshot, previous, report)
            previous = snapshot
        report.gaps = _missing_months(uow, report.started_from, None)
        since = base.boundary_at if base is not None else None
        replay(uow.events.stream_for_replay(since=since), report.state)
    return report
