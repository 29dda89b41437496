"""interchange: trading partners, interchanges in and out, outbox, bay plans, stowage instructions, SMGS notes

Revision ID: 0050
Revises: 0070
Create Date: 2026-12-07 08:40:00

Why: EDIFACT, CSV and SMGS interchange (issue #20). ``edi_interchanges`` is the idempotency record:
unique per (direction, sender, recipient, UNB 0020), written in the transaction that applies the
interchange, so a re-import after a crash applies nothing twice. ``edi_outbox`` holds outbound
interchanges written in the transaction that made them, for a delivery worker to send at least once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0050"
down_revision = "0070"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "edi_partners",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unb_id", sa.String(35), nullable=False),
        sa.Column("unb_qualifier", sa.String(4), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("inbound", sa.JSON(), nullable=False),
        sa.Column("outbound", sa.JSON(), nullable=False),
        sa.Column("tolerances", sa.JSON(), nullable=False),
        sa.Column("delivery_kind", sa.String(8), nullable=False),
        sa.Column("delivery_target", sa.String(500)),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("party_code", sa.String(32)),
        sa.PrimaryKeyConstraint("code", name="pk_edi_partners"),
        sa.UniqueConstraint("unb_id", name="uq_edi_partners_unb_id"),
    )
    op.create_table(
        "edi_interchanges",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("sender", sa.String(35), nullable=False),
        sa.Column("recipient", sa.String(35), nullable=False),
        sa.Column("control_reference", sa.String(35), nullable=False),
        sa.Column("partner_code", sa.String(32)),
        sa.Column("message_types", sa.String(100), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("accepted_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("duplicate_of", _BIG_ID),
        sa.Column("source_name", sa.String(200)),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("contrl", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_edi_interchanges"),
        sa.UniqueConstraint("direction", "sender", "recipient", "control_reference", name="uq_edi_interchanges_ref"),
    )
    op.create_index("ix_edi_interchanges_partner_code", "edi_interchanges", ["partner_code"])
    op.create_index("ix_edi_interchanges_status", "edi_interchanges", ["status"])
    op.create_index("ix_edi_interchanges_content_sha256", "edi_interchanges", ["content_sha256"])
    op.create_index("ix_edi_interchanges_processed_at", "edi_interchanges", ["processed_at"])
    op.create_table(
        "edi_outbox",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "partner_code",
            sa.String(32),
            sa.ForeignKey("edi_partners.code", name="fk_edi_outbox_partner_code_edi_partners"),
            nullable=False,
        ),
        sa.Column("message_type", sa.String(6), nullable=False),
        sa.Column("control_reference", sa.String(35), nullable=False),
        sa.Column("subject", sa.String(64)),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_edi_outbox"),
        sa.UniqueConstraint("control_reference", name="uq_edi_outbox_control_reference"),
    )
    op.create_index("ix_edi_outbox_partner_code", "edi_outbox", ["partner_code"])
    op.create_index("ix_edi_outbox_next_attempt_at", "edi_outbox", ["next_attempt_at"])
    op.create_table(
        "edi_cursors",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("last_event_id", _BIG_ID, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_edi_cursors"),
    )
    op.create_table(
        "edi_bayplan_cells",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("visit_reference", sa.String(32), nullable=False),
        sa.Column("container_number", sa.String(11), nullable=False),
        sa.Column("cell", sa.String(7), nullable=False),
        sa.Column("iso_type", sa.String(4), nullable=False),
        sa.Column("load_state", sa.String(8)),
        sa.Column("vgm_kg", sa.Integer()),
        sa.Column("port_of_loading", sa.String(5)),
        sa.Column("port_of_discharge", sa.String(5)),
        sa.Column("interchange_id", _BIG_ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_edi_bayplan_cells"),
        sa.UniqueConstraint("visit_reference", "cell", name="uq_edi_bayplan_cells_cell"),
        sa.UniqueConstraint("visit_reference", "container_number", name="uq_edi_bayplan_cells_container"),
    )
    op.create_index("ix_edi_bayplan_cells_visit_reference", "edi_bayplan_cells", ["visit_reference"])
    op.create_table(
        "edi_stowage_instructions",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("visit_reference", sa.String(32)),
        sa.Column("voyage", sa.String(17), nullable=False),
        sa.Column("vessel_name", sa.String(100), nullable=False),
        sa.Column("document_number", sa.String(35), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instructions", sa.JSON(), nullable=False),
        sa.Column("interchange_id", _BIG_ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_edi_stowage_instructions"),
    )
    op.create_index("ix_edi_stowage_instructions_visit_reference", "edi_stowage_instructions", ["visit_reference"])
    op.create_table(
        "smgs_notes",
        sa.Column("number", sa.String(35), primary_key=True),
        sa.Column("train_reference", sa.String(32)),
        sa.Column("regime", sa.String(10), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_smgs_notes"),
    )
    op.create_index("ix_smgs_notes_train_reference", "smgs_notes", ["train_reference"])


def downgrade() -> None:
    for table in (
        "smgs_notes",
        "edi_stowage_instructions",
        "edi_bayplan_cells",
        "edi_cursors",
        "edi_outbox",
        "edi_interchanges",
        "edi_partners",
    ):
        op.drop_table(table)
