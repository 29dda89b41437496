"""state snapshots at archive boundaries, and the archived months of the event log (issue #19)

Revision ID: 0091
Revises: 0087
Create Date: 2026-12-07 22:10:00

After ``db archive-events`` takes old months of the event log out of the database, ``db check``
could no longer replay boxes that entered before the boundary. ``state_snapshots`` (with its boxes
and grain lots) keeps the folded state at the boundary, written before anything is dropped;
``archived_event_months`` says which months left and in which dump file they are. Both backends:
SQLite sites can snapshot too (they do not archive). New tables only; nothing to backfill.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from landbridge.store.types import UtcDateTime

revision = "0091"
down_revision = "0087"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "state_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("boundary_at", UtcDateTime(), nullable=False, unique=True),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("events_folded", sa.BigInteger(), nullable=False),
        sa.Column("boxes", sa.Integer(), nullable=False),
        sa.Column("lots", sa.Integer(), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("taken_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "state_snapshot_boxes",
        sa.Column(
            "snapshot_id",
            sa.Integer(),
            sa.ForeignKey("state_snapshots.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("container_number", sa.String(64), primary_key=True),
        sa.Column("position_kind", sa.String(16), nullable=True),
        sa.Column("position_reference", sa.String(64), nullable=True),
        sa.Column("yard_cells", sa.JSON(), nullable=True),
        sa.Column("wagon_cells", sa.JSON(), nullable=True),
        sa.Column("registered", sa.Boolean(), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_event_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "state_snapshot_lots",
        sa.Column(
            "snapshot_id",
            sa.Integer(),
            sa.ForeignKey("state_snapshots.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("reference", sa.String(64), primary_key=True),
        sa.Column("mass_kg", sa.BigInteger(), nullable=True),
        sa.Column("silo_code", sa.String(32), nullable=True),
        sa.Column("last_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_event_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "archived_event_months",
        sa.Column("partition", sa.String(32), primary_key=True),
        sa.Column("month_start", UtcDateTime(), nullable=False),
        sa.Column("month_end", UtcDateTime(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("dump_file", sa.String(1024), nullable=False),
        sa.Column("dump_bytes", sa.BigInteger(), nullable=False),
        sa.Column("snapshot_boundary_at", UtcDateTime(), nullable=True),
        sa.Column("archived_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("archived_event_months")
    op.drop_table("state_snapshot_lots")
    op.drop_table("state_snapshot_boxes")
    op.drop_table("state_snapshots")
