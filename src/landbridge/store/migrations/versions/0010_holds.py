"""holds of every kind: customs, line, terminal, damage, vgm_missing

Revision ID: 0010
Revises: 0090
Create Date: 2026-12-07 07:00:00

Why: a hold was only a customs hold and only stopped a train. Holds now have a kind (who placed
them and why) and an owner (whom the refusal names), and every exit of the base checks them. The
table keeps its name (``customs_holds``) so readers of the old rows keep working; existing rows
become customs holds owned by customs.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0090"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customs_holds") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="customs"))
        batch.add_column(sa.Column("owner", sa.String(length=64), nullable=False, server_default="customs"))
        batch.add_column(sa.Column("released_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("release_reason", sa.String(length=200), nullable=True))
        batch.create_index("ix_customs_holds_container_number", ["container_number"])


def downgrade() -> None:
    with op.batch_alter_table("customs_holds") as batch:
        batch.drop_index("ix_customs_holds_container_number")
        batch.drop_column("release_reason")
        batch.drop_column("released_by")
        batch.drop_column("owner")
        batch.drop_column("kind")
