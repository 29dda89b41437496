"""party owner codes and the operator of a vessel visit

Revision ID: 0090
Revises: 0003, 0004
Create Date: 2026-12-07 07:00:00

Why: a shipping line sees the boxes it owns and the ship calls it operates, and nothing else. Which
boxes it owns is data of the party: the ISO 6346 owner codes (``COS``, ``CSN``…) registered to it,
one party per code. Which calls it operates is the visit's ``operator_code``. Existing visits keep
no operator (staff see them; no line does).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0090"
down_revision = ("0003", "0004")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "party_owner_codes",
        sa.Column("owner_code", sa.String(length=3), nullable=False),
        sa.Column("party_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["party_code"], ["parties.code"], name=op.f("fk_party_owner_codes_party_code_parties")),
        sa.PrimaryKeyConstraint("owner_code", name=op.f("pk_party_owner_codes")),
    )
    op.create_index(op.f("ix_party_owner_codes_party_code"), "party_owner_codes", ["party_code"])
    with op.batch_alter_table("vessel_visits") as batch:
        batch.add_column(sa.Column("operator_code", sa.String(length=32), nullable=True))
        batch.create_foreign_key(op.f("fk_vessel_visits_operator_code_parties"), "parties", ["operator_code"], ["code"])
        batch.create_index(op.f("ix_vessel_visits_operator_code"), ["operator_code"])


def downgrade() -> None:
    with op.batch_alter_table("vessel_visits") as batch:
        batch.drop_index(op.f("ix_vessel_visits_operator_code"))
        batch.drop_constraint(op.f("fk_vessel_visits_operator_code_parties"), type_="foreignkey")
        batch.drop_column("operator_code")
    op.drop_index(op.f("ix_party_owner_codes_party_code"), table_name="party_owner_codes")
    op.drop_table("party_owner_codes")
