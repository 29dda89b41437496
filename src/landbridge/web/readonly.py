"""Read-only sessions for the dashboard; the engine itself is built by the store's one engine factory.

See :mod:`landbridge.store.database` for why pages get a read-only engine of their own.
"""

from __future__ import annotations

from landbridge.store.database import read_engine, read_session

__all__ = ["read_engine", "read_session"]
