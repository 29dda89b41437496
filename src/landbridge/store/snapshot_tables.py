"""State snapshots at archive boundaries, and the months of the event log archived (issue #19).

Archiving a month of the event log (``landbridge db archive-events``) takes its events out of the
database, but boxes that entered before the boundary are still at the base: replaying the log that
is left would start in the middle of their lives. A snapshot keeps the state the log had folded to
at the boundary instant — per box its position, the cells it filled, whether it was registered and
its latest event; per grain lot its mass and silo — computed by the same fold ``db check`` uses
(``services/operations/replay.py``), with the last event id folded, the number of events folded
and a checksum of the state. ``db check`` replays snapshot + the events still attached.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from landbridge.store.tables import Base
from landbridge.store.types import UtcDateTime


class StateSnapshotRow(Base):
    """The folded state of the log at ``boundary_at``: every event that occurred before it, and only those.

    ``based_on_id`` names the snapshot this one continued from (None: folded from the first event);
    ``checksum`` is the SHA-256 of the state in canonical form (``services/state_snapshots.checksum``),
    so rows that no longer rebuild it, or a log that no longer folds to it, are found out.
    """

    __tablename__ = "state_snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    boundary_at: Mapped[datetime] = mapped_column(UtcDateTime(), unique=True)
    based_on_id: Mapped[int | None] = mapped_column(Integer)
    last_event_id: Mapped[int] = mapped_column(BigInteger)
    events_folded: Mapped[int] = mapped_column(BigInteger)
    boxes: Mapped[int] = mapped_column(Integer)
    lots: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SnapshotBoxRow(Base):
    """One box in a snapshot: where the fold had it, the cells it filled, its registration and latest event."""

    __tablename__ = "state_snapshot_boxes"
    snapshot_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("state_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    container_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    position_kind: Mapped[str | None] = mapped_column(String(16))
    position_reference: Mapped[str | None] = mapped_column(String(64))
    yard_cells: Mapped[list[Any] | None] = mapped_column(JSON)
    wagon_cells: Mapped[list[Any] | None] = mapped_column(JSON)
    registered: Mapped[bool] = mapped_column(Boolean)
    last_event_id: Mapped[int | None] = mapped_column(BigInteger)
    last_event_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SnapshotLotRow(Base):
    """One grain lot in a snapshot: its mass and silo as the fold had them, and its latest event."""

    __tablename__ = "state_snapshot_lots"
    snapshot_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("state_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    mass_kg: Mapped[int | None] = mapped_column(BigInteger)
    silo_code: Mapped[str | None] = mapped_column(String(32))
    last_event_id: Mapped[int | None] = mapped_column(BigInteger)
    last_event_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ArchivedEventMonthRow(Base):
    """A month of the event log moved to a dump file by ``db archive-events``: where its events are now."""

    __tablename__ = "archived_event_months"
    partition: Mapped[str] = mapped_column(String(32), primary_key=True)
    month_start: Mapped[datetime] = mapped_column(UtcDateTime())
    month_end: Mapped[datetime] = mapped_column(UtcDateTime())
    rows: Mapped[int] = mapped_column(BigInteger)
    dump_file: Mapped[str] = mapped_column(String(1024))
    dump_bytes: Mapped[int] = mapped_column(BigInteger)
    snapshot_boundary_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    archived_at: Mapped[datetime] = mapped_column(UtcDateTime())
