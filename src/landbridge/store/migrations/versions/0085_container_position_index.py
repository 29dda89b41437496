"""index the containers by where they are (issue #19)

Revision ID: 0085
Revises: 0080
Create Date: 2026-12-07 17:00:00

Why: a truck leaving the gate checks that nothing is still on it, and a vessel's departure lists
what is on board, by ``containers.position_kind`` and ``position_reference``. Without an index
each such command scanned every container the base ever handled: in the year load on SQLite that
scan grew to 17 % of the loader's time after six simulated weeks (py-spy), and the loader's rate
fell from 338 to 219 commands per CPU-second. With ``(position_kind, position_reference)`` the
lookup reads only the boxes at that place.
"""

from __future__ import annotations

from alembic import op

revision = "0085"
down_revision = "0080"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_containers_position", "containers", ["position_kind", "position_reference"])


def downgrade() -> None:
    op.drop_index("ix_containers_position", table_name="containers")
