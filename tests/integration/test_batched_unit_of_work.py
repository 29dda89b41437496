"""The loader's batches (issue #19): a refused command leaves nothing behind, with or without savepoints.

What a user would notice: `landbridge db load-twin` runs many commands in one transaction; a
command the rules refuse must leave exactly what a refused API command leaves — nothing — while
the commands before and after it in the batch stay. The optimistic batch (no SAVEPOINT per
command) gets there by dropping what a command refused before writing had changed in memory, and
by rolling the batch back and replaying it when the refusal came after part of the work was
written; these tests make both happen.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from landbridge.domain.errors import RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.identifiers import ContainerNumber
from landbridge.services.actor import Actor
from landbridge.services.containers import RegisterContainer, register_container
from landbridge.services.operations.common import container_event, execute, locked_container, snapshot
from landbridge.store import tables
from landbridge.store.batched_unit_of_work import BatchedUnitOfWork
from landbridge.store.database import engine_for
from landbridge.store.unit_of_work import UnitOfWork

PLANNER = Actor("batch-test", "planner")
FIRST, SECOND, THIRD = "MSCU1234566", "CSQU3054383", "TGHU1234567"  # valid ISO 6346 numbers


def _register(number: str) -> Any:
    return lambda uow: register_container(uow, RegisterContainer(ContainerNumber(number), "22G1"), PLANNER)


def _register_then_refuse(number: str) -> Any:
    """Registers the box (written: a container row and its event), then a rule refuses the command."""

    def work(uow: UnitOfWork) -> None:
        register_container(uow, RegisterContainer(ContainerNumber(number), "22G1"), PLANNER)
        raise RuleViolation("container", "refused after part of the work was written")

    return lambda uow: execute(uow, PLANNER, work)


def _change_then_refuse(number: str) -> Any:
    """Changes the box in memory only, then a rule refuses the command (nothing written yet)."""

    def work(uow: UnitOfWork) -> None:
        row = locked_container(uow, number)
        row.position_reference = "nowhere"
        raise RuleViolation("container", "refused before anything was written")

    return lambda uow: execute(uow, PLANNER, work)


def _stored(url: str) -> tuple[dict[str, str | None], int]:
    with engine_for(url).connect() as connection:
        boxes = {
            str(number): reference
            for number, reference in connection.execute(
                select(tables.ContainerRow.number, tables.ContainerRow.position_reference)
            )
        }
        events = connection.execute(select(func.count()).select_from(tables.EventRow)).scalar_one()
    return boxes, int(events)


@pytest.mark.parametrize("savepoints", [False, True], ids=["optimistic", "savepoints"])
def test_a_command_refused_after_writing_leaves_nothing_and_the_batch_keeps_the_rest(
    database_url: str, savepoints: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = BatchedUnitOfWork.for_url(database_url, savepoints=savepoints)
    replays: list[int] = []
    replay = BatchedUnitOfWork._replay

    def counted(self: BatchedUnitOfWork) -> None:
        replays.append(len(self._journal))
        replay(self)

    monkeypatch.setattr(BatchedUnitOfWork, "_replay", counted)
    uow.run(_register(FIRST))
    with pytest.raises(RuleViolation):
        uow.run(_register_then_refuse(SECOND))
    uow.run(_register(THIRD))
    assert uow.pending == 2
    uow.commit_batch()
    boxes, events = _stored(database_url)
    assert set(boxes) == {FIRST, THIRD}
    assert events == 2  # the two registrations; nothing of the refused command
    # Optimistic: the refusal came after a write, so the batch was rolled back and its one command replayed.
    assert replays == ([] if savepoints else [1])


@pytest.mark.parametrize("savepoints", [False, True], ids=["optimistic", "savepoints"])
def test_a_command_refused_before_writing_leaves_its_changes_unwritten_without_a_replay(
    database_url: str, savepoints: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = BatchedUnitOfWork.for_url(database_url, savepoints=savepoints)
    monkeypatch.setattr(BatchedUnitOfWork, "_replay", lambda self: pytest.fail("no replay was needed"))
    uow.run(_register(FIRST))
    with pytest.raises(RuleViolation):
        uow.run(_change_then_refuse(FIRST))
    uow.run(_register(SECOND))  # a later command of the batch sees the box as it was, and writes it so
    uow.commit_batch()
    boxes, events = _stored(database_url)
    assert boxes == {FIRST: None, SECOND: None}
    assert events == 2


def _event_then_refuse(number: str) -> Any:
    """Appends an event about the box (deferred in an optimistic batch: nothing sent), then is refused."""

    def work(uow: UnitOfWork) -> None:
        row = locked_container(uow, number)
        container_event(uow, EventType.CONTAINER_PLACED, row, PLANNER, snapshot(row))
        raise RuleViolation("container", "refused after appending an event")

    return lambda uow: execute(uow, PLANNER, work)


def _count_events(uow: UnitOfWork) -> int:
    """A read of the log by a statement of its own (as billing or VGM read it), inside the batch."""
    return int(uow.session.scalar(select(func.count()).select_from(tables.EventRow)) or 0)


def test_deferred_events_are_written_before_a_read_of_the_log_and_dropped_with_a_refusal(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = BatchedUnitOfWork.for_url(database_url)
    monkeypatch.setattr(BatchedUnitOfWork, "_replay", lambda self: pytest.fail("no replay was needed"))
    uow.run(_register(FIRST))
    with pytest.raises(RuleViolation):
        uow.run(_event_then_refuse(FIRST))  # its event never reaches the database
    seen = uow.run(lambda uow: execute(uow, PLANNER, _count_events)).body
    assert seen == 1  # the registration's event, written before the read although the batch defers it
    uow.run(_register(SECOND))
    uow.commit_batch()
    assert _stored(database_url)[1] == 2
