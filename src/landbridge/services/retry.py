"""The one retry policy: what counts as a clash with a concurrent writer, and how long to wait.

``operations.common.execute`` is the one place that retries: a command that clashed runs again
from the start in a fresh transaction, reading the data afresh, after :func:`backoff_delay_s`. A
command that runs other commands inside its own transaction (a plan applied through the operations
services) does not retry a step on its own, since the clash has broken the shared transaction; the
clash goes up to the outer ``execute``, which retries the whole command. The back-off is short and
jittered so two clashing writers do not meet again in lockstep.

What counts as a clash: SQLSTATE 40001/40P01 on PostgreSQL (the codes ``execute`` retries), and
SQLite's "database is locked"/"database table is locked" (SQLITE_BUSY/SQLITE_LOCKED, what SQLite
reports instead once its busy timeout has run out), anywhere in the exception's ``raise … from``
chain, so a wrapper raised from the driver's error still counts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected

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


def backoff_delay_s(attempt: int, base_delay_s: float = DEFAULT_BASE_DELAY_S) -> float:
    """The wait after the ``attempt``-th clash (1-based): ``base_delay_s × 2^(attempt-1) × U(0.5, 1.5)``."""
    return base_delay_s * 2.0 ** (attempt - 1) * random.uniform(0.5, 1.5)  # jitter, not cryptography


def wait_after_clash(attempt: int, base_delay_s: float = DEFAULT_BASE_DELAY_S) -> None:
    """Sleep the back-off for the ``attempt``-th clash."""
    _sleep(backoff_delay_s(attempt, base_delay_s))
