"""Retry a whole command when the database refused it for clashing with a concurrent writer.

Why this exists next to ``operations.common.execute``, which already retries PostgreSQL
serialization failures and deadlocks: ``execute`` retries at once, inside one call, and a command
that runs other commands inside its own transaction (a plan applied through the operations
services) cannot retry one step in a transaction the clash has already broken. Such a command
wraps its whole ``execute`` in :func:`retry_on_clash`, so each attempt starts a fresh transaction
and reads the data afresh, with a short jittered back-off so two clashing writers do not meet again
in lockstep.

What counts as a clash: SQLSTATE 40001/40P01 on PostgreSQL (the codes ``execute`` retries), and
SQLite's "database is locked"/"database table is locked" (SQLITE_BUSY/SQLITE_LOCKED, what SQLite
reports instead once its busy timeout has run out), anywhere in the exception's ``raise … from``
chain, so a wrapper raised from the driver's error still counts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from landbridge.services.operations.common import RETRYABLE_SQLSTATES

T = TypeVar("T")

DEFAULT_ATTEMPTS = 3
DEFAULT_BASE_DELAY_S = 0.05
_SQLITE_CLASH_MESSAGES = ("database is locked", "database table is locked")
_SQLITE_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED (primary codes)

_sleep: Callable[[float], None] = time.sleep
"""How the back-off waits; a module attribute so a test can record the waits instead of sleeping."""


def _driver_clash(orig: BaseException | None) -> bool:
    if orig is None:
        return False
    if getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_BUSY_CODES:
        return True
    return type(orig).__module__ == "sqlite3" and str(orig).startswith(_SQLITE_CLASH_MESSAGES)


def is_clash(error: BaseException) -> bool:
    """The error is (or was raised from) a serialization failure, deadlock or SQLite lock timeout."""
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, DBAPIError) and _driver_clash(current.orig):
            return True
        current = current.__cause__
    return False


def retry_on_clash(
    action: Callable[[], T], *, attempts: int = DEFAULT_ATTEMPTS, base_delay_s: float = DEFAULT_BASE_DELAY_S
) -> T:
    """Run ``action``; on a clash wait ``base_delay_s × 2^(n-1) × U(0.5, 1.5)`` and run it again.

    ``action`` must be a whole transaction (it is run again from the start). After ``attempts``
    clashes the last error is raised for the caller to turn into an answer a person can act on;
    any other error is raised at once.
    """
    attempt = 1
    while True:
        try:
            return action()
        except Exception as error:
            if attempt >= attempts or not is_clash(error):
                raise
        _sleep(base_delay_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))  # jitter, not cryptography
        attempt += 1
