"""Truck visit and delivery order statuses are enums: the API documents their values and the database
refuses any other (migration 0092's check constraints, on both backends)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from landbridge.api.schemas_ops import DeliveryOrderOut
from landbridge.api.schemas_ops_out import TruckVisitOut
from landbridge.domain.gate import DeliveryOrderStatus
from landbridge.domain.visits import TruckVisitStatus
from landbridge.store import tables
from landbridge.store.database import make_engine
from landbridge.store.migrate import alembic_config
from landbridge.store.unit_of_work import UnitOfWork

AT = datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_the_database_holds_only_the_enums_statuses(database_url: str) -> None:
    rows = {
        tables.TruckVisitRow: {"reference": "T1", "plate": "KZ1", "arrived_at": AT},
        tables.DeliveryOrderRow: {
            "reference": "DO1",
            "issued_by": "ops",
            "pin_sha256": "0" * 64,
            "valid_from": AT,
            "valid_to": AT,
        },
    }
    allowed = {tables.TruckVisitRow: TruckVisitStatus, tables.DeliveryOrderRow: DeliveryOrderStatus}
    for table, values in rows.items():
        for number, status in enumerate(allowed[table]):
            with UnitOfWork.for_url(database_url) as uow:
                reference = f"{values['reference']}-{number}"
                uow.session.execute(insert(table).values(**{**values, "reference": reference, "status": status.value}))
                uow.commit()
        with UnitOfWork.for_url(database_url) as uow, pytest.raises(IntegrityError, match=r"(?i)check"):
            uow.session.execute(insert(table).values(**{**values, "status": "parked"}))
            uow.session.flush()


def test_the_api_documents_the_statuses_as_enums() -> None:
    """The response models' JSON schema (what /docs shows) lists the allowed values."""
    for model, enum in ((DeliveryOrderOut, "DeliveryOrderStatus"), (TruckVisitOut, "TruckVisitStatus")):
        schema = model.model_json_schema()
        assert schema["properties"]["status"]["$ref"] == f"#/$defs/{enum}"
        assert schema["$defs"][enum]["enum"] == {"DeliveryOrderStatus": ["open", "cancelled"]}.get(enum, ["in", "out"])


def test_migration_0092_keeps_orders_that_boxes_point_at(tmp_path: Path) -> None:
    """SQLite recreates the table to add the check: a released box's reference to its order must survive."""
    url = f"sqlite:///{tmp_path / 'before.db'}"
    command.upgrade(alembic_config(url), "0091")
    with make_engine(url).begin() as db:  # foreign keys on, as the hub runs SQLite
        db.execute(
            text(
                "INSERT INTO delivery_orders (reference, issued_by, pin_sha256, valid_from, valid_to, status)"
                " VALUES ('DO1', 'ops', :pin, :at, :at, 'open')"
            ),
            {"pin": "0" * 64, "at": "2026-03-01 08:00:00.000000"},
        )
        db.execute(text("INSERT INTO delivery_order_containers VALUES ('DO1', 'CSQU3054383', NULL)"))
    command.upgrade(alembic_config(url), "0092")
    with make_engine(url).begin() as db:
        assert db.execute(text("SELECT order_reference FROM delivery_order_containers")).scalar_one() == "DO1"
        assert db.execute(text("SELECT status FROM delivery_orders")).scalar_one() == "open"
        assert db.execute(text("PRAGMA foreign_key_check")).all() == []
    command.downgrade(alembic_config(url), "0091")  # and back, the same way
    with make_engine(url).begin() as db:
        assert db.execute(text("SELECT order_reference FROM delivery_order_containers")).scalar_one() == "DO1"
