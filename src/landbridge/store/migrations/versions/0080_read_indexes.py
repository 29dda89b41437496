"""indexes for the slow read pages at a year's size (issue #19)

Revision ID: 0080
Revises: 0071
Create Date: 2026-12-07 13:40:00

Why: with a year of the base loaded, the wagon list looked up every wagon by number without an
index, a train's filled wagon cells were found by scanning every cell, and the appointment lists
sorted all appointments by window on every request. The lists now page by key (``limit`` and
``after``), which needs the order they are read in to be an index:

* ``wagons(number)`` — one wagon's trips, and the wagon list's page of numbers;
* ``wagon_cells(wagon_id)`` — the loads of a page of trains;
* ``gate_appointments(hour_start, reference)`` and ``(party_code, hour_start, reference)`` — the
  appointment lists by window (staff, and a party's own), and a window's bookings;
* ``train_visits(status)`` — trains at the base or on the corridor (Overview alerts, Rail, Corridor).
"""

from __future__ import annotations

from alembic import op

revision = "0080"
down_revision = "0071"
branch_labels = None
depends_on = None

INDEXES: list[tuple[str, str, list[str]]] = [
    ("ix_wagons_number", "wagons", ["number"]),
    ("ix_wagon_cells_wagon_id", "wagon_cells", ["wagon_id"]),
    ("ix_gate_appointments_hour_start_reference", "gate_appointments", ["hour_start", "reference"]),
    ("ix_gate_appointments_party_hour", "gate_appointments", ["party_code", "hour_start", "reference"]),
    ("ix_train_visits_status", "train_visits", ["status"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
