"""Berth planning on live data: the DBAP instance from the tables, a checked plan, and applying it.

Rules for the berth instance (documented in docs/planning-live.md):

* vessels: visits with status ``announced``; arrival = ETA in whole hours after the reference time,
  rounded up, and 0 for a vessel already due;
* berths: container berths (``purpose == "container"``) with at least one quay crane; a berth with a
  vessel alongside opens at that vessel's ETD (or ETB + ``DEFAULT_BUSY_H`` when no ETD is known);
* handling time of vessel v at berth b, in whole hours (at least 1):
  ``ceil(moves(v) / (cranes(b) × moves_per_h(b)))`` where ``moves(v)`` counts the containers on
  board or announced for the visit (position reference = the visit) and, when there are none, the
  scenario's average call ``(base_teu_per_call_discharge + base_teu_per_call_load) / teu_per_box``;
  ``moves_per_h(b)`` is the mean rate of the berth's seeded quay cranes (``STS-<berth>-n``), else the
  scenario's ``sts_moves_per_h``;
* a berth shorter than the vessel is forbidden (vessel visits carry no length, so the caller may
  give ``vessel_lengths_m``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from landbridge.domain.containers import PositionKind
from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.visits import VesselVisitStatus
from landbridge.planning.berth.check import check_dbap
from landbridge.planning.berth.problem import BerthInstance, berth_instance_text
from landbridge.planning.berth.solve import solve_berth
from landbridge.scenarios import current_scenario
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, subject_event
from landbridge.services.operations.vessel import visit_view
from landbridge.services.planning_bounds import arriving_in_window, check_berth_size, free_in_window
from landbridge.services.planning_live.common import (
    HOUR,
    as_utc,
    check_time_limit,
    default_reference_time,
    hours_after,
    solve_checked,
)
from landbridge.services.planning_live.plans import BerthPlan, parse_plan
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

DEFAULT_BUSY_H = 12
"""How long a berth stays taken by a vessel alongside whose ETD is unknown (assumed: half a day)."""


@dataclass(frozen=True)
class LiveBerthInstance:
    """A berth instance with the live identifiers behind its indices."""

    instance: BerthInstance
    reference_time: datetime
    vessels: tuple[str, ...]
    berths: tuple[str, ...]
    moves: tuple[int, ...]
    moves_source: tuple[str, ...]


def _crane_rates(uow: UnitOfWork) -> dict[str, float]:
    """Mean quay-crane rate per berth from the seeded equipment (``STS-<berth>-<n>``)."""
    rates: dict[str, list[float]] = {}
    for row in uow.session.scalars(select(tables.EquipmentRow).where(tables.EquipmentRow.kind == "quay_crane")):
        parts = row.code.split("-")
        if len(parts) >= 3:
            rates.setdefault("-".join(parts[1:-1]), []).append(row.moves_per_h)
    return {berth: sum(values) / len(values) for berth, values in rates.items()}


def _visit_moves(uow: UnitOfWork, reference: str) -> int:
    """Containers on board or announced for the visit: the moves its call is known to need."""
    query = select(tables.ContainerRow.number).where(
        tables.ContainerRow.position_reference == reference,
        tables.ContainerRow.position_kind.in_((PositionKind.VESSEL.value, PositionKind.ANNOUNCED.value)),
    )
    return len(list(uow.session.scalars(query)))


def build_berth_instance(
    uow: UnitOfWork,
    *,
    reference_time: datetime,
    berth_codes: list[str] | None = None,
    vessel_lengths_m: dict[str, float] | None = None,
    vessel_references: list[str] | None = None,
) -> LiveBerthInstance:
    """The DBAP instance of the announced vessels and container berths (rules in the module docstring)."""
    scenario = current_scenario()
    reference_time = as_utc(reference_time)
    lengths = vessel_lengths_m or {}
    vessels_repo = uow.vessels
    if vessel_references is None:
        announced = [v for v in vessels_repo.all() if v.status == VesselVisitStatus.ANNOUNCED.value]
        visits = arriving_in_window(announced, [hours_after(v.eta, reference_time) for v in announced])
    else:
        visits = []
        for index, reference in enumerate(vessel_references):
            row = vessels_repo.get(reference, lock=True)
            if row is None:
                raise NotFound(f"plan.assignments[{index}].vessel", f"no vessel visit {reference!r}")
            if row.status != VesselVisitStatus.ANNOUNCED.value:
                raise RuleViolation(
                    f"plan.assignments[{index}].vessel", f"vessel visit {reference} is {row.status}, not announced"
                )
            visits.append(row)
    if not visits:
        raise RuleViolation("vessel_visits", "no announced vessel visit to plan")
    visits.sort(key=lambda v: (as_utc(v.eta), v.reference))
    for reference in lengths:
        if reference not in {v.reference for v in visits}:
            raise NotFound("vessel_lengths_m", f"no announced vessel visit {reference!r}")
    all_berths = {row.code: row for row in uow.session.scalars(select(tables.BerthRow).order_by(tables.BerthRow.code))}
    if berth_codes is None:
        berths = [b for b in all_berths.values() if b.purpose == "container" and b.quay_cranes > 0]
    else:
        berths = []
        for index, code in enumerate(berth_codes):
            berth = all_berths.get(code)
            if berth is None:
                raise NotFound(f"berth_codes[{index}]", f"no berth {code!r}")
            if berth.purpose != "container" or berth.quay_cranes < 1:
                raise RuleViolation(f"berth_codes[{index}]", f"berth {code} is not a container berth with cranes")
            berths.append(berth)
    if not berths:
        raise RuleViolation("berth_codes", "no container berth to plan on")
    rates = _crane_rates(uow)
    default_moves = max(
        1,
        round(
            (scenario.port.base_teu_per_call_discharge + scenario.port.base_teu_per_call_load)
            / scenario.port.teu_per_box
        ),
    )
    arrivals = [hours_after(v.eta, reference_time) for v in visits]
    openings: list[int] = []
    for berth in berths:
        occupant = vessels_repo.berthed_at(berth.code)
        if occupant is None:
            openings.append(0)
        elif occupant.etd is not None:
            openings.append(hours_after(occupant.etd, reference_time))
        else:
            alongside = as_utc(occupant.etb) if occupant.etb is not None else reference_time
            openings.append(hours_after(alongside + DEFAULT_BUSY_H * HOUR, reference_time))
    berths, openings = free_in_window(berths, openings)
    moves: list[int] = []
    sources: list[str] = []
    handling: list[tuple[int | None, ...]] = []
    for visit in visits:
        known = _visit_moves(uow, visit.reference)
        moves.append(known or default_moves)
        sources.append("announced containers" if known else "scenario average call")
        times: list[int | None] = []
        for berth in berths:
            rate = rates.get(berth.code, scenario.port.sts_moves_per_h) * berth.quay_cranes
            length = lengths.get(visit.reference)
            if length is not None and length > berth.length_m:
                times.append(None)
            else:
                times.append(max(1, math.ceil(moves[-1] / rate - 1e-9)))
        if all(value is None for value in times):
            raise RuleViolation("vessel_lengths_m", f"vessel {visit.reference} fits no berth")
        handling.append(tuple(times))
    longest = sum(max(v for v in row if v is not None) for row in handling)
    horizon = max(arrivals) + max(openings) + longest + 1
    check_berth_size(len(visits), horizon)
    instance = BerthInstance(
        name="live-berths",
        arrival_times=tuple(arrivals),
        opening_times=tuple(openings),
        closing_times=tuple([horizon] * len(berths)),
        handling_times=tuple(handling),
        deadlines=tuple([horizon] * len(visits)),
    )
    return LiveBerthInstance(
        instance,
        reference_time,
        tuple(v.reference for v in visits),
        tuple(b.code for b in berths),
        tuple(moves),
        tuple(sources),
    )


def _check_berth(instance: BerthInstance, internal_plan: dict[str, Any]) -> list[str]:
    """The independent checker's violations of a plan in solver indices (the instance as text, no file)."""
    return check_dbap(berth_instance_text(instance), internal_plan)


