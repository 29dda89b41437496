"""The one way interchange services change the hub: a command through ``operations.common.execute``.

Importing an interchange, queueing an export, saving a partner or a waybill is one transaction,
run (and committed, and retried on a clash with a concurrent writer) by ``execute`` like every
other command; inside it, each message or CSV row is a savepoint that is released or rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar, cast

from landbridge.services.actor import Actor
from landbridge.services.operations.common import execute
from landbridge.store.unit_of_work import UnitOfWork

T = TypeVar("T")

SYSTEM = Actor(name="interchange", role="admin", source="edi")
"""Who runs the interchange's own background work (producing CODECO/COARRI, delivering the outbox)."""


def in_transaction(
    uow: UnitOfWork, work: Callable[[UnitOfWork], T], actor: Actor = SYSTEM, *, occurred_at: datetime | None = None
) -> T:
    """Run ``work`` as one command (one transaction, one commit) and return what it returned."""
    return cast(T, execute(uow, actor, work, occurred_at=occurred_at).body)
