"""Statements built once and run with bound values: the repositories' hot lookups (issue #19).

Building a SQLAlchemy ``select`` and computing its cache key costs more CPU than running a
one-row lookup by key on SQLite, and a command makes about ten of them (profile of the twin
loader: ``coercions.expect``, ``operators.__eq__`` and ``_generate_cache_key`` were a fifth of its
CPU). A statement built here once per (table, column, lock mode) and run with its value bound
costs only the execution; what it reads and locks is exactly what the statement it replaces did.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute

KEY = "key"
"""The name of the bound value of :func:`row_by` (``session.scalar(row_by(...), {KEY: value})``)."""

KEYS = "keys"
"""The name of the expanding bound list of :func:`rows_in` (``{KEYS: [values]}``)."""


Row = TypeVar("Row", bound=Hashable)


def row_by(
    entity: type[Row], column: InstrumentedAttribute[Any], *, lock: bool = False, shared: bool = False
) -> Select[Row]:
    """``SELECT entity WHERE column = :key`` (``FOR UPDATE``, or ``FOR SHARE`` with ``shared``)."""
    return cast("Select[Row]", _row_by(entity, column, lock, shared))


def rows_in(entity: type[Row], column: InstrumentedAttribute[Any]) -> Select[Row]:
    """``SELECT entity WHERE column IN (:keys)`` (an expanding list: one statement for any length)."""
    return cast("Select[Row]", _rows_in(entity, column))


@cache
def _row_by(entity: type[Any], column: InstrumentedAttribute[Any], lock: bool, shared: bool) -> Select[Any]:
    query = select(entity).where(column == bindparam(KEY))
    return query.with_for_update(read=shared) if lock else query


@cache
def _rows_in(entity: type[Any], column: InstrumentedAttribute[Any]) -> Select[Any]:
    return select(entity).where(column.in_(bindparam(KEYS, expanding=True)))
