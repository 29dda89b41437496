"""invoice lines name a grain lot as well as a box: invoice_lines.container_number up to 32 characters

Revision ID: 0071
Revises: 0031
Create Date: 2026-12-07 13:40:00

Why: grain movements are now charged per tonne, and their invoice lines name the grain lot (a
reference up to 32 characters) where box lines name the container (11). Existing rows are kept
as they are; only the column's length grows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0071"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoice_lines") as batch:
        batch.alter_column("container_number", type_=sa.String(length=32), existing_type=sa.String(length=11))


def downgrade() -> None:
    with op.batch_alter_table("invoice_lines") as batch:
        batch.alter_column("container_number", type_=sa.String(length=11), existing_type=sa.String(length=32))
