"""Berth and train load planning on live data: build the solvers' instances from the tables, solve, check, apply.

Why this module exists: the solvers in :mod:`landbridge.planning` know only typed instances with
0-based indices; the hub knows vessel references, berth codes, wagon numbers and container
numbers. This module is the translation in both directions, and it keeps three promises:

* every plan is run through the planner's own independent checker (from its JSON, via an instance
  file written in the checker's format) before anyone sees it, and again before it is applied;
* applying goes through the operations services, so every operating rule and event applies;
* applying is all-or-nothing: one transaction, rolled back if any step is refused.

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

Rules for the train instance: the train's wagons that carry nothing yet, each with the slot layouts
its platform allows (a 40 ft rail slot holds one 40/45 ft box or two 20 ft boxes, as the rail load
service rules); containers either listed by the caller or, when none are listed, every yard box whose
booking's destination is the UN/LOCODE of the train's route; limits from the train type (axle load,
cargo mass less what is already on the train, length). Applying a train plan works each yard stack of
the plan top-down, first relocating boxes outside the plan that stand on a planned one (yard move
service, slot by the yard's proposal rule, own block first), and retries the whole apply on a write
clash (serialization failure, deadlock, SQLite lock).
"""

from __future__ import annotations

import itertools
import json
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from landbridge.corridor.network import locodes
from landbridge.domain.containers import PositionKind
from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.iso_types import size_type
from landbridge.domain.visits import VesselVisitStatus
from landbridge.domain.yard import YardSlot
from landbridge.planning.berth.check import check_dbap_plan
from landbridge.planning.berth.problem import FORBIDDEN_HANDLING, BerthInstance
from landbridge.planning.berth.solve import solve_berth
from landbridge.planning.common import PlanningInputError, SolveResult, SolveStatus
from landbridge.planning.trains.entry import safe_check_train
from landbridge.planning.trains.problem import Container, Limits, TrainInstance, Wagon
from landbridge.planning.trains.solve import solve_train
from landbridge.scenarios import current_scenario
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations import rail, yard
from landbridge.services.operations.common import execute, subject_event
from landbridge.services.operations.vessel import visit_view
from landbridge.services.operations.yard_rules import BlockState, Box, StoredBox, block_preference, covered_bays
from landbridge.services.retry import is_clash, retry_on_clash
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

HOUR = timedelta(hours=1)
DEFAULT_BUSY_H = 12
"""How long a berth stays taken by a vessel alongside whose ETD is unknown (assumed: half a day)."""
MAX_TIME_LIMIT_S = 60.0


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the hub stores UTC, so naive means UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _hours_after(moment: datetime, reference: datetime) -> int:
    """Whole hours from the reference to ``moment``, rounded up, never negative."""
    return max(0, math.ceil((_utc(moment) - reference) / HOUR - 1e-9))


