"""The reports' projection: one row per stay of a box at the base (issue #19).

Dwell and yard occupancy need every stay that began before the report's window and was still open in
it; read from the event log that meant every container move since the first day (12–14 s on a year).
``container_stays`` keeps the stays as the event log's pairing makes them (``reports.figures.stays``),
written in the same transaction as the move events (``store/repositories/container_stays.py``), so a
report reads only the stays its window touches. The event-log computation stays the oracle.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from landbridge.store.tables import Base
from landbridge.store.types import UtcDateTime


class ContainerStayRow(Base):
    """A box's stay: in by a mode at ``in_at``; out by a mode at ``out_at`` (None while it is here).

    ``last_move_at`` is the time of the box's latest move event when this row was its latest stay, so a
    move dated before it (an out-of-order append) is recognised and the box's stays rebuilt from its log.
    """

    __tablename__ = "container_stays"
    __table_args__ = (
        Index("ix_container_stays_box_in", "box", "in_at"),
        Index("ix_container_stays_in_at", "in_at"),
        Index("ix_container_stays_out_at", "out_at"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    box: Mapped[str] = mapped_column(String(64))
    in_mode: Mapped[str] = mapped_column(String(8))
    in_at: Mapped[datetime] = mapped_column(UtcDateTime())
    out_mode: Mapped[str | None] = mapped_column(String(8))
    out_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_move_at: Mapped[datetime] = mapped_column(UtcDateTime())
