"""wagon cycle: a train visit's kind (service or empty return) and the released state

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 08:30:00

Why: an emptied train stayed "gauge_changed" (or "arrived") forever and its 1520 mm wagons never came
back, so nobody could tell where a wagon was or how long its round trip took. Emptied trains are now
released, and empty 1520 mm wagons return to the border station as an ``empty_return`` train visit.
Existing visits are service trains.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("train_visits") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="service"))
        batch.add_column(sa.Column("returns_wagons_of", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("train_visits") as batch:
        batch.drop_column("returns_wagons_of")
        batch.drop_column("kind")