def default_reference_time() -> datetime:
    """The current hour (plans start on whole hours so ETBs are round)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def check_time_limit(time_limit_s: float) -> None:
    """Live plans answer an HTTP request: the limit is positive and capped (``MAX_TIME_LIMIT_S``)."""
    if not 0 < time_limit_s <= MAX_TIME_LIMIT_S:
        raise RuleViolation("time_limit_s", f"must be greater than 0 and at most {MAX_TIME_LIMIT_S:g} s")


# --------------------------------------------------------------------------------------------- berths


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
    reference_time = _utc(reference_time)
    lengths = vessel_lengths_m or {}
    vessels_repo = uow.vessels
    if vessel_references is None:
        visits = [v for v in vessels_repo.all() if v.status == VesselVisitStatus.ANNOUNCED.value]
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
    visits.sort(key=lambda v: (_utc(v.eta), v.reference))
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
    arrivals = [_hours_after(v.eta, reference_time) for v in visits]
    openings: list[int] = []
    for berth in berths:
        occupant = vessels_repo.berthed_at(berth.code)
        if occupant is None:
            openings.append(0)
        elif occupant.etd is not None:
            openings.append(_hours_after(occupant.etd, reference_time))
        else:
            alongside = _utc(occupant.etb) if occupant.etb is not None else reference_time
            openings.append(_hours_after(alongside + DEFAULT_BUSY_H * HOUR, reference_time))
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


def _berth_instance_text(instance: BerthInstance) -> str:
    """The Lalla-Ruiz file layout the independent checker reads."""
    lines = [
        f"{instance.vessel_count} {instance.berth_count}",
        " ".join(map(str, instance.arrival_times)),
        " ".join(map(str, instance.opening_times)),
        *(" ".join(str(FORBIDDEN_HANDLING if h is None else h) for h in row) for row in instance.handling_times),
        " ".join(map(str, instance.closing_times)),
        " ".join(map(str, instance.deadlines)),
    ]
    return "\n".join(lines) + "\n"


def _check_berth(instance: BerthInstance, internal_plan: dict[str, Any]) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="landbridge-plan-") as folder:
        path = Path(folder) / "live.txt"
        path.write_text(_berth_instance_text(instance), encoding="utf-8")
        return check_dbap_plan(path, internal_plan)


def solve_checked(
    what: str, solve: Callable[[], SolveResult], check: Callable[[dict[str, Any]], list[str]], time_limit_s: float
) -> SolveResult:
    """Solve, then refuse what cannot be handed out: bad input, no plan, or a plan its checker rejects."""
    try:
        result = solve()
    except PlanningInputError as error:
        raise RuleViolation(error.field_name, error.reason) from None
    if result.status is SolveStatus.INFEASIBLE:
        raise RuleViolation("plan", "infeasible: no plan satisfies every limit of the live data")
    if not result.plan:
        raise RuleViolation("time_limit_s", f"no plan found within {time_limit_s:g} s; allow more time")
    errors = check(result.to_json())
    if errors:
        raise RuleViolation("plan", f"the {what} plan failed its checker: " + "; ".join(errors))
    return result


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


def _plan_field(plan: dict[str, Any], key: str, kind: type) -> Any:
    value = plan.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RuleViolation(f"plan.{key}", f"missing or not a {kind.__name__}")
    return value


def _timestamp(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise RuleViolation(where, "expected an ISO 8601 timestamp")
    try:
        return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        raise RuleViolation(where, f"not an ISO 8601 timestamp: {value!r}") from None


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
    if plan.get("kind") != "berth":
        raise RuleViolation("plan.kind", "expected a berth plan")
    reference_time = _timestamp(plan.get("reference_time"), "plan.reference_time")
    entries = _plan_field(plan, "assignments", list)
    if not entries:
        raise RuleViolation("plan.assignments", "the plan assigns no vessel")
    parsed: list[tuple[str, str, datetime]] = []
    for index, entry in enumerate(entries):
        where = f"plan.assignments[{index}]"
        if not isinstance(entry, dict):
            raise RuleViolation(where, "expected an object")
        vessel, berth = entry.get("vessel"), entry.get("berth")
        if not isinstance(vessel, str) or not isinstance(berth, str):
            raise RuleViolation(where, "vessel and berth must be strings")
        parsed.append((vessel, berth, _timestamp(entry.get("etb"), f"{where}.etb")))

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
            live.instance, {"assignments": internal, "objective": plan.get("objective"), "bound": plan.get("bound")}
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


# --------------------------------------------------------------------------------------------- trains


def wagon_patterns(platform_ft: int) -> dict[tuple[int, ...], tuple[int, ...]]:
    """Solver slot layouts of a platform, each with the rail slot (1-based) of every solver slot.

    A 40 ft rail slot takes one 40/45 ft box (solver slot "45", which accepts 40 and 45 ft boxes)
    or two 20 ft boxes (two solver "20" slots); a 20 ft rail slot takes one 20 ft box.
    """
    options: list[list[tuple[int, ...]]] = []
    for length in rail.slot_layout_ft(platform_ft):
        options.append([(45,), (20, 20)] if length >= 40 else [(20,)])
    patterns: dict[tuple[int, ...], tuple[int, ...]] = {}
    for choice in itertools.product(*options):
        pattern = tuple(itertools.chain.from_iterable(choice))
        slots = tuple(itertools.chain.from_iterable([number] * len(part) for number, part in enumerate(choice, 1)))
        patterns[pattern] = slots
    return patterns


@dataclass(frozen=True)
class LiveTrainInstance:
    """A train instance whose ids are the live wagon and container numbers."""

    instance: TrainInstance
    train_reference: str
    platform_ft: dict[str, int]
    yard_slots: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The instance in the JSON format the independent checker reads."""
        instance = self.instance
        return {
            "name": instance.name,
            "mode": instance.mode,
            "objective": instance.objective,
            "limits": {
                "axle_load_kg": instance.limits.axle_load_kg,
                "train_cargo_mass_kg": instance.limits.train_cargo_mass_kg,
                "train_length_m": instance.limits.train_length_m,
            },
            "wagons": [
                {
                    "id": w.wagon_id,
                    "length_m": w.length_m,
                    "tare_kg": w.tare_kg,
                    "payload_kg": w.payload_kg,
                    "axles": w.axles,
                    "patterns": [list(p) for p in w.patterns],
                }
                for w in instance.wagons
            ],
            "containers": [
                {
                    "id": c.container_id,
                    "length_ft": c.length_ft,
                    "gross_mass_kg": c.gross_mass_kg,
                    "priority": c.priority,
                    "yard": None if c.yard_stack is None else {"stack": c.yard_stack, "tier": c.yard_tier},
                }
                for c in instance.containers
            ],
        }


