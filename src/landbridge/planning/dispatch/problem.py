"""The dispatch problem: machines, work instructions and queue controls as plain typed data.

The dispatcher is a pure function of this state (no database, no clock of its own), so the live
hub, the tests, the benchmark and the twin all run the same rules. ``state_to_json`` writes the
data form the independent checker reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from landbridge.planning.common import PlanningInputError


class MachineKind(StrEnum):
    """What a machine is; decides which instruction kinds it may do (``MACHINE_KINDS_FOR``)."""

    QUAY_CRANE = "quay_crane"
    RAIL_MOUNTED_GANTRY = "rail_mounted_gantry"
    REACH_STACKER = "reach_stacker"
    TERMINAL_TRACTOR = "terminal_tractor"
    GRAIN_LOADER = "grain_loader"


class MachineStatus(StrEnum):
    """Only a ``working`` machine takes new jobs; one on ``break`` keeps the job it holds."""

    WORKING = "working"
    BREAK = "break"
    OUT_OF_SERVICE = "out_of_service"


class InstructionKind(StrEnum):
    """What a work instruction asks for (one recorded move each)."""

    DISCHARGE = "discharge"
    LOAD_VESSEL = "load_vessel"
    LOAD_RAIL = "load_rail"
    DISCHARGE_RAIL = "discharge_rail"
    GATE_PICK_UP = "gate_pick_up"
    GATE_DROP_OFF = "gate_drop_off"
    HOUSEKEEPING = "housekeeping"
    RELOCATION = "relocation"
    TRANSPORT = "transport"
    LIFT_TO_TRACTOR = "lift_to_tractor"
    GRAIN_RECEIVE = "grain_receive"
    GRAIN_TRANSFER = "grain_transfer"
    GRAIN_SHIP = "grain_ship"
    GRAIN_STUFF = "grain_stuff"


# Moves of a grain lot by the grain gear (their subject is a lot, not a box).
GRAIN_KINDS = frozenset(
    {
        InstructionKind.GRAIN_RECEIVE,
        InstructionKind.GRAIN_TRANSFER,
        InstructionKind.GRAIN_SHIP,
        InstructionKind.GRAIN_STUFF,
    }
)


class InstructionStatus(StrEnum):
    """Life of an instruction: open → assigned → done; a failed job goes back to open."""

    OPEN = "open"
    ASSIGNED = "assigned"
    DONE = "done"
    CANCELLED = "cancelled"


_YARD_MACHINES = frozenset({MachineKind.RAIL_MOUNTED_GANTRY, MachineKind.REACH_STACKER})

MACHINE_KINDS_FOR: dict[InstructionKind, frozenset[MachineKind]] = {
    InstructionKind.DISCHARGE: frozenset({MachineKind.QUAY_CRANE}),
    InstructionKind.LOAD_VESSEL: frozenset({MachineKind.QUAY_CRANE}),
    InstructionKind.LOAD_RAIL: _YARD_MACHINES,
    InstructionKind.DISCHARGE_RAIL: _YARD_MACHINES,
    InstructionKind.GATE_PICK_UP: _YARD_MACHINES,
    InstructionKind.GATE_DROP_OFF: _YARD_MACHINES,
    InstructionKind.HOUSEKEEPING: _YARD_MACHINES,
    InstructionKind.RELOCATION: _YARD_MACHINES,
    InstructionKind.TRANSPORT: frozenset({MachineKind.TERMINAL_TRACTOR}),
    InstructionKind.LIFT_TO_TRACTOR: _YARD_MACHINES,
    **{kind: frozenset({MachineKind.GRAIN_LOADER}) for kind in GRAIN_KINDS},
}


@dataclass(frozen=True, slots=True)
class Machine:
    """A piece of equipment as the dispatcher sees it; positions are metres on the base plan."""

    code: str
    kind: MachineKind
    pools: frozenset[str]
    allowed_lengths_ft: frozenset[int]
    max_lift_kg: int
    twin_lift: bool
    status: MachineStatus
    x_m: float = 0.0
    y_m: float = 0.0
    cycle_s: float = 150.0
    speed_m_per_s: float = 3.0


@dataclass(frozen=True, slots=True)
class Instruction:
    """One move to make: which box (or grain lot), from where to where, by which queue, when, after what.

    The subject is exactly one of ``container`` and ``lot`` (a grain kind names a lot). A job that
    lifts no box (``length_ft`` 0: a hopper train tipped, a silo transfer, a ship loaded by conveyor)
    is not bound by a spreader's lengths and lift; its ``mass_kg`` is then the grain moved.
    """

    id: str
    container: str | None
    kind: InstructionKind
    queue: str
    pool: str
    length_ft: int
    mass_kg: int
    from_x_m: float = 0.0
    from_y_m: float = 0.0
    to_x_m: float = 0.0
    to_y_m: float = 0.0
    priority: int = 0
    sequence: int = 0
    earliest: datetime | None = None
    latest: datetime | None = None
    depends_on: tuple[str, ...] = ()
    status: InstructionStatus = InstructionStatus.OPEN
    machine: str | None = None
    pinned_machine: str | None = None
    excluded_machines: frozenset[str] = frozenset()
    lot: str | None = None


@dataclass(frozen=True, slots=True)
class QueueControl:
    """A planner's hand on a work queue: suspended, pinned to a machine, strictly sequenced."""

    queue: str
    suspended: bool = False
    pinned_machine: str | None = None
    sequenced: bool = False


