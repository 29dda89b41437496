"""grain movements: counterpart as text

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28 17:05:00

Why: a grain movement's counterpart lists the hopper wagons a lot came in. A block train has dozens of
them, and the 64-character column refused more than four 1520 mm numbers on PostgreSQL (the request
failed with a server error). SQLite does not enforce lengths, so the change matters on PostgreSQL;
it is applied on both so the schemas stay the same.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("grain_movements") as batch:
        batch.alter_column("counterpart", existing_type=sa.String(length=64), type_=sa.Text(), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("grain_movements") as batch:
        batch.alter_column("counterpart", existing_type=sa.Text(), type_=sa.String(length=64), existing_nullable=True)