def _yard_boxes_for_route(uow: UnitOfWork, route_code: str) -> list[str]:
    locode = locodes(current_scenario()).get(route_code)
    if locode is None:
        return []
    query = (
        select(tables.ContainerRow.number)
        .join(tables.ConsignmentRow, tables.ConsignmentRow.booking_reference == tables.ContainerRow.booking_reference)
        .where(
            tables.ContainerRow.position_kind == PositionKind.YARD.value,
            tables.ConsignmentRow.destination == locode,
        )
        .order_by(tables.ContainerRow.number)
    )
    return list(uow.session.scalars(query))


def build_train_instance(
    uow: UnitOfWork, *, train_reference: str, container_numbers: list[str] | None = None, field_name: str = ""
) -> LiveTrainInstance:
    """The load planning instance of a train at the base (rules in the module docstring)."""
    prefix = f"{field_name}." if field_name else ""
    rail_repo = uow.rail
    train = rail_repo.train(train_reference)
    if train is None:
        raise NotFound(f"{prefix}train_reference", f"no train visit {train_reference!r}")
    if train.status not in rail.AT_BASE:
        raise RuleViolation(f"{prefix}train_reference", f"train {train_reference} is {train.status}, not at the base")
    train_type = rail_repo.train_type(train.train_type_code or "")
    if train_type is None:
        raise RuleViolation(f"{prefix}train_reference", f"train {train_reference} has no train type")
    types = rail_repo.wagon_types()
    cells = rail_repo.cells_of_train(train_reference)
    busy = {wagon.id for _, wagon in cells}
    on_train = uow.containers.rows({cell.container_number for cell, _ in cells})
    already_kg = sum(rail.box_mass_kg(row) for row in on_train.values())
    wagons: list[Wagon] = []
    platforms: dict[str, int] = {}
    for wagon_row in rail_repo.wagons(train_reference):
        if wagon_row.id in busy:
            continue  # a partly loaded wagon is left as it is: the plan fills empty wagons only
        wagon_type = types[wagon_row.wagon_type_code]
        platforms[wagon_row.number] = wagon_type.platform_ft
        wagons.append(
            Wagon(
                wagon_row.number,
                wagon_type.length_m,
                wagon_type.tare_kg,
                wagon_type.payload_kg,
                wagon_type.axles,
                tuple(wagon_patterns(wagon_type.platform_ft)),
            )
        )
    if not wagons:
        raise RuleViolation(f"{prefix}train_reference", f"train {train_reference} has no empty wagon to plan")
    if container_numbers is None:
        numbers = _yard_boxes_for_route(uow, train.route_code)
        if not numbers:
            raise RuleViolation(
                "container_numbers", f"no yard container is booked to route {train.route_code}; list them"
            )
        where = ["container_numbers"] * len(numbers)
    else:
        numbers = list(container_numbers)
        where = [f"{prefix}container_numbers[{i}]" for i in range(len(numbers))]
        if not numbers:
            raise RuleViolation(f"{prefix}container_numbers", "no container to plan")
    rows = uow.containers.rows(set(numbers))
    slots = {
        slot.container_number: slot
        for slot in uow.session.scalars(
            select(tables.YardSlotRow).where(tables.YardSlotRow.container_number.in_(numbers))
        )
    }
    containers: list[Container] = []
    yard: dict[str, str] = {}
    seen: set[str] = set()
    for number, location in zip(numbers, where, strict=True):
        row = rows.get(number)
        if row is None:
            raise NotFound(location, f"no container {number!r}")
        if number in seen:
            raise RuleViolation(location, f"{number} is listed twice")
        seen.add(number)
        if row.position_kind != PositionKind.YARD.value:
            raise RuleViolation(location, f"{number} is {row.position_kind}, not in the yard")
        length = size_type(row.iso_type).length_ft
        if length not in (20, 40, 45):
            raise RuleViolation(location, f"{number} is {length} ft; trains carry 20, 40 and 45 ft boxes")
        slot = slots.get(number)
        stack = None if slot is None else f"{slot.block}-{slot.bay:02d}-{slot.row:02d}"
        if slot is not None:
            yard[number] = f"{stack}-{slot.tier}"
        containers.append(
            Container(number, length, rail.box_mass_kg(row), 1, stack, None if slot is None else slot.tier, None)
        )
    cargo = None if train_type.max_cargo_kg is None else max(0, train_type.max_cargo_kg - already_kg)
    limits = Limits(train_type.axle_load_kg, cargo, train_type.max_length_m)
    instance = TrainInstance(f"live-{train_reference}", "load", "teu", limits, tuple(wagons), tuple(containers))
    return LiveTrainInstance(instance, train_reference, platforms, yard)


