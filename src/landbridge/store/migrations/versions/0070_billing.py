"""billing: tariff revisions, guarantees, waivers, invoice series, invoices and invoice lines

Revision ID: 0070
Revises: 0060
Create Date: 2026-12-07 10:30:00

Why: the base charged nothing. Tariffs are now data (revisions of a document, the newest in force),
guarantees and waivers are recorded against boxes, and invoices (drafts, then numbered without gaps
per series) keep their lines with the events that caused them. New tables only; no data changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0070"
down_revision = "0060"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "billing_tariffs",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_tariffs")),
        sa.UniqueConstraint("code", "revision", name="uq_billing_tariffs_code_revision"),
    )
    op.create_index(op.f("ix_billing_tariffs_code"), "billing_tariffs", ["code"])
    op.create_table(
        "billing_guarantees",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("container_number", sa.String(length=11), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("through", sa.DateTime(timezone=True), nullable=False),
        sa.Column("party_code", sa.String(length=32), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["container_number"], ["containers.number"], name=op.f("fk_billing_guarantees_container_number_containers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_guarantees")),
    )
    op.create_index(op.f("ix_billing_guarantees_container_number"), "billing_guarantees", ["container_number"])
    op.create_table(
        "billing_waivers",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("container_number", sa.String(length=11), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["container_number"], ["containers.number"], name=op.f("fk_billing_waivers_container_number_containers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_waivers")),
    )
    op.create_index(op.f("ix_billing_waivers_container_number"), "billing_waivers", ["container_number"])
    op.create_table(
        "billing_series",
        sa.Column("series", sa.String(length=16), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_billing_series")),
    )
    op.create_table(
        "invoices",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("series", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("party_code", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tariff_code", sa.String(length=32), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("credits_invoice_id", _BIG_ID, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finalised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finalised_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["credits_invoice_id"], ["invoices.id"], name=op.f("fk_invoices_credits_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("series", "number", name="uq_invoices_series_number"),
    )
    op.create_index(op.f("ix_invoices_status"), "invoices", ["status"])
    op.create_index(op.f("ix_invoices_party_code"), "invoices", ["party_code"])
    op.create_index(op.f("ix_invoices_period"), "invoices", ["period"])
    op.create_table(
        "invoice_lines",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("invoice_id", _BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("container_number", sa.String(length=11), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payer_rule", sa.String(length=16), nullable=False),
        sa.Column("tariff_version", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("rate_cents", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_ids", sa.JSON(), nullable=False),
        sa.Column("waiver", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_lines_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    op.create_index(op.f("ix_invoice_lines_invoice_id"), "invoice_lines", ["invoice_id"])


def downgrade() -> None:
    op.drop_table("invoice_lines")
    op.drop_table("invoices")
    op.drop_table("billing_series")
    op.drop_table("billing_waivers")
    op.drop_table("billing_guarantees")
    op.drop_table("billing_tariffs")
