"""a work instruction's subject is a container or a grain lot (grain gear gets instructions)

Revision ID: 0061
Revises: 0085
Create Date: 2026-12-07 16:40:00

Why: the grain gear at the grain berth tips grain trains into silos, moves lots between silos,
loads ships and fills boxes — moves of a grain lot, not of one container. ``container`` was a
required 11-character field, so no instruction could name a lot. Now ``container`` may be empty,
``lot`` names the grain lot and ``silo`` the silo the grain leaves or enters; a check constraint
keeps exactly one subject per instruction (a box or a lot). Existing rows are box moves and stay
as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0061"
down_revision = "0085"
branch_labels = None
depends_on = None

ONE_SUBJECT = "(container IS NULL) <> (lot IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("work_instructions") as batch:
        batch.alter_column("container", existing_type=sa.String(length=11), nullable=True)
        batch.add_column(sa.Column("lot", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("silo", sa.String(length=8), nullable=True))
        batch.create_index(batch.f("ix_work_instructions_lot"), ["lot"])
        batch.create_check_constraint(batch.f("ck_work_instructions_one_subject"), ONE_SUBJECT)


def downgrade() -> None:
    # Grain jobs have no box to name: they cannot exist in the older schema.
    op.execute("DELETE FROM work_instructions WHERE container IS NULL")
    with op.batch_alter_table("work_instructions") as batch:
        batch.drop_constraint(batch.f("ck_work_instructions_one_subject"), type_="check")
        batch.drop_index(batch.f("ix_work_instructions_lot"))
        batch.drop_column("silo")
        batch.drop_column("lot")
        batch.alter_column("container", existing_type=sa.String(length=11), nullable=False)