def _check_train(live: LiveTrainInstance, plan: dict[str, Any]) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="landbridge-plan-") as folder:
        path = Path(folder) / "live.json"
        path.write_text(json.dumps(live.as_json()), encoding="utf-8")
        return safe_check_train(path, plan)


def _train_assignments(live: LiveTrainInstance, wagons: Any) -> list[dict[str, Any]]:
    """Each loaded container with its wagon and rail slot (the load order is :func:`_yard_sequence`'s)."""
    if not isinstance(wagons, list):
        raise RuleViolation("plan.wagons", "missing or not a list")
    tiers = {c.container_id: c.yard_tier or 0 for c in live.instance.containers}
    lengths = {c.container_id: c.length_ft for c in live.instance.containers}
    result: list[dict[str, Any]] = []
    for index, row in enumerate(wagons):
        if not isinstance(row, dict) or row.get("pattern") is None:
            continue
        number = row.get("wagon")
        if number not in live.platform_ft:
            raise RuleViolation(f"plan.wagons[{index}].wagon", f"{number!r} is not an empty wagon of the train")
        mapping = wagon_patterns(live.platform_ft[number]).get(tuple(row["pattern"]))
        if mapping is None:
            raise RuleViolation(f"plan.wagons[{index}].pattern", f"not a layout of wagon {number}")
        for slot in row.get("slots", []):
            box = slot.get("container") if isinstance(slot, dict) else None
            position = slot.get("slot") if isinstance(slot, dict) else None
            if box is None:
                continue
            if not isinstance(position, int) or not 0 <= position < len(mapping):
                raise RuleViolation(f"plan.wagons[{index}].slots", f"bad slot {position!r}")
            result.append(
                {
                    "container": box,
                    "wagon": number,
                    "slot": mapping[position],
                    "length_ft": lengths.get(box),
                    "yard_slot": live.yard_slots.get(box),
                }
            )
    result.sort(key=lambda a: (-tiers.get(a["container"], 0), a["wagon"], a["slot"]))
    return result


