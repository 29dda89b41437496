"""Tables of equipment control: work instructions and the planner's controls of their work queues.

Same declarative ``Base`` and migration chain as the hub's tables, in their own module so the work
context can change without touching the operations schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from landbridge.store.tables import Base
from landbridge.store.types import UtcDateTime


class WorkInstructionRow(Base):
    """One move to make: which box (or grain lot), from where to where, by which queue and machine,
    when, after what.

    The subject is exactly one of ``container`` (a box move) and ``lot`` (a grain move by the grain
    gear; ``silo`` is the silo the grain leaves or enters). ``target`` holds what the move needs
    beyond its subject (the yard slot, the wagon and its slot, the visit, the grain command's
    figures); ``version`` rises on every change, so a confirmation that saw an older state loses.
    """

    __tablename__ = "work_instructions"
    __table_args__ = (CheckConstraint("(container IS NULL) <> (lot IS NULL)", name="one_subject"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    container: Mapped[str | None] = mapped_column(String(11), index=True)
    lot: Mapped[str | None] = mapped_column(String(32), index=True)
    silo: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(24))
    queue: Mapped[str] = mapped_column(String(48), index=True)
    pool: Mapped[str] = mapped_column(String(32))
    visit: Mapped[str | None] = mapped_column(String(32), index=True)
    from_place: Mapped[str] = mapped_column(String(64))
    to_place: Mapped[str] = mapped_column(String(64))
    target: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    length_ft: Mapped[int] = mapped_column(Integer)
    mass_kg: Mapped[int] = mapped_column(Integer)
    from_x_m: Mapped[float] = mapped_column(Float, default=0.0)
    from_y_m: Mapped[float] = mapped_column(Float, default=0.0)
    to_x_m: Mapped[float] = mapped_column(Float, default=0.0)
    to_y_m: Mapped[float] = mapped_column(Float, default=0.0)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    earliest: Mapped[datetime | None] = mapped_column(UtcDateTime())
    latest: Mapped[datetime | None] = mapped_column(UtcDateTime())
    depends_on: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    machine: Mapped[str | None] = mapped_column(String(16), index=True)
    pinned_machine: Mapped[str | None] = mapped_column(String(16))
    excluded_machines: Mapped[list[str]] = mapped_column(JSON, default=list)
    problem: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    done_by: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)


class WorkQueueRow(Base):
    """A work queue (per crane front, loading track or block) and the planner's hand on it."""

    __tablename__ = "work_queues"
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    pool: Mapped[str] = mapped_column(String(32))
    sequenced: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned_machine: Mapped[str | None] = mapped_column(String(16))
