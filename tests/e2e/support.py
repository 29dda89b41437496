"""Moved to :mod:`tests.support` (the suite's one place for shared helpers); kept so older imports resolve."""

from __future__ import annotations

from tests.support import ROLES, bearer, container_number, seed, token, uic_wagon, wagon_1520

__all__ = ["ROLES", "bearer", "container_number", "seed", "token", "uic_wagon", "wagon_1520"]
