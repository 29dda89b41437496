"""What a transaction already knows, kept for its own later statements and dropped at any rollback (issue #19).

A command that locks a container row holds that lock until its transaction ends, and within the
transaction nobody else can change the row: asking the database again (``SELECT … FOR UPDATE``)
returns the same row the session already holds. The same goes for what the transaction itself
wrote. So a repository may keep such answers in a cache that lives exactly as long as the
session's outermost transaction — a request's one transaction in the API; a batch of commands in
the twin loader (``store/batched_unit_of_work.py``), where most boxes get several commands.

Any rollback (a refused command's savepoint, or the whole transaction) drops every cache: on
PostgreSQL rolling back to a savepoint releases the row locks taken after it, and the rolled-back
writes are gone, so nothing learnt inside is trusted afterwards.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_INFO_KEY = "landbridge_transaction_cache"


def transaction_cache(session: Session, name: str) -> dict[Any, Any]:
    """The cache ``name`` of the session's current outermost transaction (empty when it began or after a rollback).

    Store into it only after a statement ran in the transaction (outside one this is a throwaway dict).
    """
    root = session.get_transaction()
    if root is None:
        return {}  # no transaction yet: nothing known, and nothing kept past the one about to begin
    entry = session.info.get(_INFO_KEY)
    if entry is None or entry[0] is not root:
        entry = session.info[_INFO_KEY] = (root, {})
    caches: dict[str, dict[Any, Any]] = entry[1]
    found = caches.get(name)
    if found is None:
        found = caches[name] = {}
    return found


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    """Any rollback, a savepoint's included, drops what the transaction had learnt."""
    del previous_transaction
    session.info.pop(_INFO_KEY, None)