@dataclass(frozen=True)
class _Step:
    """One move of an applied plan, in order: load a box of the plan, or relocate a blocker out of its way."""

    container: str
    yard_slot: str | None
    assignment: dict[str, Any] | None = None
    """The load (wagon, slot…) for a box of the plan; None for a blocker to relocate."""
    over: str | None = None
    """For a blocker: the nearest box of the plan under it (named when the relocation is refused)."""


@dataclass(frozen=True)
class _Sequence:
    """The moves that apply a train plan on the yard as it is now, and the ground positions to keep clear."""

    steps: tuple[_Step, ...]
    keep_clear: frozenset[tuple[str, int, int]]
    """(block, bay, row) under every box of the plan: no blocker is relocated onto a stack still to be dug."""

    @property
    def loads(self) -> list[dict[str, Any]]:
        """The assignments in the order they are loaded."""
        return [step.assignment for step in self.steps if step.assignment is not None]

    @property
    def blockers(self) -> list[dict[str, Any]]:
        """The boxes not in the plan that stand over a box of it, in the order they are moved."""
        return [
            {"container": step.container, "yard_slot": step.yard_slot, "over": step.over}
            for step in self.steps
            if step.assignment is None
        ]


def _slot_text(row: tables.YardSlotRow | None) -> str | None:
    return None if row is None else str(YardSlot(row.block, row.bay, row.row, row.tier))


_RESERVED = "(keep clear)"
"""Number of the stand-in boxes that mark the plan's stacks as taken when a blocker's slot is proposed."""


def _yard_sequence(uow: UnitOfWork, assignments: list[dict[str, Any]]) -> _Sequence:
    """Order the loads stack by stack, top-down, with the blockers of each stack moved as they come up.

    Why: the yard refuses to take out a box with another on top, and the solver's second phase only
    minimises such relocations among the plan's candidates; boxes that are not candidates at all
    may stand on a planned box too. So each yard stack holding a box of the plan is read from its
    lowest planned box upwards (the cells that box covers, tier by tier, as the yard rules stack
    them) and worked from the top: a box of the plan is loaded, any other box is relocated. Stacks
    go in yard order (block, bay, row); boxes without a yard slot load last.
    """
    repo = uow.yard
    planned = {a["container"]: a for a in assignments}
    slots = {
        slot.container_number: slot
        for slot in uow.session.scalars(
            select(tables.YardSlotRow).where(tables.YardSlotRow.container_number.in_(list(planned)))
        )
    }
    lowest: dict[tuple[str, int, int], tuple[int, str]] = {}
    keep_clear: set[tuple[str, int, int]] = set()
    loose: list[_Step] = []
    for number, assignment in planned.items():
        slot = slots.get(number)
        if slot is None:
            loose.append(_Step(number, None, assignment))
            continue
        key = (slot.block, slot.bay, slot.row)
        lowest[key] = min(lowest.get(key, (slot.tier, number)), (slot.tier, number))
        keep_clear.update((slot.block, bay, slot.row) for bay in covered_bays(slot.bay, int(assignment["length_ft"])))
    heights = {block.code: yard.limits(block).max_tiers for block in repo.blocks()}
    steps: list[_Step] = []
    for (block, bay, row), (ground_tier, ground_box) in sorted(lowest.items()):
        bays = covered_bays(bay, int(planned[ground_box]["length_ft"]))
        column: list[tuple[int, str]] = [(ground_tier, ground_box)]
        for tier in range(ground_tier + 1, heights.get(block, ground_tier) + 1):
            above = repo.occupants(block, [(b, row, tier) for b in bays])
            if not above:
                break  # nothing floats: an empty tier ends the stack
            column.extend((tier, number) for number in sorted(above))
        below_of: dict[int, str] = {}
        planned_below: str | None = None
        for tier, number in column:  # bottom-up: the nearest planned box under each tier
            below_of[tier] = planned_below or ground_box
            if number in planned:
                planned_below = number
        for tier, number in reversed(column):
            where = _slot_text(slots.get(number) or repo.slot_of(number))
            if number in planned:
                steps.append(_Step(number, where, planned[number]))
            else:
                steps.append(_Step(number, where, over=below_of[tier]))
    loose.sort(key=lambda step: (step.assignment["wagon"], step.assignment["slot"]) if step.assignment else ("", 0))
    return _Sequence(tuple(steps + loose), frozenset(keep_clear))


