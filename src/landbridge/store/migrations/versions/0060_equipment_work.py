"""equipment and work instructions: machines with pools, attributes, status, position and driver;
work instructions and work queues

Revision ID: 0060
Revises: 0015
Create Date: 2026-12-07 10:30:00

Why: the 28 seeded machines had only a kind and a rate, so nobody could say which crane did a move,
whether a gantry was broken, or which box it should lift next. Machines now carry where they may
work (pools), what they may lift, their status with its reason, their position and their driver;
work instructions (one move each) and the planner's controls of their queues are new tables.
Existing machines get the attributes of their kind at the next seed; until then they take nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0060"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("equipment") as batch:
        batch.add_column(sa.Column("pools", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("allowed_lengths_ft", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("max_lift_kg", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("twin_lift", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="working"))
        batch.add_column(sa.Column("status_reason", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("status_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("x_m", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("y_m", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("position", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("driver", sa.String(length=64), nullable=True))
    op.create_table(
        "work_instructions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("container", sa.String(length=11), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("queue", sa.String(length=48), nullable=False),
        sa.Column("pool", sa.String(length=32), nullable=False),
        sa.Column("visit", sa.String(length=32), nullable=True),
        sa.Column("from_place", sa.String(length=64), nullable=False),
        sa.Column("to_place", sa.String(length=64), nullable=False),
        sa.Column("target", sa.JSON(), nullable=False),
        sa.Column("length_ft", sa.Integer(), nullable=False),
        sa.Column("mass_kg", sa.Integer(), nullable=False),
        sa.Column("from_x_m", sa.Float(), nullable=False),
        sa.Column("from_y_m", sa.Float(), nullable=False),
        sa.Column("to_x_m", sa.Float(), nullable=False),
        sa.Column("to_y_m", sa.Float(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("earliest", sa.DateTime(timezone=True), nullable=True),
        sa.Column("latest", sa.DateTime(timezone=True), nullable=True),
        sa.Column("depends_on", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("machine", sa.String(length=16), nullable=True),
        sa.Column("pinned_machine", sa.String(length=16), nullable=True),
        sa.Column("excluded_machines", sa.JSON(), nullable=False),
        sa.Column("problem", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_instructions")),
    )
    for column in ("container", "queue", "visit", "status", "machine"):
        op.create_index(op.f(f"ix_work_instructions_{column}"), "work_instructions", [column])
    op.create_table(
        "work_queues",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("pool", sa.String(length=32), nullable=False),
        sa.Column("sequenced", sa.Boolean(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("pinned_machine", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_work_queues")),
    )


def downgrade() -> None:
    op.drop_table("work_queues")
    for column in ("container", "queue", "visit", "status", "machine"):
        op.drop_index(op.f(f"ix_work_instructions_{column}"), table_name="work_instructions")
    op.drop_table("work_instructions")
    with op.batch_alter_table("equipment") as batch:
        for column in (
            "driver",
            "position",
            "y_m",
            "x_m",
            "status_since",
            "status_reason",
            "status",
            "twin_lift",
            "max_lift_kg",
            "allowed_lengths_ft",
            "pools",
        ):
            batch.drop_column(column)
