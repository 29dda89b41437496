"""Yard moves lock stacks, not blocks (issue #21: cranes filling one block queued behind each other).

On PostgreSQL a plain move holds its block ``FOR SHARE`` and its stacks with advisory locks: a move
on another stack of the same block goes ahead, a move on the same stack waits, and a move whose
rules read the whole block (dangerous goods, a laden reefer) waits for the block.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from landbridge.services.operations.yard import lock_blocks
from landbridge.store.unit_of_work import UnitOfWork
from tests.support import seed


def _waits(uow: UnitOfWork, action: Callable[[], None]) -> bool:
    """Whether ``action`` has to wait for another transaction (a 300 ms lock timeout says so)."""
    uow.session.execute(text("SET LOCAL lock_timeout = '300ms'"))
    try:
        action()
    except OperationalError as error:
        assert "lock timeout" in str(error)
        return True
    return False


def test_moves_on_other_stacks_of_a_block_run_side_by_side(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time: there is nothing to lock")
    seed(database_url)
    with UnitOfWork.for_url(database_url) as first:
        lock_blocks(first, {"A"})
        first.yard.lock_stacks([("A", 1, 1)])
        for stack, exclusive, expected in (
            (("A", 2, 1), False, False),  # another stack of block A: goes ahead
            (("A", 1, 1), False, True),  # the same stack: waits
            (None, True, True),  # a DG box's move reads the whole block: waits for it
        ):
            with UnitOfWork.for_url(database_url) as second:
                assert _waits(second, _move(second, stack, exclusive=exclusive)) is expected, (stack, exclusive)


def _move(uow: UnitOfWork, stack: tuple[str, int, int] | None, *, exclusive: bool) -> Callable[[], None]:
    """What a move does first: lock its block (shared, or exclusive for a DG box) and its stack."""

    def lock() -> None:
        lock_blocks(uow, {"A"}, exclusive=exclusive)
        if stack is not None:
            uow.yard.lock_stacks([stack])

    return lock
