"""Tables of the interchange context: trading partners, interchanges received and sent (the
idempotency record), their messages, the outbound outbox, bay plans, stowage instructions and
SMGS consignment notes. Same ``Base`` as the hub's tables, own module (like tracking's).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from landbridge.store.tables import Base
from landbridge.store.types import UtcDateTime

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class EdiPartnerRow(Base):
    """A trading partner: its UNB id, the messages it sends and receives, its tolerances and delivery."""

    __tablename__ = "edi_partners"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unb_id: Mapped[str] = mapped_column(String(35), unique=True)
    unb_qualifier: Mapped[str] = mapped_column(String(4), default="ZZZ")
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    inbound: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. ["COPRAR:2.1", "BAPLIE:3.1"]
    outbound: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. ["COARRI:2.1", "CODECO:2.1"]
    tolerances: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. ["wrong_counts", "empty_recipient"]
    delivery_kind: Mapped[str] = mapped_column(String(8), default="none")  # folder | http | none
    delivery_target: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    party_code: Mapped[str | None] = mapped_column(String(32))  # the party whose users may send as this partner


class EdiInterchangeRow(Base):
    """An interchange received or sent; unique per (direction, sender, recipient, UNB 0020)."""

    __tablename__ = "edi_interchanges"
    __table_args__ = (
        UniqueConstraint("direction", "sender", "recipient", "control_reference", name="uq_edi_interchanges_ref"),
    )
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    sender: Mapped[str] = mapped_column(String(35))
    recipient: Mapped[str] = mapped_column(String(35))
    control_reference: Mapped[str] = mapped_column(String(35))
    partner_code: Mapped[str | None] = mapped_column(String(32), index=True)
    message_types: Mapped[str] = mapped_column(String(100))
    message_count: Mapped[int] = mapped_column(Integer)
    accepted_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(24), index=True)
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    duplicate_of: Mapped[int | None] = mapped_column(_BIG_ID)
    source_name: Mapped[str | None] = mapped_column(String(200))
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    contrl: Mapped[str | None] = mapped_column(Text)


class EdiOutboxRow(Base):
    """An outbound interchange waiting for (or past) delivery; written in the transaction that made it."""

    __tablename__ = "edi_outbox"
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    partner_code: Mapped[str] = mapped_column(String(32), ForeignKey("edi_partners.code"), index=True)
    message_type: Mapped[str] = mapped_column(String(6))
    control_reference: Mapped[str] = mapped_column(String(35), unique=True)
    subject: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class EdiCursorRow(Base):
    """How far a producer (e.g. CODECO for gate/rail moves) has read the event log."""

    __tablename__ = "edi_cursors"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(_BIG_ID, default=0)


class BayplanCellRow(Base):
    """A container's cell on board a vessel call, as the last BAPLIE said."""

    __tablename__ = "edi_bayplan_cells"
    __table_args__ = (
        UniqueConstraint("visit_reference", "cell", name="uq_edi_bayplan_cells_cell"),
        UniqueConstraint("visit_reference", "container_number", name="uq_edi_bayplan_cells_container"),
    )
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    visit_reference: Mapped[str] = mapped_column(String(32), index=True)
    container_number: Mapped[str] = mapped_column(String(11))
    cell: Mapped[str] = mapped_column(String(7))
    iso_type: Mapped[str] = mapped_column(String(4))
    load_state: Mapped[str | None] = mapped_column(String(8))
    vgm_kg: Mapped[int | None] = mapped_column(Integer)
    port_of_loading: Mapped[str | None] = mapped_column(String(5))
    port_of_discharge: Mapped[str | None] = mapped_column(String(5))
    interchange_id: Mapped[int] = mapped_column(_BIG_ID)


class StowageInstructionRow(Base):
    """A MOVINS as received: shown to the planner, applied to nothing."""

    __tablename__ = "edi_stowage_instructions"
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    visit_reference: Mapped[str | None] = mapped_column(String(32), index=True)
    voyage: Mapped[str] = mapped_column(String(17))
    vessel_name: Mapped[str] = mapped_column(String(100))
    document_number: Mapped[str] = mapped_column(String(35))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    instructions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    interchange_id: Mapped[int] = mapped_column(_BIG_ID)


class ConsignmentNoteRow(Base):
    """An SMGS or CIM/SMGS consignment note (the typed document kept as JSON, its history inside)."""

    __tablename__ = "smgs_notes"
    number: Mapped[str] = mapped_column(String(35), primary_key=True)
    train_reference: Mapped[str | None] = mapped_column(String(32), index=True)
    regime: Mapped[str] = mapped_column(String(10))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