@dataclass(frozen=True)
class DispatchState:
    """Everything the dispatcher decides from; ``now`` is aware UTC."""

    now: datetime
    machines: tuple[Machine, ...]
    instructions: tuple[Instruction, ...]
    queues: tuple[QueueControl, ...] = ()
    _by_id: dict[str, Instruction] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise PlanningInputError("now", "must carry its UTC offset")
        object.__setattr__(self, "_by_id", {i.id: i for i in self.instructions})
        if len(self._by_id) != len(self.instructions):
            raise PlanningInputError("instructions", "instruction ids must be unique")
        for instruction in self.instructions:
            if (instruction.container is None) == (instruction.lot is None):
                raise PlanningInputError("instructions", f"instruction {instruction.id} must name a box or a lot")
            if (instruction.lot is not None) != (instruction.kind in GRAIN_KINDS):
                raise PlanningInputError("instructions", f"instruction {instruction.id}: only grain work names a lot")

    def instruction(self, instruction_id: str) -> Instruction | None:
        """The instruction with this id, if any."""
        return self._by_id.get(instruction_id)


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def state_to_json(state: DispatchState) -> dict[str, Any]:
    """The state as plain JSON data (what the independent checker reads)."""
    return {
        "now": state.now.isoformat(),
        "machines": [
            {
                "code": m.code,
                "kind": m.kind.value,
                "pools": sorted(m.pools),
                "allowed_lengths_ft": sorted(m.allowed_lengths_ft),
                "max_lift_kg": m.max_lift_kg,
                "twin_lift": m.twin_lift,
                "status": m.status.value,
            }
            for m in state.machines
        ],
        "instructions": [
            {
                "id": i.id,
                "container": i.container,
                "lot": i.lot,
                "kind": i.kind.value,
                "queue": i.queue,
                "pool": i.pool,
                "length_ft": i.length_ft,
                "mass_kg": i.mass_kg,
                "sequence": i.sequence,
                "earliest": _time(i.earliest),
                "latest": _time(i.latest),
                "depends_on": list(i.depends_on),
                "status": i.status.value,
                "machine": i.machine,
                "pinned_machine": i.pinned_machine,
                "excluded_machines": sorted(i.excluded_machines),
            }
            for i in state.instructions
        ],
        "queues": [
            {"queue": q.queue, "suspended": q.suspended, "pinned_machine": q.pinned_machine, "sequenced": q.sequenced}
            for q in state.queues
        ],
    }
