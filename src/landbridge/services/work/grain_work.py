"""Work for the grain gear: a grain order as work instructions, and their moves through the grain services.

The grain gear (``GL<n>``, pool ``berth:<grain berth>``) does four kinds of job, each one command of
``services/operations/grain.py`` when its driver confirms it:

* ``grain_receive`` — tip a train of hopper wagons (or a set of laden bulk boxes) into a silo: a new lot;
* ``grain_transfer`` — move a lot, or part of it as a new lot, to another silo;
* ``grain_ship`` — load grain from a lot onto a ship at the grain berth;
* ``grain_stuff`` — fill one empty box from a lot (one job per box).

The subject of these instructions is the **lot** (``lot``; ``silo`` is the silo the grain enters or
leaves), not a box. A job that lifts no box (a hopper train, a transfer, a ship loaded by conveyor)
has ``length_ft`` 0 and carries the grain's mass; tipping or filling boxes carries the box's length
and gross mass, so the gear's spreader limits apply. Jobs of one lot depend on the lot's earlier
live jobs (a receipt before its transfer, a transfer before the ship is loaded from the new lot).
Everything is checked again when the job is confirmed: the order only makes the work visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from landbridge.domain.containers import PositionKind, mass_or_tare_kg
from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.grain import HopperWagon, check_grain_berth, check_hopper_receipt
from landbridge.domain.iso_types import size_type
from landbridge.planning.dispatch.problem import GRAIN_KINDS, InstructionKind
from landbridge.scenarios.loader import current_scenario
from landbridge.services.actor import Actor
from landbridge.services.operations import grain
from landbridge.services.operations.grain import ContainerFill
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.store.work_tables import WorkInstructionRow

GRAIN_PRIORITY = 1
PLAN_TIME_LIMIT_S = 5.0
"""How long the silo planner may take to place a receipt ordered without a silo (it answers in well under 1 s)."""


class GrainStep(StrEnum):
    """What a grain order asks of the grain gear."""

    RECEIVE = "receive"
    TRANSFER = "transfer"
    SHIP = "ship"
    STUFF = "stuff"


@dataclass(frozen=True)
class GrainOrder:
    """One grain order: the step and the figures its grain command needs (see the module docstring).

    ``silo_code`` is the receiving silo of a receipt and the target silo of a transfer.
    """

    step: GrainStep
    lot: str
    mass_kg: int | None = None
    silo_code: str | None = None
    owner_code: str | None = None
    crop: str | None = None
    grain_class: str | None = None
    moisture_pct: float | None = None
    source_kind: str | None = None
    sources: tuple[str, ...] = ()
    wagons: tuple[HopperWagon, ...] = ()
    new_reference: str | None = None
    vessel_visit: str | None = None
    fills: tuple[ContainerFill, ...] = field(default=())


class Builder(Protocol):
    """What grain work needs of the instruction builder (``generate._Builder``)."""

    uow: UnitOfWork

    def add(
        self, *, kind: InstructionKind, queue: str, pool: str, sequenced: bool, **fields: Any
    ) -> WorkInstructionRow:
        """Store one new instruction (its queue made if need be)."""
        ...


def grain_pool() -> str:
    """The grain gear's pool: the scenario's grain berth."""
    return f"berth:{current_scenario().grain.berth}"


def _required(value: Any, name: str) -> Any:
    if value is None or value == "":
        raise RuleViolation(f"grain.{name}", "required for this grain step")
    return value


class _Lots:
    """The lots the order may name: stored ones, and those live grain jobs will create first."""

    def __init__(self, uow: UnitOfWork, pool: str) -> None:
        self.uow = uow
        self.live = [r for r in uow.work.live_in_pools([pool]) if r.lot is not None]

    def jobs_of(self, lot: str) -> list[int]:
        """The live grain jobs the next job of ``lot`` must wait for (its receipt, the transfer making it)."""
        return sorted(r.id for r in self.live if r.lot == lot or (r.target or {}).get("new_reference") == lot)

    def stored(self, lot: str) -> tables.GrainLotRow | None:
        return self.uow.grain.lot(lot)

    def silo_of(self, lot: str, name: str = "lot") -> str:
        """Where the lot's grain is (or will be): 404 at ``grain.<name>`` for a lot nobody knows."""
        row = self.stored(lot)
        if row is not None and row.silo_code is not None:
            return row.silo_code
        makers = [r for r in self.live if r.id in self.jobs_of(lot) and r.silo is not None]
        if row is None and not makers:
            raise NotFound(f"grain.{name}", f"no grain lot {lot!r} (stored or about to be received)")
        return makers[-1].silo if makers and makers[-1].silo else "?"

    def added(self, row: WorkInstructionRow) -> None:
        self.live.append(row)


