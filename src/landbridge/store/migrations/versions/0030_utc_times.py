"""times stored as UTC on SQLite

Revision ID: 0030
Revises: 0050
Create Date: 2026-12-07 07:00:00

Why: SQLite's DATETIME kept the wall-clock digits of whatever offset a caller sent and dropped the
offset, so ``09:00+08:00`` and ``09:00Z`` were stored alike and a gate window could hold two
different hours. From this revision on every time is written as UTC (``store.types.UtcDateTime``).

Times the system took itself (``recorded_at``, ``created_at``, arrivals…) were already UTC. Times a
caller gave — a vessel's ETA/ETB/ETD and an appointment's hour — were stored in the caller's
offset. The offset is not in the row, but it is in the event log: the event that set the value
carries it as ISO 8601 text. This migration takes the latest such event of each row, checks that
its wall-clock digits are still what the row holds (so a value changed later is not touched),
and rewrites the row in UTC. Gate windows are re-keyed by their appointments' true hours: two
appointments stored under one window because their digits matched get the windows they belong to.
Values with no event to say otherwise were UTC and stay as they are. PostgreSQL kept instants
(``timestamptz``), so nothing changes there.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0050"
branch_labels = None
depends_on = None

_STORED = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's SQLite DATETIME text


def _stored(moment: datetime) -> str:
    return moment.strftime(_STORED)


def _aware(value: Any) -> datetime | None:
    """An event payload's time when it carries an offset (else None: nothing to learn from it)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _wall_clock(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _latest_offsets(bind: sa.Connection, subject_type: str, fields: tuple[str, ...]) -> dict[tuple[str, str], datetime]:
    """(subject id, field) -> the latest aware value an event of that subject recorded."""
    found: dict[tuple[str, str], datetime] = {}
    rows = bind.execute(
        sa.text("SELECT subject_id, after FROM events WHERE subject_type = :t ORDER BY id"), {"t": subject_type}
    )
    for subject_id, after in rows:
        payload = json.loads(after) if isinstance(after, str) else after
        if not isinstance(payload, dict):
            continue
        for name in fields:
            moment = _aware(payload.get(name))
            if moment is not None:
                found[(subject_id, name)] = moment
    return found


def _utc_if_same_digits(stored: Any, recorded: datetime | None) -> datetime | None:
    """The UTC instant when the row still holds the recorded value's wall-clock digits."""
    wall = _wall_clock(stored)
    if recorded is None or wall is None or wall != recorded.replace(tzinfo=None):
        return None
    return recorded.astimezone(UTC)


def _vessel_visits(bind: sa.Connection) -> None:
    fields = ("eta", "etb", "etd")
    recorded = _latest_offsets(bind, "vessel_visit", fields)
    for reference, *values in bind.execute(sa.text("SELECT reference, eta, etb, etd FROM vessel_visits")).all():
        for name, stored in zip(fields, values, strict=True):
            instant = _utc_if_same_digits(stored, recorded.get((reference, name)))
            if instant is not None:
                bind.execute(
                    sa.text(f"UPDATE vessel_visits SET {name} = :v WHERE reference = :r"),
                    {"v": _stored(instant), "r": reference},
                )


def _gate_windows(bind: sa.Connection) -> None:
    recorded = _latest_offsets(bind, "appointment", ("hour_start",))
    hours = {
        str(hour): (capacity, booked)
        for hour, capacity, booked in bind.execute(sa.text("SELECT hour_start, capacity, booked FROM gate_hours"))
    }
    appointments = bind.execute(sa.text("SELECT reference, hour_start FROM gate_appointments")).all()
    new_hour_of: dict[str, str] = {}
    for reference, stored in appointments:
        instant = _utc_if_same_digits(stored, recorded.get((reference, "hour_start")))
        new_hour_of[reference] = str(stored) if instant is None else _stored(instant)
    if all(new_hour_of[reference] == str(stored) for reference, stored in appointments):
        return
    # New windows: each old window's capacity, bookings counted from the appointments that now fall in it.
    capacity_of: dict[str, int] = {}
    booked_of: dict[str, int] = defaultdict(int)
    for reference, stored in appointments:
        new_hour = new_hour_of[reference]
        capacity_of[new_hour] = max(capacity_of.get(new_hour, 0), hours.get(str(stored), (0, 0))[0])
        booked_of[new_hour] += 1
    for hour, (capacity, booked) in hours.items():
        if not any(str(stored) == hour for _, stored in appointments):
            capacity_of[hour] = max(capacity_of.get(hour, 0), capacity)
            booked_of[hour] = max(booked_of[hour], booked)
    for hour, capacity in capacity_of.items():
        values = {"h": hour, "c": capacity, "b": booked_of[hour]}
        if hour in hours:
            bind.execute(sa.text("UPDATE gate_hours SET capacity = :c, booked = :b WHERE hour_start = :h"), values)
        else:
            bind.execute(sa.text("INSERT INTO gate_hours (hour_start, capacity, booked) VALUES (:h, :c, :b)"), values)
    for reference, new_hour in new_hour_of.items():
        bind.execute(
            sa.text("UPDATE gate_appointments SET hour_start = :h WHERE reference = :r"),
            {"h": new_hour, "r": reference},
        )
    for hour in hours:
        if hour not in capacity_of:  # every appointment of this window moved to its true hour
            bind.execute(sa.text("DELETE FROM gate_hours WHERE hour_start = :h"), {"h": hour})


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    _vessel_visits(bind)
    _gate_windows(bind)


def downgrade() -> None:
    # The UTC values are correct instants; the old offsets are still in the event log. Nothing to undo.
    pass
