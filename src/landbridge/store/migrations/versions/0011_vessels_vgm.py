"""vessel master data (unique IMO) and SOLAS verified gross masses

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 07:20:00

Why: the same IMO number was accepted under two ship names, and nothing recorded a VGM. A ship is
now one ``vessels`` row by IMO (renames are events, not new ships); the visits already announced with
an IMO seed it, the latest visit's name winning. VGMs are kept per container, latest first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vessels",
        sa.Column("imo_number", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("call_sign", sa.String(length=16), nullable=True),
        sa.Column("loa_m", sa.Float(), nullable=True),
        sa.Column("beam_m", sa.Float(), nullable=True),
        sa.Column("draft_m", sa.Float(), nullable=True),
        sa.Column("operator", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("imo_number", name=op.f("pk_vessels")),
    )
    op.create_table(
        "verified_gross_masses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("container_number", sa.String(length=11), nullable=False),
        sa.Column("mass_kg", sa.Integer(), nullable=False),
        sa.Column("method", sa.Integer(), nullable=False),
        sa.Column("verified_by", sa.String(length=100), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("source_reference", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["container_number"],
            ["containers.number"],
            name=op.f("fk_verified_gross_masses_container_number_containers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verified_gross_masses")),
    )
    op.create_index(op.f("ix_verified_gross_masses_container_number"), "verified_gross_masses", ["container_number"])
    # Every IMO already used by a visit becomes a vessel, named as on its latest visit (by ETA).
    connection = op.get_bind()
    visits = connection.execute(
        sa.text(
            "SELECT imo_number, vessel_name FROM vessel_visits WHERE imo_number IS NOT NULL ORDER BY eta, reference"
        )
    ).all()
    names = {str(imo): str(name) for imo, name in visits}
    for imo, name in sorted(names.items()):
        connection.execute(
            sa.text("INSERT INTO vessels (imo_number, name) VALUES (:imo, :name)"), {"imo": imo, "name": name}
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_verified_gross_masses_container_number"), table_name="verified_gross_masses")
    op.drop_table("verified_gross_masses")
    op.drop_table("vessels")