def _silo(uow: UnitOfWork, code: str, name: str) -> str:
    if uow.grain.silo(code) is None:
        raise NotFound(f"grain.{name}", f"no silo {code!r}")
    return code


def _receive(builder: Builder, lots: _Lots, order: GrainOrder, common: dict[str, Any]) -> None:
    uow = builder.uow
    if lots.stored(order.lot) is not None or any(r.lot == order.lot for r in lots.live if r.kind == "grain_receive"):
        raise Conflict("grain.lot", f"grain lot {order.lot} already exists or is already ordered in")
    mass_kg = _required(order.mass_kg, "mass_kg")
    silo = _silo(uow, _required(order.silo_code, "silo_code"), "silo_code")
    for name in ("owner_code", "crop", "grain_class", "moisture_pct", "source_kind"):
        _required(getattr(order, name), name)
    if uow.parties.party(order.owner_code or "") is None:
        raise NotFound("grain.owner_code", f"no party {order.owner_code!r}")
    length_ft, lifted_kg = 0, mass_kg
    if order.source_kind == "hopper_wagons":
        check_hopper_receipt(order.wagons, mass_kg, "grain.wagons")
        source = f"{len(order.wagons)} hopper wagons"
    elif order.source_kind == "containers":
        boxes = uow.containers.rows(list(order.sources))
        for index, number in enumerate(_required(order.sources or None, "sources")):
            if number not in boxes:
                raise NotFound(f"grain.sources[{index}]", f"no container {number}")
        # The gear lifts each box to tip it: the longest and heaviest decide who may.
        length_ft = max(size_type(b.iso_type).length_ft for b in boxes.values())
        lifted_kg = max(mass_or_tare_kg(b.gross_mass_kg, b.iso_type) for b in boxes.values())
        source = f"{len(order.sources)} bulk boxes"
    else:
        raise RuleViolation("grain.source_kind", "must be one of hopper_wagons, containers")
    target = {
        "owner_code": order.owner_code,
        "crop": order.crop,
        "grain_class": order.grain_class,
        "mass_kg": mass_kg,
        "moisture_pct": order.moisture_pct,
        "source_kind": order.source_kind,
        "sources": list(order.sources),
        "wagons": [{"number": w.number, "mass_kg": w.mass_kg} for w in order.wagons],
    }
    lots.added(
        builder.add(
            kind=InstructionKind.GRAIN_RECEIVE,
            silo=silo,
            from_place=source,
            to_place=f"silo {silo}",
            target=target,
            length_ft=length_ft,
            mass_kg=lifted_kg,
            **common,
        )
    )


def _transfer(builder: Builder, lots: _Lots, order: GrainOrder, common: dict[str, Any]) -> None:
    from_silo = lots.silo_of(order.lot)
    to_silo = _silo(builder.uow, _required(order.silo_code, "silo_code"), "silo_code")
    stored = lots.stored(order.lot)
    moved = order.mass_kg if order.mass_kg is not None else (stored.mass_kg if stored is not None else 0)
    if stored is not None and not 0 < moved <= stored.mass_kg:
        raise RuleViolation("grain.mass_kg", f"lot {order.lot} holds {stored.mass_kg} kg; cannot move {moved} kg")
    lots.added(
        builder.add(
            kind=InstructionKind.GRAIN_TRANSFER,
            silo=to_silo,
            from_place=f"silo {from_silo}",
            to_place=f"silo {to_silo}",
            target={"mass_kg": order.mass_kg, "new_reference": order.new_reference, "from_silo": from_silo},
            length_ft=0,
            mass_kg=moved,
            **common,
        )
    )


