"""merge the operations core (0014) and the DCSA 2.2 feed (0040) into one head

Revision ID: 0015
Revises: 0014, 0040
Create Date: 2026-12-07 10:20:00

Why: both branches started from 0090 and landed the same morning; one head keeps
``alembic upgrade head`` and the next migration unambiguous. No schema change.
"""

from __future__ import annotations

revision = "0015"
down_revision = ("0014", "0040")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to do: a merge point only."""


def downgrade() -> None:
    """Nothing to do: a merge point only."""
