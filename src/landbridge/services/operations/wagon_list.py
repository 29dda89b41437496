"""A train's wagon list at the base: the planner swaps wagons in or out, with a reason.

The railway announces a train with its wagons; before it leaves, a wagon may be found bad-order or
an extra one put in. Loading onto a wagon not on the list is refused (404 at ``wagon_number``), so
the list is changed first, as one audited event ``train.wagons_changed`` with the list before and
after. The same checks as at announcement apply (number kind and wagon type of the train's gauge,
the train type's wagon count and length, the track's length); a wagon that carries a box is not
taken off.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from landbridge.domain.errors import InvalidIdentifier, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.identifiers import parse_wagon_number
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, subject_event
from landbridge.services.operations.rail import (
    AT_BASE,
    WagonSpec,
    check_train_length,
    checked_wagons,
    train_view,
)
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork


def _removed(uow: UnitOfWork, train: str, remove: Sequence[str]) -> list[tables.WagonRow]:
    """The wagon rows to take off, each on the train and empty (422 at ``remove[i]``)."""
    wagons = {w.number: w for w in uow.rail.wagons(train)}
    carrying = {w.number for _, w in uow.rail.cells_of_train(train)}
    rows = []
    for index, given in enumerate(remove):
        where = f"remove[{index}]"
        try:
            number = str(parse_wagon_number(given))
        except InvalidIdentifier as error:
            raise InvalidIdentifier(where, error.reason) from None
        row = wagons.get(number)
        if row is None or row in rows:
            raise RuleViolation(where, f"wagon {number} is not in train {train}")
        if number in carrying:
            raise RuleViolation(where, f"wagon {number} carries a box; unload it first")
        rows.append(row)
    return rows


def change_wagons(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    add: Sequence[WagonSpec] = (),
    remove: Sequence[str] = (),
    reason: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Swap wagons into or out of a train still at the base, with a reason (``train.wagons_changed``)."""
    why = reason.strip()
    if not why:
        raise RuleViolation("reason", "say why the wagon list changes")
    if not add and not remove:
        raise RuleViolation("add", "nothing to change: give wagons to add or remove")

    def work(uow: UnitOfWork) -> dict[str, Any]:
        rail = uow.rail
        row = rail.train(train, lock=True)
        if row is None:
            raise NotFound("reference", f"no train visit {train!r}")
        if row.status not in AT_BASE:
            raise RuleViolation("status", f"train {train} is {row.status}; its wagon list is closed")
        train_type = rail.train_type(row.train_type_code or "")
        if train_type is None:
            raise NotFound("train_type_code", f"train {train} has no train type")
        before = rail.wagons(train)
        gone = _removed(uow, train, remove)
        kept = [w for w in before if w not in gone]
        types = rail.wagon_types()
        taken = frozenset(w.number for w in kept)
        added_m = checked_wagons(types, list(add), row.gauge_mm, "add", taken)
        count = len(kept) + len(add)
        if not 1 <= count <= train_type.wagons:
            raise RuleViolation(
                "add" if add else "remove", f"a {train_type.code} train has 1-{train_type.wagons} wagons, got {count}"
            )
        length_m = sum(types[w.wagon_type_code].length_m for w in kept) + added_m
        check_train_length(uow, train_type, row.track_code, length_m, "add")
        rail.remove_wagons(gone)
        position = max((w.position_in_train for w in before), default=0)
        added = []
        for offset, spec in enumerate(add, start=1):
            number = str(parse_wagon_number(spec.number))
            rail.add(
                tables.WagonRow(
                    number=number,
                    train_reference=train,
                    wagon_type_code=spec.wagon_type,
                    position_in_train=position + offset,
                )
            )
            added.append(number)
        row.version += 1
        uow.session.flush()
        view = train_view(uow, row)
        subject_event(
            uow,
            EventType.TRAIN_WAGONS_CHANGED,
            "train_visit",
            train,
            actor,
            {"wagons": [w.number for w in before]},
            {
                "wagons": [w["number"] for w in view["wagons"]],
                "added": added,
                "removed": [w.number for w in gone],
                "reason": why,
            },
            location=row.track_code,
        )
        return view

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)