def _relocation_target(
    uow: UnitOfWork, row: tables.ContainerRow, keep_clear: frozenset[tuple[str, int, int]]
) -> YardSlot | None:
    """Where the yard's proposal rule would put a blocker, its own block first, off the plan's stacks.

    The rule itself is the yard service's (:func:`yard_rules.block_preference` and
    :meth:`BlockState.propose`: every stacking, reefer and dangerous-goods rule, lowest tier, then
    bay, then row); this only changes the block order (the blocker's own block first, so the
    gantry stays in its block) and marks every ground position under a box of the plan as taken,
    so a blocker is never put back on a stack the apply still has to dig or has just emptied.
    """
    repo = uow.yard
    current = repo.slot_of(row.number)
    box = yard.box_of(row, uow.containers.dangerous_classes([row.number]).get(row.number))
    blocks = block_preference([yard.limits(b) for b in repo.blocks()], box)
    blocks.sort(key=lambda b: current is None or b.code != current.block)  # stable: the rest keep the rule's order
    for limits in blocks:
        block_row = repo.block(limits.code)
        assert block_row is not None
        stored = [s for s in yard.block_state(uow, block_row).stored if s.box.number != row.number]
        reserved = [
            StoredBox(Box(_RESERVED, 20, laden=False), YardSlot(code, bay, ground_row, tier))
            for code, bay, ground_row in sorted(keep_clear)
            if code == limits.code
            for tier in range(1, limits.max_tiers + 1)
        ]
        found = BlockState(limits, [*stored, *reserved]).propose(box)
        if found is not None:
            return found
    return None


def plan_train(
    uow: UnitOfWork,
    *,
    train_reference: str,
    time_limit_s: float,
    seed: int = 1,
    container_numbers: list[str] | None = None,
) -> dict[str, Any]:
    """Solve the live train load instance and return the checked plan in live identifiers.

    ``relocations_needed`` and ``blockers`` say which boxes outside the plan stand on a box of it
    now, so the planner sees before applying how many yard moves applying will add (the apply
    recomputes them on the yard as it is then).
    """
    check_time_limit(time_limit_s)
    with uow:
        live = build_train_instance(uow, train_reference=train_reference, container_numbers=container_numbers)
    result = solve_checked(
        "train",
        lambda: solve_train(live.instance, time_limit_s, seed),
        lambda plan: _check_train(live, plan),
        time_limit_s,
    )
    solved = result.to_json()
    with uow:
        sequence = _yard_sequence(uow, _train_assignments(live, solved["wagons"]))
    return {
        **solved,
        "kind": "train",
        "train_reference": train_reference,
        "container_numbers": [c.container_id for c in live.instance.containers],
        "assignments": sequence.loads,
        "relocations_needed": len(sequence.blockers),
        "blockers": sequence.blockers,
        "checked": True,
        "applied": False,
    }


class _TransactionBroken(Exception):
    """A joined step found the shared transaction broken by an earlier database error.

    Deliberately not a ``DBAPIError``: the step's own ``execute`` would catch that and retry inside
    the broken transaction, which cannot succeed, and end in a 409. This escapes to the apply's
    retry instead, which starts a fresh transaction; it is raised *from* the database error so
    :func:`landbridge.services.retry.is_clash` still sees what happened.
    """