def plan_berths(
    uow: UnitOfWork,
    *,
    time_limit_s: float,
    seed: int = 1,
    reference_time: datetime | None = None,
    berth_codes: list[str] | None = None,
    vessel_lengths_m: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Solve the live berth instance and return the checked plan in live identifiers.

    The instance is read in a short transaction and the solver runs outside it, so planning never
    holds locks while it thinks.
    """
    check_time_limit(time_limit_s)
    with uow:
        live = build_berth_instance(
            uow,
            reference_time=reference_time or default_reference_time(),
            berth_codes=berth_codes,
            vessel_lengths_m=vessel_lengths_m,
        )
    result = solve_checked(
        "berth",
        lambda: solve_berth(live.instance, time_limit_s, seed),
        lambda plan: _check_berth(live.instance, plan),
        time_limit_s,
    )
    internal = result.to_json()
    assignments = []
    for entry in sorted(internal["assignments"], key=lambda e: (e["start"], e["vessel"])):
        vessel, berth, start = int(entry["vessel"]), int(entry["berth"]), int(entry["start"])
        handling = live.instance.handling_times[vessel][berth]
        assert handling is not None
        assignments.append(
            {
                "vessel": live.vessels[vessel],
                "berth": live.berths[berth],
                "etb": (live.reference_time + start * HOUR).isoformat(),
                "etd": (live.reference_time + (start + handling) * HOUR).isoformat(),
                "start_h": start,
                "arrival_h": live.instance.arrival_times[vessel],
                "handling_h": handling,
                "moves": live.moves[vessel],
                "moves_source": live.moves_source[vessel],
            }
        )
    return {
        "kind": "berth",
        "reference_time": live.reference_time.isoformat(),
        "time_unit": "h",
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "runtime_s": round(result.runtime_s, 3),
        "berths": list(live.berths),
        "assignments": assignments,
        "checked": True,
        "applied": False,
    }


def record_planned_berth(
    uow: UnitOfWork, actor: Actor, visit: tables.VesselVisitRow, berth_code: str, etb: datetime, etd: datetime
) -> dict[str, Any]:
    """Record a vessel's planned berth and times on its visit, with an event (the caller commits).

    The vessel stays ``announced``: a plan is not an arrival, and berthing stays the operator's
    ``berth`` command. The ``vessel.berth_planned`` event's ``after`` carries the planned berth, ETB
    and ETD.
    """
    before = visit_view(visit)
    visit.berth_code, visit.etb, visit.etd = berth_code, etb, etd
    uow.session.flush()
    after = {**visit_view(visit), "etd": etd.isoformat(), "planned": True}
    subject_event(
        uow,
        EventType.VESSEL_BERTH_PLANNED,
        "vessel_visit",
        visit.reference,
        actor,
        before,
        after,
        location=f"berth {berth_code} (planned)",
    )
    return after


def apply_berth_plan(
    uow: UnitOfWork, actor: Actor, plan: dict[str, Any], idempotency: IdempotencyKey | None = None
) -> Outcome:
    """Re-check a berth plan against the live data and record every vessel's planned berth, in one transaction."""
    typed = parse_plan(BerthPlan, plan)
    reference_time = typed.reference_time
    parsed = [(entry.vessel, entry.berth, entry.etb) for entry in typed.assignments]

    def work(uow: UnitOfWork) -> dict[str, Any]:
        live = build_berth_instance(uow, reference_time=reference_time, vessel_references=[v for v, _, _ in parsed])
        internal: list[dict[str, Any]] = []
        for index, (vessel, berth, etb) in enumerate(parsed):
            if berth not in live.berths:
                raise RuleViolation(f"plan.assignments[{index}].berth", f"{berth} is not a container berth")
            offset = (etb - live.reference_time) / HOUR
            if offset != int(offset):
                raise RuleViolation(f"plan.assignments[{index}].etb", "ETB must be a whole hour after reference_time")
            internal.append(
                {"vessel": live.vessels.index(vessel), "berth": live.berths.index(berth), "start": int(offset)}
            )
        errors = _check_berth(
            live.instance, {"assignments": internal, "objective": typed.objective, "bound": typed.bound}
        )
        if errors:
            raise RuleViolation("plan", "the plan no longer holds on live data: " + "; ".join(errors))
        visits = uow.vessels
        applied = []
        for (vessel, berth, etb), entry in zip(parsed, internal, strict=True):
            row = visits.get(vessel, lock=True)
            assert row is not None
            handling = live.instance.handling_times[entry["vessel"]][entry["berth"]]
            assert handling is not None
            applied.append(record_planned_berth(uow, actor, row, berth, etb, etb + handling * HOUR))
        return {**plan, "checked": True, "applied": True, "vessel_visits": applied}

    return execute(uow, actor, work, idempotency=idempotency)
