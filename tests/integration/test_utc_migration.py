"""Migration 0030 on an SQLite database with data: wall-clock times a caller gave become UTC.

The offset each value was sent with is recovered from the event that recorded it; gate windows
that two different hours had been folded into are split into their true hours.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select, text

from landbridge.store import tables
from landbridge.store.migrate import alembic_config, upgrade
from landbridge.store.unit_of_work import UnitOfWork

_EVENT = text(
    "INSERT INTO events (event_type, subject_type, subject_id, actor, role, occurred_at, recorded_at, after) "
    "VALUES (:type, :subject_type, :subject_id, 'clerk', 'admin', :at, :at, :after)"
)
_AT = "2026-12-07 06:00:00.000000"


def _legacy_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "0040")  # the schema before 0030
    engine = create_engine(url)
    with engine.begin() as db:
        # What the old code wrote: the caller's wall-clock digits, the offset only in the event.
        db.execute(
            text(
                "INSERT INTO vessel_visits (reference, vessel_name, eta, etb, status) "
                "VALUES ('V1', 'Legacy', '2026-12-08 09:30:00.000000', '2026-12-08 11:00:00.000000', 'berthed'),"
                " ('V2', 'Untold', '2026-12-09 04:00:00.000000', NULL, 'announced')"
            )
        )
        for event_type, after in (
            ("vessel.announced", {"eta": "2026-12-08T09:30:00+08:00", "etb": None}),
            ("vessel.berthed", {"eta": "2026-12-08T09:30:00+08:00", "etb": "2026-12-08T11:00:00+08:00"}),
        ):
            db.execute(
                _EVENT,
                {
                    "type": event_type,
                    "subject_type": "vessel_visit",
                    "subject_id": "V1",
                    "at": _AT,
                    "after": json.dumps(after),
                },
            )
        db.execute(
            text(
                "INSERT INTO gate_hours (hour_start, capacity, booked) VALUES "
                "('2026-12-08 09:00:00.000000', 40, 2), ('2026-12-08 15:00:00.000000', 30, 0)"
            )
        )
        for reference, sent in (("A1", "2026-12-08T09:00:00+08:00"), ("A2", "2026-12-08T09:00:00+00:00")):
            db.execute(
                text(
                    "INSERT INTO gate_appointments (reference, hour_start, plate, kind, status) "
                    "VALUES (:r, '2026-12-08 09:00:00.000000', 'P1', 'drop_off', 'booked')"
                ),
                {"r": reference},
            )
            db.execute(
                _EVENT,
                {
                    "type": "gate.appointment_booked",
                    "subject_type": "appointment",
                    "subject_id": reference,
                    "at": _AT,
                    "after": json.dumps({"reference": reference, "hour_start": sent}),
                },
            )
    engine.dispose()
    return url


def test_migration_turns_stored_wall_clock_times_into_utc(tmp_path: Path) -> None:
    url = _legacy_database(tmp_path / "legacy.db")
    upgrade(url)
    with UnitOfWork.for_url(url) as uow:
        v1 = uow.session.get(tables.VesselVisitRow, "V1")
        v2 = uow.session.get(tables.VesselVisitRow, "V2")
        assert v1 is not None and v2 is not None
        assert v1.eta == datetime(2026, 12, 8, 1, 30, tzinfo=UTC)
        assert v1.etb == datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
        assert v2.eta == datetime(2026, 12, 9, 4, 0, tzinfo=UTC)  # no event says otherwise: it was UTC
        hours = {row.hour_start: (row.capacity, row.booked) for row in uow.session.scalars(select(tables.GateHourRow))}
        assert hours == {
            datetime(2026, 12, 8, 1, tzinfo=UTC): (40, 1),
            datetime(2026, 12, 8, 9, tzinfo=UTC): (40, 1),
            datetime(2026, 12, 8, 15, tzinfo=UTC): (30, 0),
        }
        appointments = {a.reference: a.hour_start for a in uow.session.scalars(select(tables.GateAppointmentRow))}
        assert appointments == {"A1": datetime(2026, 12, 8, 1, tzinfo=UTC), "A2": datetime(2026, 12, 8, 9, tzinfo=UTC)}
        recorded = uow.session.scalars(select(tables.EventRow.recorded_at)).first()
        assert recorded == datetime(2026, 12, 7, 6, tzinfo=UTC)
