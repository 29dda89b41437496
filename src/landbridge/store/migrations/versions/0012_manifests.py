"""manifests: a ship's discharge and load lists, a train's planned boxes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 07:40:00

Why: a ship could discharge a box it never declared. Each visit now has lists (set by the planner,
by API or by the interchange of COPRAR/BAPLIE), and the discharge, vessel load and rail load check
them. Containers on a list need not be registered yet, so there is no foreign key to containers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "manifest_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_kind", sa.String(length=16), nullable=False),
        sa.Column("visit_reference", sa.String(length=32), nullable=False),
        sa.Column("list_kind", sa.String(length=16), nullable=False),
        sa.Column("container_number", sa.String(length=11), nullable=False),
        sa.Column("iso_type", sa.String(length=4), nullable=True),
        sa.Column("gross_mass_kg", sa.Integer(), nullable=True),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifest_entries")),
        sa.UniqueConstraint(
            "visit_kind", "visit_reference", "list_kind", "container_number", name="uq_manifest_entries"
        ),
    )
    op.create_index(op.f("ix_manifest_entries_visit_reference"), "manifest_entries", ["visit_reference"])
    op.create_index(op.f("ix_manifest_entries_container_number"), "manifest_entries", ["container_number"])


def downgrade() -> None:
    op.drop_index(op.f("ix_manifest_entries_container_number"), table_name="manifest_entries")
    op.drop_index(op.f("ix_manifest_entries_visit_reference"), table_name="manifest_entries")
    op.drop_table("manifest_entries")