def _ship(builder: Builder, lots: _Lots, order: GrainOrder, common: dict[str, Any]) -> None:
    uow = builder.uow
    silo = lots.silo_of(order.lot)
    mass_kg = _required(order.mass_kg, "mass_kg")
    reference = _required(order.vessel_visit, "vessel_visit")
    visit = uow.vessels.get(reference)
    if visit is None:
        raise NotFound("grain.vessel_visit", f"no vessel visit {reference!r}")
    if visit.berth_code is not None:
        berth = uow.vessels.berth(visit.berth_code)
        check_grain_berth(visit.berth_code, "container" if berth is None else berth.purpose, "grain.vessel_visit")
    lots.added(
        builder.add(
            kind=InstructionKind.GRAIN_SHIP,
            silo=silo,
            visit=reference,
            from_place=f"silo {silo}",
            to_place=f"vessel {reference}",
            target={"mass_kg": mass_kg, "vessel_visit": reference},
            length_ft=0,
            mass_kg=mass_kg,
            **common,
        )
    )


def _stuff(builder: Builder, lots: _Lots, order: GrainOrder, common: dict[str, Any]) -> None:
    uow = builder.uow
    silo = lots.silo_of(order.lot)
    if not order.fills:
        raise RuleViolation("grain.containers", "name at least one container")
    numbers = [f.container for f in order.fills]
    for index, number in enumerate(numbers):
        if number in numbers[:index]:
            raise RuleViolation(f"grain.containers[{index}].container", f"{number} is listed twice")
    boxes = uow.containers.rows(numbers)
    filling = {r.target.get("container"): r.id for r in lots.live if r.kind == InstructionKind.GRAIN_STUFF.value}
    for index, fill in enumerate(order.fills):
        where = f"grain.containers[{index}].container"
        box = boxes.get(fill.container)
        if box is None:
            raise NotFound(where, f"no container {fill.container}")
        if fill.container in filling:
            raise Conflict(
                where, f"{fill.container} is already to be filled (work instruction {filling[fill.container]})"
            )
        if box.load_state != "empty" or box.position_kind not in (PositionKind.YARD.value, PositionKind.CFS.value):
            raise RuleViolation(where, f"{box.number} is not an empty box in the hub")
        if size_type(box.iso_type).is_reefer:
            raise RuleViolation(where, f"{box.number} is a reefer; grain goes in dry or bulk boxes")
        # Boxes of one lot are filled side by side: each waits only for the lot's earlier jobs.
        lots.added(
            builder.add(
                **common,
                kind=InstructionKind.GRAIN_STUFF,
                silo=silo,
                from_place=f"silo {silo}",
                to_place=f"container {box.number}",
                target={"container": box.number, "mass_kg": fill.mass_kg},
                length_ft=size_type(box.iso_type).length_ft,
                mass_kg=mass_or_tare_kg(None, box.iso_type) + fill.mass_kg,
            )
        )


_STEPS = {GrainStep.RECEIVE: _receive, GrainStep.TRANSFER: _transfer, GrainStep.SHIP: _ship, GrainStep.STUFF: _stuff}


def grain_work(builder: Builder, order: GrainOrder) -> None:
    """The order's instructions in the grain berth's queue, after the lot's earlier live jobs."""
    pool = grain_pool()
    lots = _Lots(builder.uow, pool)
    common: dict[str, Any] = {
        "lot": order.lot,
        "queue": f"grain:{pool.partition(':')[2]}",
        "pool": pool,
        "sequenced": False,
        "priority": GRAIN_PRIORITY,
        "depends_on": lots.jobs_of(order.lot),
        "from_pool": pool,
        "to_pool": pool,
    }
    _STEPS[order.step](builder, lots, order, common)


