"""gate control: delivery orders, appointment owners and bookings, truck releases and overrides

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 08:00:00

Why: any truck could pick up any box. Pick-ups now need a delivery order (with a PIN, valid
from/to, for given boxes); appointments carry who booked them, for which party and booking (so
they can be listed, cancelled and counted against a quota); a truck visit records the order it
quoted and the gate clerk's override reason when one was needed. Existing appointments keep no
owner (staff may still list and cancel them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_orders",
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("party_code", sa.String(length=32), nullable=True),
        sa.Column("pin_sha256", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_delivery_orders")),
    )
    op.create_table(
        "delivery_order_containers",
        sa.Column("order_reference", sa.String(length=32), nullable=False),
        sa.Column("container_number", sa.String(length=11), nullable=False),
        sa.Column("truck_reference", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_reference"],
            ["delivery_orders.reference"],
            name=op.f("fk_delivery_order_containers_order_reference_delivery_orders"),
        ),
        sa.PrimaryKeyConstraint("order_reference", "container_number", name=op.f("pk_delivery_order_containers")),
    )
    op.create_index(
        op.f("ix_delivery_order_containers_container_number"), "delivery_order_containers", ["container_number"]
    )
    with op.batch_alter_table("gate_appointments") as batch:
        batch.add_column(sa.Column("booking_reference", sa.String(length=35), nullable=True))
        batch.add_column(sa.Column("booked_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("party_code", sa.String(length=32), nullable=True))
        batch.create_index("ix_gate_appointments_party_code", ["party_code"])
    with op.batch_alter_table("truck_visits") as batch:
        batch.add_column(sa.Column("delivery_order_reference", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("override_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("truck_visits") as batch:
        batch.drop_column("override_reason")
        batch.drop_column("delivery_order_reference")
    with op.batch_alter_table("gate_appointments") as batch:
        batch.drop_index("ix_gate_appointments_party_code")
        batch.drop_column("party_code")
        batch.drop_column("booked_by")
        batch.drop_column("booking_reference")
    op.drop_index(op.f("ix_delivery_order_containers_container_number"), table_name="delivery_order_containers")
    op.drop_table("delivery_order_containers")
    op.drop_table("delivery_orders")
