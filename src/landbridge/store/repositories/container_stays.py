"""``container_stays`` kept in step with the container move events, in the transaction that appends them.

The event log's pairing (``reports.figures.stays``) is the rule: a move in opens a stay unless one is open,
a move out closes the open stay (otherwise it changes nothing), in order of ``occurred_at`` then event id.
A move dated at or after the box's latest move (the ordering rule makes that the normal case) is applied
to the box's latest stay; anything else — a box's first move, a move dated before its latest one — rebuilds
that box's stays from its own move events, so the table always equals the pairing of the log.
Only writers call this (``EventLog.append``/``append_many``); readers never repair it.

The twin loader's optimistic batches (``store/batched_unit_of_work.py``) defer it like their events
(:data:`DEFERRED_BOXES`): the hook only notes the boxes moved, and before the batch commits — or before
a statement of the batch reads ``container_stays`` — :func:`write_deferred_stays` rebuilds those boxes
from the log in three statements per 500 boxes. The rebuild is the pairing of the log, the rule the
per-move path keeps, so readers see the same table; the loader saves one read and one write per move
and no longer forces its deferred events out early at a box's first move (issue #19).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from landbridge.domain.events import Event, as_utc
from landbridge.reports.figures import MODE_IN, MODE_OUT, Record, stays
from landbridge.store import tables
from landbridge.store.report_tables import ContainerStayRow

MOVES = (*MODE_IN, *MODE_OUT)
"""The event types a stay is made of (moves in and out by sea, rail and road)."""
_MOVE_TYPES = frozenset(MOVES)

DEFERRED_BOXES = "landbridge_deferred_stays"
"""``session.info`` key: boxes whose stays are rebuilt from the log before the transaction commits (a set).

Set only by the loader's optimistic batches, together with the deferred events; see the module.
"""

_STAYS = cast(Table, ContainerStayRow.__table__)
_LATEST = (
    select(_STAYS.c.id, _STAYS.c.out_at, _STAYS.c.last_move_at)
    .where(_STAYS.c.box == bindparam("box"))
    .order_by(_STAYS.c.in_at.desc(), _STAYS.c.id.desc())
    .limit(1)
)
_OPEN = insert(_STAYS)
_CLOSE = (
    update(_STAYS)
    .where(_STAYS.c.id == bindparam("stay"))
    .values(out_mode=bindparam("mode"), out_at=bindparam("moment"), last_move_at=bindparam("moment"))
)
_TOUCH = update(_STAYS).where(_STAYS.c.id == bindparam("stay")).values(last_move_at=bindparam("moment"))
_MOVES_OF_BOX = (
    select(
        tables.EventRow.id,
        tables.EventRow.event_type,
        tables.EventRow.subject_type,
        tables.EventRow.occurred_at,
    )
    .where(tables.EventRow.subject_id == bindparam("box"), tables.EventRow.event_type.in_(MOVES))
    .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
)
_MOVES_OF_BOXES = (
    select(
        tables.EventRow.id,
        tables.EventRow.event_type,
        tables.EventRow.subject_type,
        tables.EventRow.subject_id,
        tables.EventRow.occurred_at,
    )
    .where(
        tables.EventRow.subject_id.in_(bindparam("boxes", expanding=True)),
        tables.EventRow.event_type.in_(MOVES),
    )
    .order_by(tables.EventRow.subject_id, tables.EventRow.occurred_at, tables.EventRow.id)
)
_DROP_BOXES = delete(_STAYS).where(_STAYS.c.box.in_(bindparam("boxes", expanding=True)))


def follow_moves(session: Session, events: Sequence[Event]) -> None:
    """Apply the container moves among ``events`` (already inserted, in this order) to ``container_stays``
    (in a transaction that defers them, note the boxes for :func:`write_deferred_stays`)."""
    deferred: set[str] | None = session.info.get(DEFERRED_BOXES)
    if deferred is not None:
        deferred.update(event.subject_id for event in events if event.event_type.value in _MOVE_TYPES)
        return
    rebuilt: set[str] = set()
    for event in events:
        kind = event.event_type.value
        if kind not in MODE_IN and kind not in MODE_OUT:
            continue
        box = event.subject_id
        if box in rebuilt:
            continue  # its rebuild read this event too
        moment = as_utc(event.occurred_at)
        latest = session.execute(_LATEST, {"box": box}).first()
        if latest is None or moment < as_utc(latest.last_move_at):
            rebuild_box(session, box)
            rebuilt.add(box)
        elif kind in MODE_IN and latest.out_at is not None:
            session.execute(_OPEN, [_row(box, MODE_IN[kind], moment, None, None, moment)])
        elif kind in MODE_OUT and latest.out_at is None:
            session.execute(_CLOSE, {"stay": latest.id, "mode": MODE_OUT[kind], "moment": moment})
        else:  # a second move in while here, or a move out while not here: the pairing ignores it
            session.execute(_TOUCH, {"stay": latest.id, "moment": moment})


def rebuild_box(session: Session, box: str) -> None:
    """Replace the box's stays with the pairing of its move events in the log."""
    records = [
        Record(event_id, kind, subject_type, box, as_utc(moment))
        for event_id, kind, subject_type, moment in session.execute(_MOVES_OF_BOX, {"box": box})
    ]
    session.execute(delete(_STAYS).where(_STAYS.c.box == box))
    rows = _stay_rows(box, records)
    if rows:
        session.execute(_OPEN, rows)


def write_deferred_stays(session: Session) -> None:
    """Rebuild the stays of the boxes a batch moved (:data:`DEFERRED_BOXES`) from the log, 500 boxes a statement.

    The batch's deferred events must be in the log first: the read goes through ``session.execute``,
    whose hook writes them (``store/batched_unit_of_work.py``)."""
    deferred: set[str] | None = session.info.get(DEFERRED_BOXES)
    if not deferred:
        return
    boxes = sorted(deferred)
    deferred.clear()
    for start in range(0, len(boxes), 500):
        part = boxes[start : start + 500]
        moves: dict[str, list[Record]] = {box: [] for box in part}
        for event_id, kind, subject_type, box, moment in session.execute(_MOVES_OF_BOXES, {"boxes": part}):
            moves[box].append(Record(event_id, kind, subject_type, box, as_utc(moment)))
        session.execute(_DROP_BOXES, {"boxes": part})
        rows = [row for box, records in moves.items() for row in _stay_rows(box, records)]
        if rows:
            session.execute(_OPEN, rows)


def _stay_rows(box: str, records: list[Record]) -> list[dict[str, Any]]:
    """The rows of the box's stays: the pairing of its move events (``records``, all of them)."""
    found = stays(records)
    if not found:
        return []
    last_move = max(record.occurred_at for record in records)
    rows = [
        _row(box, mode_in, arrived, mode_out or None, left, left or arrived)
        for box, mode_in, arrived, mode_out, left in found[:-1]
    ]
    _box, mode_in, arrived, mode_out, left = found[-1]
    rows.append(_row(box, mode_in, arrived, mode_out or None, left, last_move))
    return rows


def _row(
    box: str, mode_in: str, arrived: datetime, mode_out: str | None, left: datetime | None, last_move: datetime
) -> dict[str, Any]:
    return {
        "box": box,
        "in_mode": mode_in,
        "in_at": arrived,
        "out_mode": mode_out,
        "out_at": left,
        "last_move_at": last_move,
    }