class _Joined(UnitOfWork):
    """A unit of work that runs inside another one's transaction: its commit only flushes.

    This is how a whole train plan goes through the rail load and yard move services one box at a
    time and still commits once: each step runs every rule and writes its event, and if any is
    refused the outer transaction rolls back every step before it.
    """

    def __init__(self, outer: UnitOfWork) -> None:
        self._outer = outer
        self._failure: DBAPIError | None = None

    def __enter__(self) -> Self:
        if self._failure is not None:
            raise _TransactionBroken("the plan's transaction failed; it is retried as a whole") from self._failure
        self.attach(self._outer.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if isinstance(exc, DBAPIError) and not isinstance(exc, IntegrityError):
            self._failure = exc

    def commit(self) -> None:
        """Flush only; the outer unit of work commits."""
        self.session.flush()

    def rollback(self) -> None:
        """Nothing to do here: the outer unit of work rolls back."""


APPLY_ATTEMPTS = 3
"""Whole-apply attempts when a concurrent writer clashes (serialization failure, deadlock, SQLite lock)."""


def _known(live: LiveTrainInstance, assignments: list[dict[str, Any]]) -> None:
    known = {c.container_id for c in live.instance.containers}
    for index, assignment in enumerate(assignments):
        if assignment["container"] not in known:
            raise RuleViolation(f"plan.assignments[{index}].container", "not a container of this plan")


def apply_train_plan(
    uow: UnitOfWork, actor: Actor, plan: dict[str, Any], idempotency: IdempotencyKey | None = None
) -> Outcome:
    """Re-check a train plan on live data, relocate blockers, load every box, all or nothing.

    Each attempt reads the data afresh: the plan is re-checked, the stacks are read, and the moves
    go through the yard move and rail load services in the apply's one transaction (every rule,
    every event). A clash with a concurrent writer retries the whole attempt (``APPLY_ATTEMPTS``,
    jittered back-off) before it is answered with a 409 a person can act on.
    """
    if plan.get("kind") != "train":
        raise RuleViolation("plan.kind", "expected a train plan")
    train_reference = _plan_field(plan, "train_reference", str)
    numbers = _plan_field(plan, "container_numbers", list)
    if not all(isinstance(n, str) for n in numbers):
        raise RuleViolation("plan.container_numbers", "expected container numbers")

    def work(uow: UnitOfWork) -> dict[str, Any]:
        live = build_train_instance(uow, train_reference=train_reference, container_numbers=numbers, field_name="plan")
        errors = _check_train(live, plan)
        if errors:
            raise RuleViolation("plan", "the plan no longer holds on live data: " + "; ".join(errors))
        assignments = _train_assignments(live, plan.get("wagons"))
        _known(live, assignments)
        sequence = _yard_sequence(uow, assignments)
        joined = _Joined(uow)
        loaded: list[dict[str, Any]] = []
        relocations: list[dict[str, Any]] = []
        for step in sequence.steps:
            if step.assignment is not None:
                outcome = rail.load_on_wagon(
                    joined,
                    actor,
                    train=train_reference,
                    container=step.container,
                    wagon_number=step.assignment["wagon"],
                    slot=step.assignment["slot"],
                )
                loaded.append(outcome.body)
                continue
            row = uow.containers.rows([step.container])[step.container]
            target = _relocation_target(uow, row, sequence.keep_clear)
            if target is None:
                raise RuleViolation(
                    "slot",
                    f"cannot relocate {step.container} from {step.yard_slot}: it stands over {step.over} of the "
                    f"plan and no free yard slot fits it off the plan's stacks; make room in the yard or leave "
                    f"{step.over} out of the plan",
                )
            yard.place_container(joined, actor, container=step.container, slot=str(target))
            relocations.append({"container": step.container, "from": step.yard_slot, "to": str(target)})
        return {
            **plan,
            "assignments": sequence.loads,
            "relocations_needed": len(relocations),
            "blockers": sequence.blockers,
            "checked": True,
            "applied": True,
            "loaded": loaded,
            "relocations": relocations,
            "relocation_count": len(relocations),
        }

    try:
        return retry_on_clash(lambda: execute(uow, actor, work, idempotency=idempotency), attempts=APPLY_ATTEMPTS)
    except Exception as error:
        if not is_clash(error):
            raise
        raise Conflict(
            "plan",
            f"the plan clashed with concurrent changes to the yard or the train {APPLY_ATTEMPTS} times in a row, "
            "so nothing of it was applied; post the same plan again (it is re-checked on the data as it is then) "
            "or ask for a new plan",
        ) from error