def grain_move(uow: UnitOfWork, actor: Actor, row: WorkInstructionRow) -> dict[str, Any]:
    """Record a confirmed grain job through its grain command (in the caller's transaction)."""
    kind, target, lot = InstructionKind(row.kind), dict(row.target or {}), row.lot or ""
    assert kind in GRAIN_KINDS
    if kind is InstructionKind.GRAIN_RECEIVE:
        outcome = grain.receive_grain(
            uow,
            actor,
            reference=lot,
            owner_code=target["owner_code"],
            crop=target["crop"],
            grain_class=target["grain_class"],
            mass_kg=int(target["mass_kg"]),
            moisture_pct=float(target["moisture_pct"]),
            silo_code=row.silo or "",
            source_kind=target["source_kind"],
            sources=list(target.get("sources") or ()),
            wagons=_wagons(target.get("wagons") or ()),
        )
    elif kind is InstructionKind.GRAIN_TRANSFER:
        outcome = grain.transfer_grain(
            uow,
            actor,
            lot=lot,
            to_silo=row.silo or "",
            mass_kg=target.get("mass_kg"),
            new_reference=target.get("new_reference"),
        )
    elif kind is InstructionKind.GRAIN_SHIP:
        outcome = grain.ship_grain(
            uow, actor, lot=lot, mass_kg=int(target["mass_kg"]), vessel_visit=target["vessel_visit"]
        )
    else:
        fill = ContainerFill(target["container"], int(target["mass_kg"]))
        outcome = grain.load_grain_into_containers(uow, actor, lot=lot, fills=[fill])
    return dict(outcome.body)


def _wagons(listed: Sequence[dict[str, Any]]) -> list[HopperWagon]:
    return [HopperWagon(str(w["number"]), int(w["mass_kg"])) for w in listed]


def planned_silo(uow: UnitOfWork, order: GrainOrder, *, time_limit_s: float = PLAN_TIME_LIMIT_S) -> str | None:
    """The silo the silo planner allocates a grain receipt to, for an order that names none.

    The planner (``POST /api/v1/plans/silo``: CP-SAT, its plan checked) sees the silos, the lots in
    them and this arriving lot, and keeps owners and crops apart as the receiving rule does. Its
    allocation is used only when it puts the whole lot in one silo with no stored lot moved first;
    otherwise the order is refused at ``grain.silo_code`` saying what the plan needs, so nobody is
    sent to tip grain into a silo that is not ready for it. None when the order cannot be planned
    (a figure missing, the lot already stored): the order's own checks then name the problem.
    """
    from landbridge.services.planning_live.silos import ArrivingLot, plan_silos

    if order.step is not GrainStep.RECEIVE or order.silo_code or not (order.owner_code and order.crop):
        return None
    if order.mass_kg is None or order.mass_kg <= 0:
        return None
    with uow:
        if uow.session.get(tables.GrainLotRow, order.lot) is not None:
            return None
    arriving = ArrivingLot(order.lot, order.owner_code, order.crop, order.mass_kg)
    plan = plan_silos(uow, arriving=[arriving], time_limit_s=time_limit_s)
    silos = [portion["silo"] for portion in plan["allocation"] if portion["lot"] == order.lot]
    moved_first = [step for step in plan["sequence"] if step["op"] == "transfer"]
    if len(silos) != 1:
        raise RuleViolation(
            "grain.silo_code",
            f"the silo planner splits lot {order.lot} over silos {', '.join(silos)}: receive it in parts,"
            " each with its silo_code",
        )
    if moved_first:
        raise RuleViolation(
            "grain.silo_code",
            f"the silo planner puts lot {order.lot} in silo {silos[0]} after {len(moved_first)} transfer(s) of"
            " stored grain (POST /api/v1/plans/silo lists them): order those first, or give silo_code",
        )
    return str(silos[0])
