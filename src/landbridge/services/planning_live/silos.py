"""Silo plans on live data: where today's arriving grain goes, and which stored lots must move first.

The instance is the database's silos and the lots stored in them (a live lot sits in one silo), plus
the arriving lots the caller lists (the trains expected; they are not in the database until received).
The plan is advice, not applied: the elevator crew runs its steps through ``/grain/lots`` (receive,
transfer), which check every step again. The live rule keeps owners and crops apart, not grain
classes (a silo may already hold two classes of one owner's wheat), so the instance gives every lot
the same class: the planner then applies exactly the receiving rule, and a silo the hub filled
legally is never refused as "already mixing".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from landbridge.domain.errors import RuleViolation
from landbridge.planning.common import SolveResult
from landbridge.planning.silos.check import check_silo_data
from landbridge.planning.silos.problem import instance_from_json
from landbridge.planning.silos.solve import solve_silos
from landbridge.services.planning_live.common import check_time_limit, solve_checked
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ArrivingLot:
    """A lot expected at the elevator: not in the database yet."""

    reference: str
    owner_code: str
    crop: str
    mass_kg: int


def build_silo_instance_json(uow: UnitOfWork, arriving: list[ArrivingLot]) -> dict[str, Any]:
    """The planner's instance JSON from the silos, the lots stored in them, and ``arriving``.

    Identifiers are the live ones (silo codes, lot references), so the plan needs no translation.
    An arriving reference that is already a lot, or listed twice, is refused naming its position.
    """
    session = uow.session
    silos = session.scalars(select(tables.SiloRow).order_by(tables.SiloRow.code)).all()
    stored = session.scalars(
        select(tables.GrainLotRow)
        .where(tables.GrainLotRow.silo_code.is_not(None))
        .order_by(tables.GrainLotRow.reference)
    ).all()
    taken = set(session.scalars(select(tables.GrainLotRow.reference)).all())
    listed: set[str] = set()
    for index, lot in enumerate(arriving):
        if lot.reference in taken:
            raise RuleViolation(f"arriving_lots[{index}].reference", f"grain lot {lot.reference!r} already exists")
        if lot.reference in listed:
            raise RuleViolation(f"arriving_lots[{index}].reference", f"{lot.reference!r} is listed twice")
        listed.add(lot.reference)
    contents: dict[str, list[dict[str, Any]]] = {}
    for row in stored:
        contents.setdefault(row.silo_code or "", []).append({"lot": row.reference, "mass_kg": row.mass_kg})
    lots = [
        {"id": row.reference, "owner": row.owner_code, "crop": row.crop, "mass_kg": row.mass_kg} for row in stored
    ] + [{"id": lot.reference, "owner": lot.owner_code, "crop": lot.crop, "mass_kg": lot.mass_kg} for lot in arriving]
    return {
        "name": "live",
        "silos": [
            {
                "id": silo.code,
                "capacity_kg": silo.capacity_kg,
                "allow_mixing": silo.allow_mixing,
                "contents": contents.get(silo.code, []),
            }
            for silo in silos
        ],
        "lots": lots,
    }


def plan_silos(uow: UnitOfWork, *, arriving: list[ArrivingLot], time_limit_s: float, seed: int = 1) -> dict[str, Any]:
    """Solve the live silo instance; return the checked plan (steps in silo codes and lot references).

    Read in a short transaction; the solver runs outside it, so planning holds no locks.
    """
    check_time_limit(time_limit_s)
    with uow:
        instance_json = build_silo_instance_json(uow, arriving)

    def solve() -> SolveResult:
        result = solve_silos(instance_from_json(instance_json, "live"), time_limit_s, seed)
        # A result without a plan may still carry the reason; solve_checked then asks for more time.
        return result if result.objective is not None else dataclasses.replace(result, plan={})

    result = solve_checked("silo", solve, lambda plan: check_silo_data(instance_json, plan), time_limit_s)
    plan = result.to_json()
    return {
        "kind": "silo",
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "runtime_s": round(result.runtime_s, 3),
        **{
            key: plan[key]
            for key in (
                "transfer_count",
                "target_transfers",
                "buffer_hops",
                "transfer_steps",
                "transferred_kg",
                "portions",
                "silos_in_use",
                "sequence",
                "allocation",
            )
        },
        "checked": True,
        "applied": False,
    }
