"""tracking: DCSA projection, event subscriptions, the delivery outbox and ETA history

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-28 14:05:00

A branch of its own off 0001 (operations is 0002): the two heads are upgraded together
(``migrate.upgrade`` targets "heads"), and neither schema depends on the other's tables.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dcsa_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("source_event_id", BIG_ID, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=16), nullable=False),
        sa.Column("type_code", sa.String(length=4), nullable=False),
        sa.Column("equipment_reference", sa.String(length=15), nullable=True),
        sa.Column("transport_reference", sa.String(length=100), nullable=True),
        sa.Column("event_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["source_event_id"], ["events.id"], name=op.f("fk_dcsa_events_source_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dcsa_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_dcsa_events_event_id")),
        sa.UniqueConstraint("source_event_id", "sequence", name="uq_dcsa_events_source"),
    )
    for column in ("event_type", "equipment_reference", "transport_reference", "event_created_at"):
        op.create_index(op.f(f"ix_dcsa_events_{column}"), "dcsa_events", [column])
    op.create_table(
        "dcsa_event_equipment",
        sa.Column("dcsa_event_id", BIG_ID, nullable=False),
        sa.Column("equipment_reference", sa.String(length=15), nullable=False),
        sa.ForeignKeyConstraint(
            ["dcsa_event_id"], ["dcsa_events.id"], name=op.f("fk_dcsa_event_equipment_dcsa_event_id_dcsa_events")
        ),
        sa.PrimaryKeyConstraint("dcsa_event_id", "equipment_reference", name=op.f("pk_dcsa_event_equipment")),
    )
    op.create_index(
        op.f("ix_dcsa_event_equipment_equipment_reference"), "dcsa_event_equipment", ["equipment_reference"]
    )
    op.create_table(
        "tracking_projection",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_event_id", BIG_ID, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_tracking_projection")),
    )
    # The high-water mark exists from the start, so two first projectors never race to insert it.
    projection = sa.table(
        "tracking_projection",
        sa.column("name", sa.String),
        sa.column("last_event_id", BIG_ID),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(projection, [{"name": "dcsa", "last_event_id": 0, "updated_at": datetime(2026, 1, 1, tzinfo=UTC)}])
    op.create_table(
        "event_subscriptions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("callback_url", sa.String(length=500), nullable=False),
        sa.Column("secret_b64", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("party_code", sa.String(length=32), nullable=True),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("equipment_event_type_codes", sa.JSON(), nullable=False),
        sa.Column("transport_event_type_codes", sa.JSON(), nullable=False),
        sa.Column("equipment_reference", sa.String(length=15), nullable=True),
        sa.Column("carrier_booking_reference", sa.String(length=35), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_subscriptions")),
    )
    op.create_table(
        "event_deliveries",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("dcsa_event_id", BIG_ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["event_subscriptions.id"],
            name=op.f("fk_event_deliveries_subscription_id_event_subscriptions"),
        ),
        sa.ForeignKeyConstraint(
            ["dcsa_event_id"], ["dcsa_events.id"], name=op.f("fk_event_deliveries_dcsa_event_id_dcsa_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_deliveries")),
        sa.UniqueConstraint("subscription_id", "dcsa_event_id", name="uq_event_deliveries_once"),
    )
    for column in ("subscription_id", "status", "next_attempt_at"):
        op.create_index(op.f(f"ix_event_deliveries_{column}"), "event_deliveries", [column])
    op.create_table(
        "eta_estimates",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("container_number", sa.String(length=11), nullable=False),
        sa.Column("source_event_id", BIG_ID, nullable=False),
        sa.Column("train_reference", sa.String(length=100), nullable=False),
        sa.Column("route_code", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("p10", sa.DateTime(timezone=True), nullable=False),
        sa.Column("p50", sa.DateTime(timezone=True), nullable=False),
        sa.Column("p90", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_event_id"], ["events.id"], name=op.f("fk_eta_estimates_source_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eta_estimates")),
        sa.UniqueConstraint("container_number", "source_event_id", name="uq_eta_estimates_event"),
    )
    op.create_index(op.f("ix_eta_estimates_container_number"), "eta_estimates", ["container_number"])


def downgrade() -> None:
    op.drop_table("eta_estimates")
    op.drop_table("event_deliveries")
    op.drop_table("event_subscriptions")
    op.drop_table("tracking_projection")
    op.drop_table("dcsa_event_equipment")
    op.drop_table("dcsa_events")
