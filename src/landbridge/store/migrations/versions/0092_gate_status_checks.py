"""truck visits and delivery orders hold only their statuses (check constraints)

Revision ID: 0092
Revises: 0091
Create Date: 2026-12-07 22:10:00

Why: ``truck_visits.status`` and ``delivery_orders.status`` were free strings; the services write
only the values of ``TruckVisitStatus`` (in, out) and ``DeliveryOrderStatus`` (open, cancelled), and
the API now documents those as enums. A check constraint makes the database refuse anything else
(a bulk load or a hand edit), so a reader can trust the enum. Existing rows all hold these values
(checked on the SQLite year: 57,459 open orders, 130,546 trucks out); a row that did not would make
the upgrade fail rather than be changed behind the operator's back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from alembic import op
from alembic.operations import BatchOperations

revision = "0092"
down_revision = "0091"
branch_labels = None
depends_on = None

CHECKS = {
    "truck_visits": "status IN ('in', 'out')",
    "delivery_orders": "status IN ('open', 'cancelled')",
}


def _recreate(table: str, change: Callable[[BatchOperations], None]) -> None:
    """Alter ``table``; on SQLite, whose batch mode copies the table, drops it and renames the copy,
    the boxes released by delivery orders are held aside while their orders' table is rebuilt.

    Dropping ``delivery_orders`` while ``delivery_order_containers`` points at it fails with foreign
    keys on, and deferring the check does not help (the rows come back by a rename, which SQLite does
    not count as inserting the parents). Foreign keys cannot be switched off inside the migration's
    transaction, so the referring rows leave and come back, unchanged, in the same transaction.
    PostgreSQL adds the constraint in place.
    """
    holds_refs = table == "delivery_orders" and op.get_bind().dialect.name == "sqlite"
    if holds_refs:
        op.execute("CREATE TEMP TABLE held_order_boxes AS SELECT * FROM delivery_order_containers")
        op.execute("DELETE FROM delivery_order_containers")
    with op.batch_alter_table(table) as batch:
        change(batch)
    if holds_refs:
        op.execute("INSERT INTO delivery_order_containers SELECT * FROM held_order_boxes")
        op.execute("DROP TABLE held_order_boxes")


def upgrade() -> None:
    for table, condition in CHECKS.items():
        _recreate(table, partial(_add_check, name=f"ck_{table}_status", condition=condition))


def downgrade() -> None:
    for table in CHECKS:
        _recreate(table, partial(_drop_check, name=f"ck_{table}_status"))


def _add_check(batch: BatchOperations, *, name: str, condition: str) -> None:
    batch.create_check_constraint(batch.f(name), condition)


def _drop_check(batch: BatchOperations, *, name: str) -> None:
    batch.drop_constraint(batch.f(name), type_="check")
