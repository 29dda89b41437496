"""Tables of the tracking context: the DCSA projection of the event log, subscriptions, deliveries.

They live on the same declarative ``Base`` as the hub's tables (one metadata, one migration chain)
but in their own module, so tracking can change without touching the operations schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from landbridge.store.tables import Base
from landbridge.store.types import UtcDateTime

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys


class DcsaEventRow(Base):
    """One DCSA event derived from one domain event (a gauge change yields two, sequence 0 and 1)."""

    __tablename__ = "dcsa_events"
    __table_args__ = (UniqueConstraint("source_event_id", "sequence", name="uq_dcsa_events_source"),)
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    source_event_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("events.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(16), index=True)
    type_code: Mapped[str] = mapped_column(String(4))
    equipment_reference: Mapped[str | None] = mapped_column(String(15), index=True)
    transport_reference: Mapped[str | None] = mapped_column(String(100), index=True)
    event_created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Migration 0040: the keys the 2.2 filters and sorts need (columns, so every backend filters in SQL).
    event_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    transport_call_id: Mapped[str | None] = mapped_column(String(100), index=True)
    un_location_code: Mapped[str | None] = mapped_column(String(5), index=True)
    document_type_code: Mapped[str | None] = mapped_column(String(3))
    vessel_imo: Mapped[str | None] = mapped_column(String(7), index=True)


# The feed's eventDateTime sort (migration 0086): a page reads ``limit`` rows in this index's order.
Index("ix_dcsa_events_event_time", func.coalesce(DcsaEventRow.event_at, DcsaEventRow.event_created_at), DcsaEventRow.id)


class DcsaEventDocumentRow(Base):
    """Which documents a DCSA event concerns: a booking (BKG), a transport document (TRD), a customs hold (CUS).

    Filters by booking or transport document, and a shipper's visibility of shipment events (a
    booking may have no container yet), go through this table.
    """

    __tablename__ = "dcsa_event_documents"
    dcsa_event_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("dcsa_events.id"), primary_key=True)
    document_type: Mapped[str] = mapped_column(String(3), primary_key=True)
    reference: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class DcsaEventEquipmentRow(Base):
    """Which containers a DCSA event concerns: the box itself, or every box on board a train or ship.

    Filters by container or booking, and a shipper's visibility, go through this table, so a
    transport event shows only to those with a box on that train.
    """

    __tablename__ = "dcsa_event_equipment"
    dcsa_event_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("dcsa_events.id"), primary_key=True)
    equipment_reference: Mapped[str] = mapped_column(String(15), primary_key=True, index=True)


class TrackingProjectionRow(Base):
    """How far the DCSA projection has read the event log."""

    __tablename__ = "tracking_projection"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(_BIG_ID)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The shape of the projected events; a projection older than the code is projected again (0040).
    version: Mapped[int] = mapped_column(Integer, default=1)


class EventSubscriptionRow(Base):
    """A DCSA event subscription: where to push, the shared secret, and the filters (AND between them)."""

    __tablename__ = "event_subscriptions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    callback_url: Mapped[str] = mapped_column(String(500))
    secret_b64: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(64))
    party_code: Mapped[str | None] = mapped_column(String(32))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    equipment_event_type_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    transport_event_type_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    equipment_reference: Mapped[str | None] = mapped_column(String(15))
    carrier_booking_reference: Mapped[str | None] = mapped_column(String(35))
    # Migration 0040: the rest of the 2.2 subscription filters.
    shipment_event_type_codes: Mapped[list[str] | None] = mapped_column(JSON)
    document_type_codes: Mapped[list[str] | None] = mapped_column(JSON)
    transport_document_reference: Mapped[str | None] = mapped_column(String(20))
    transport_call_id: Mapped[str | None] = mapped_column(String(100))
    vessel_imo_number: Mapped[str | None] = mapped_column(String(7))
    un_location_code: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EventDeliveryRow(Base):
    """The outbox: one DCSA event owed to one subscriber, with its attempts and outcome."""

    __tablename__ = "event_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "dcsa_event_id", name="uq_event_deliveries_once"),)
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(String(36), ForeignKey("event_subscriptions.id"), index=True)
    dcsa_event_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("dcsa_events.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EtaEstimateRow(Base):
    """An arrival estimate made when a milestone came in: the history of how a box's ETA moved."""

    __tablename__ = "eta_estimates"
    __table_args__ = (UniqueConstraint("container_number", "source_event_id", name="uq_eta_estimates_event"),)
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    container_number: Mapped[str] = mapped_column(String(11), index=True)
    source_event_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("events.id"))
    train_reference: Mapped[str] = mapped_column(String(100))
    route_code: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(24))
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())
    p10: Mapped[datetime] = mapped_column(UtcDateTime())
    p50: Mapped[datetime] = mapped_column(UtcDateTime())
    p90: Mapped[datetime] = mapped_column(UtcDateTime())
    overdue: Mapped[bool] = mapped_column(Boolean)
