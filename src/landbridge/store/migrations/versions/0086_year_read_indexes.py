"""indexes for the pages and the DCSA feed with a year loaded (issue #19)

Revision ID: 0086
Revises: 0061
Create Date: 2026-12-07 17:05:00

Why, measured on a year of the twin played through the services:

* ``events(event_type, occurred_at)`` — every read "events of these kinds in this window" (the
  management reports for a month, the Overview's departures today, the berth screen's recent
  departures) scanned every event of those kinds since the first day through the one-column
  ``event_type`` index; with the time beside the kind they read the window only.
* ``dcsa_events(coalesce(event_at, event_created_at), id)`` — the DCSA feed sorted by
  ``eventDateTime`` (DCSA 2.2's other sort) sorted the whole projection for every page; with the
  sort key indexed a page reads ``limit`` rows in index order, as the default order (by id) does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0086"
down_revision = "0061"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_type_time", "events", ["event_type", "occurred_at"])
    op.create_index("ix_dcsa_events_event_time", "dcsa_events", [sa.text("coalesce(event_at, event_created_at)"), "id"])


def downgrade() -> None:
    op.drop_index("ix_dcsa_events_event_time", table_name="dcsa_events")
    op.drop_index("ix_events_type_time", table_name="events")
