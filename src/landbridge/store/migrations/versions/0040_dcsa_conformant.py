"""dcsa: the columns and links DCSA Track & Trace 2.2 filters need; the projection is rebuilt

Revision ID: 0040
Revises: 0090
Create Date: 2026-12-07 08:00:00

``dcsa_events`` gains the keys every 2.2 filter and sort works on (occurred time, transportCallID,
UN/LOCODE, document type, vessel IMO); ``dcsa_event_documents`` links an event to the bookings,
transport documents and customs holds it concerns; subscriptions gain the rest of the 2.2 filters;
``tracking_projection.version`` records the shape of the projected events. Existing rows keep their
ids and deliveries: the projection sees version 1 and projects the log again in the new shape
(bodies rewritten in place, eventIDs unchanged — they derive from the source event).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0090"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_INDEXED = ("event_at", "transport_call_id", "un_location_code", "vessel_imo")


def upgrade() -> None:
    with op.batch_alter_table("dcsa_events") as batch:
        batch.add_column(sa.Column("event_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("transport_call_id", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("un_location_code", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("document_type_code", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("vessel_imo", sa.String(length=7), nullable=True))
    for column in _INDEXED:
        op.create_index(op.f(f"ix_dcsa_events_{column}"), "dcsa_events", [column])
    op.create_table(
        "dcsa_event_documents",
        sa.Column("dcsa_event_id", BIG_ID, nullable=False),
        sa.Column("document_type", sa.String(length=3), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["dcsa_event_id"], ["dcsa_events.id"], name=op.f("fk_dcsa_event_documents_dcsa_event_id_dcsa_events")
        ),
        sa.PrimaryKeyConstraint("dcsa_event_id", "document_type", "reference", name=op.f("pk_dcsa_event_documents")),
    )
    op.create_index(op.f("ix_dcsa_event_documents_reference"), "dcsa_event_documents", ["reference"])
    with op.batch_alter_table("tracking_projection") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("event_subscriptions") as batch:
        batch.add_column(sa.Column("shipment_event_type_codes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("document_type_codes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("transport_document_reference", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("transport_call_id", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("vessel_imo_number", sa.String(length=7), nullable=True))
        batch.add_column(sa.Column("un_location_code", sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event_subscriptions") as batch:
        for column in (
            "un_location_code",
            "vessel_imo_number",
            "transport_call_id",
            "transport_document_reference",
            "document_type_codes",
            "shipment_event_type_codes",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("tracking_projection") as batch:
        batch.drop_column("version")
    op.drop_index(op.f("ix_dcsa_event_documents_reference"), table_name="dcsa_event_documents")
    op.drop_table("dcsa_event_documents")
    for column in _INDEXED:
        op.drop_index(op.f(f"ix_dcsa_events_{column}"), table_name="dcsa_events")
    with op.batch_alter_table("dcsa_events") as batch:
        for column in ("vessel_imo", "document_type_code", "un_location_code", "transport_call_id", "event_at"):
            batch.drop_column(column)
