"""The store on SQLite and PostgreSQL: unit of work, append-only events, idempotent seed."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from landbridge.domain.containers import Container
from landbridge.domain.events import Event, EventType
from landbridge.domain.identifiers import ContainerNumber
from landbridge.scenarios import load_scenario
from landbridge.services.seeding import seed_scenario
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork


def test_unit_of_work_rolls_back_unless_committed(database_url: str) -> None:
    uow = UnitOfWork.for_url(database_url)
    with uow:
        uow.containers.add(Container(number=ContainerNumber("CSQU3054383"), iso_type="45G1"))
        uow.events.append(Event(EventType.CONTAINER_REGISTERED, "container", "CSQU3054383", "t", "test"))
    with uow:
        assert uow.containers.count() == 0
        assert uow.events.count() == 0


def test_unit_of_work_rolls_back_on_error(database_url: str) -> None:
    uow = UnitOfWork.for_url(database_url)
    with pytest.raises(RuntimeError), uow:
        uow.containers.add(Container(number=ContainerNumber("CSQU3054383"), iso_type="45G1"))
        raise RuntimeError("boom")
    with uow:
        assert uow.containers.count() == 0


def test_committed_work_is_visible(database_url: str) -> None:
    uow = UnitOfWork.for_url(database_url)
    with uow:
        uow.containers.add(Container(number=ContainerNumber("CSQU3054383"), iso_type="45G1"))
        uow.commit()
    with uow:
        found = uow.containers.get("CSQU3054383")
        assert found is not None and found.teu == 2


@pytest.mark.parametrize("statement", ["UPDATE events SET actor = 'mallory'", "DELETE FROM events"])
def test_events_cannot_be_updated_or_deleted(database_url: str, statement: str) -> None:
    uow = UnitOfWork.for_url(database_url)
    with uow:
        uow.events.append(Event(EventType.CONTAINER_REGISTERED, "container", "CSQU3054383", "alice", "test"))
        uow.commit()
    with pytest.raises(DBAPIError, match="append-only"), uow:
        uow.session.execute(text(statement))
        uow.commit()
    with uow:
        assert [e.actor for e in uow.events.for_subject("container", "CSQU3054383")] == ["alice"]


def test_seed_is_idempotent(database_url: str) -> None:
    scenario = load_scenario()
    uow = UnitOfWork.for_url(database_url)
    first = seed_scenario(uow, scenario)
    second = seed_scenario(uow, scenario)
    assert first.changed and not second.changed
    assert first.counts == second.counts
    with uow:
        assert len(uow.reference.all(tables.YardBlockRow, tables.YardBlockRow.code)) == 6
        assert len(uow.reference.all(tables.SiloRow, tables.SiloRow.code)) == 64
        assert uow.events.count() == 1
        slots = sum(b["bays"] * b["rows"] for b in uow.reference.all(tables.YardBlockRow, tables.YardBlockRow.code))
        assert slots == 1763
