"""The dispatcher: which machine does which work instruction next, by documented rules.

Rules (``docs/equipment.md`` explains them for planners):

1. **Who may.** A machine takes an instruction only if it is ``working``, its kind may do the
   instruction's kind (``MACHINE_KINDS_FOR``), the instruction's pool (berth, block, loading track)
   is one of the machine's pools, the box's length is one the machine's spreader takes, the box's
   mass is within the machine's maximum lift (a job that lifts no box, ``length_ft`` 0, skips these
   two), the machine did not fail this job before, and any pin
   (on the instruction or on its queue) names this machine.
2. **When.** An instruction is ready when its queue is not suspended, its earliest time has come and
   every instruction it depends on is done (or planned earlier on the same machine): a box under
   another goes after the one on top. In a *sequenced* queue (a crane's discharge or load list, a
   loading track) a machine only ever takes the lowest-sequence open instruction it can do.
3. **Which first.** Among ready instructions a machine can do: pinned to this machine first, then
   higher priority, then the earlier due time (``latest``, in 15-minute buckets), then the least
   empty travel from where the machine is (among the first ``LOOK_AHEAD`` of each queue), then the
   queue sequence, then the id — so the result never depends on input order.
4. **Re-dispatch.** A job stays with the machine that holds it (``assigned``) unless that machine is
   out of service; then it is planned again like any open job. ``plan`` re-plans every queue at
   once (after a breakdown); ``next_job`` decides for one machine (after a confirmation).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from landbridge.planning.dispatch.problem import (
    MACHINE_KINDS_FOR,
    DispatchState,
    Instruction,
    InstructionStatus,
    Machine,
    MachineStatus,
    QueueControl,
)

LOOK_AHEAD = 16
DUE_BUCKET_S = 900
_NO_DUE = 1 << 62


@dataclass(frozen=True)
class DispatchPlan:
    """Each machine's ordered job list (head = the job it holds or does next) and estimated starts."""

    jobs: dict[str, tuple[str, ...]]
    estimated_start_s: dict[str, float]

    def next_for(self, machine: str) -> str | None:
        """The job this machine does next, if any."""
        listed = self.jobs.get(machine, ())
        return listed[0] if listed else None

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON data (what the checker reads)."""
        return {"jobs": {code: list(ids) for code, ids in sorted(self.jobs.items())}}


def can_do(machine: Machine, instruction: Instruction, queue: QueueControl | None = None) -> bool:
    """Rule 1: whether this machine may do this instruction at all."""
    pinned = instruction.pinned_machine or (queue.pinned_machine if queue else None)
    return (
        machine.status is MachineStatus.WORKING
        and machine.kind in MACHINE_KINDS_FOR[instruction.kind]
        and instruction.pool in machine.pools
        and (instruction.length_ft == 0 or instruction.length_ft in machine.allowed_lengths_ft)
        and (instruction.length_ft == 0 or instruction.mass_kg <= machine.max_lift_kg)
        and machine.code not in instruction.excluded_machines
        and (pinned is None or pinned == machine.code)
    )


def _due_bucket(instruction: Instruction) -> int:
    if instruction.latest is None:
        return _NO_DUE
    return int(instruction.latest.timestamp()) // DUE_BUCKET_S


@dataclass
class _Cursor:
    """A machine moving through the greedy: where it is and when it is free (seconds from now)."""

    machine: Machine
    clock_s: float
    x_m: float
    y_m: float
    last: Instruction | None = None


class _Board:
    """The open instructions indexed by queue and pool, with what is taken so far."""

    def __init__(self, state: DispatchState, pools: frozenset[str] | None = None) -> None:
        """Index the state; with ``pools`` only jobs in those pools become candidates (one machine)."""
        self.state = state
        self.controls = {q.queue: q for q in state.queues}
        self.open_ids: set[str] = set()
        self.planned_on: dict[str, str] = {}
        self.urgency: dict[str, tuple[int, int]] = {}
        held = {m.code for m in state.machines if m.status is not MachineStatus.OUT_OF_SERVICE}
        self.held: dict[str, list[Instruction]] = defaultdict(list)
        by_queue: dict[str, list[Instruction]] = defaultdict(list)
        live = (InstructionStatus.OPEN, InstructionStatus.ASSIGNED)
        for instruction in state.instructions:
            if instruction.status not in live:
                continue
            self.open_ids.add(instruction.id)
            if instruction.status is InstructionStatus.ASSIGNED and instruction.machine in held:
                self.held[instruction.machine].append(instruction)
                self.planned_on[instruction.id] = instruction.machine
            elif (pools is None or instruction.pool in pools) and self._dispatchable(instruction):
                by_queue[instruction.queue].append(instruction)
                self.urgency[instruction.id] = (-instruction.priority, _due_bucket(instruction))
        self.queues: dict[str, list[Instruction]] = {}
        self.lanes: dict[tuple[str, str], list[Instruction]] = {}
        self.queues_in_pool: dict[str, list[str]] = defaultdict(list)
        urgency = self.urgency
        for name, listed in sorted(by_queue.items()):
            if self._sequenced(name):
                listed.sort(key=lambda i: (i.sequence, i.id))
            else:
                listed.sort(key=lambda i: (urgency[i.id], i.sequence, i.id))
            self.queues[name] = listed
            for pool in sorted({i.pool for i in listed}):
                self.queues_in_pool[pool].append(name)
        self.pinned: dict[str, list[Instruction]] = defaultdict(list)
        for listed in self.queues.values():
            for instruction in listed:
                if instruction.pinned_machine is not None:
                    self.pinned[instruction.pinned_machine].append(instruction)

    def _sequenced(self, queue: str) -> bool:
        control = self.controls.get(queue)
        return control is not None and control.sequenced

    def _dispatchable(self, instruction: Instruction) -> bool:
        control = self.controls.get(instruction.queue)
        if control is not None and control.suspended:
            return False
        return instruction.earliest is None or instruction.earliest <= self.state.now

    def ready_for(self, instruction: Instruction, machine: str) -> bool:
        """Rule 2: every dependency done, or planned earlier on this same machine."""
        for dependency in instruction.depends_on:
            if dependency in self.open_ids and self.planned_on.get(dependency) != machine:
                return False
        return True

    def take(self, instruction: Instruction, machine: str) -> None:
        self.planned_on[instruction.id] = machine

    def _readiness(self, instruction: Instruction, machine: str) -> int:
        """0 ready; 1 waits for a dependency not planned yet; 2 never (a dependency is on another machine)."""
        waits = 0
        for dependency in instruction.depends_on:
            if dependency not in self.open_ids:
                continue
            holder = self.planned_on.get(dependency)
            if holder is None:
                waits = 1
            elif holder != machine:
                return 2
        return waits

    def _lane(self, machine: Machine, queue: str) -> list[Instruction]:
        """The jobs of one queue this machine may do at all, in queue order (built once per plan)."""
        key = (machine.code, queue)
        lane = self.lanes.get(key)
        if lane is None:
            control = self.controls.get(queue)
            lane = [i for i in self.queues[queue] if can_do(machine, i, control)]
            self.lanes[key] = lane
        return lane

    def candidates(self, cursor: _Cursor) -> Iterable[Instruction]:
        """Rule 3's short list for one machine: its pins, and the best few of each queue it serves."""
        machine = cursor.machine
        for instruction in self.pinned.get(machine.code, ()):
            # A pin never jumps a sequenced queue: such a job is met in its queue's order below.
            taken = instruction.id in self.planned_on
            if not taken and not self._sequenced(instruction.queue) and self._fits(machine, instruction):
                yield instruction
        for pool in sorted(machine.pools):
            for queue in self.queues_in_pool.get(pool, ()):
                yield from self._from_queue(queue, machine)

    def _fits(self, machine: Machine, instruction: Instruction) -> bool:
        return can_do(machine, instruction, self.controls.get(instruction.queue)) and self.ready_for(
            instruction, machine.code
        )

    def _from_queue(self, queue: str, machine: Machine) -> list[Instruction]:
        lane = self._lane(machine, queue)
        sequenced = self._sequenced(queue)
        found: list[Instruction] = []
        index = 0
        while index < len(lane):
            instruction = lane[index]
            if instruction.id in self.planned_on:
                del lane[index]  # taken: never a candidate again
                continue
            readiness = self._readiness(instruction, machine.code)
            if sequenced:
                # The lowest-sequence job this machine can do; if it is not ready the queue waits.
                return [instruction] if readiness == 0 else []
            if readiness == 2:
                del lane[index]  # its dependency went to another machine: not this machine's job
                continue
            if readiness == 0:
                # Later jobs of a lower priority or due class lose on rule 3 anyway.
                if found and self.urgency[instruction.id] != self.urgency[found[0].id]:
                    break
                found.append(instruction)
                if len(found) >= LOOK_AHEAD:
                    break
            index += 1
        return found


def _empty_travel_m(cursor: _Cursor, instruction: Instruction) -> float:
    return abs(cursor.x_m - instruction.from_x_m) + abs(cursor.y_m - instruction.from_y_m)


_Rank = tuple[int, tuple[int, int], float, int, str]


def _rank(board: _Board, cursor: _Cursor, instruction: Instruction) -> _Rank:
    """Rule 3 as a sort key (smaller first)."""
    pinned_here = 0 if instruction.pinned_machine == cursor.machine.code else 1
    return (
        pinned_here,
        board.urgency[instruction.id],
        _empty_travel_m(cursor, instruction),
        instruction.sequence,
        instruction.id,
    )


def _best(board: _Board, cursor: _Cursor) -> Instruction | None:
    best: Instruction | None = None
    best_rank: _Rank | None = None
    for instruction in board.candidates(cursor):
        rank = _rank(board, cursor, instruction)
        if best_rank is None or rank < best_rank:
            best, best_rank = instruction, rank
    return best


def _advance_cursor(cursor: _Cursor, instruction: Instruction) -> None:
    machine = cursor.machine
    laden_m = abs(instruction.from_x_m - instruction.to_x_m) + abs(instruction.from_y_m - instruction.to_y_m)
    travel_s = (_empty_travel_m(cursor, instruction) + laden_m) / machine.speed_m_per_s
    previous = cursor.last
    # A twin-lift spreader takes two 20 ft boxes of one queue in one cycle.
    twin = (
        machine.twin_lift
        and previous is not None
        and previous.length_ft == 20
        and instruction.length_ft == 20
        and previous.queue == instruction.queue
    )
    cursor.clock_s += travel_s + (0.0 if twin else machine.cycle_s)
    cursor.x_m, cursor.y_m = instruction.to_x_m, instruction.to_y_m
    cursor.last = None if twin else instruction


def _cursors(board: _Board, state: DispatchState) -> tuple[dict[str, list[str]], dict[str, float], list[_Cursor]]:
    jobs: dict[str, list[str]] = {}
    starts: dict[str, float] = {}
    cursors: list[_Cursor] = []
    for machine in sorted(state.machines, key=lambda m: m.code):
        if machine.status is MachineStatus.OUT_OF_SERVICE:
            continue
        cursor = _Cursor(machine, 0.0, machine.x_m, machine.y_m)
        jobs[machine.code] = []
        for instruction in board.held.get(machine.code, ()):
            starts[instruction.id] = cursor.clock_s
            jobs[machine.code].append(instruction.id)
            _advance_cursor(cursor, instruction)
        if machine.status is MachineStatus.WORKING:
            cursors.append(cursor)
    return jobs, starts, cursors


def plan(state: DispatchState, *, max_jobs_per_machine: int | None = None) -> DispatchPlan:
    """Re-plan every queue: each machine's ordered job list by rules 1–4 (greedy list scheduling)."""
    board = _Board(state)
    jobs, starts, cursors = _cursors(board, state)
    heap = [(cursor.clock_s, cursor.machine.code, index) for index, cursor in enumerate(cursors)]
    heapq.heapify(heap)
    while heap:
        _, code, index = heapq.heappop(heap)
        cursor = cursors[index]
        if max_jobs_per_machine is not None and len(jobs[code]) >= max_jobs_per_machine:
            continue
        chosen = _best(board, cursor)
        if chosen is None:
            continue
        board.take(chosen, code)
        starts[chosen.id] = cursor.clock_s
        jobs[code].append(chosen.id)
        _advance_cursor(cursor, chosen)
        heapq.heappush(heap, (cursor.clock_s, code, index))
    return DispatchPlan({code: tuple(ids) for code, ids in jobs.items() if ids}, starts)


def next_job(state: DispatchState, machine_code: str) -> Instruction | None:
    """The job one machine should do now (rules 1–3), leaving every other machine's job alone.

    If the machine already holds a job, that job; otherwise the best ready open instruction.
    """
    machine = next((m for m in state.machines if m.code == machine_code), None)
    if machine is None or machine.status is not MachineStatus.WORKING:
        return None
    board = _Board(state, machine.pools)
    held = board.held.get(machine_code)
    if held:
        return held[0]
    # Jobs held by machines out of service are open again; other machines' jobs are taken.
    cursor = _Cursor(machine, 0.0, machine.x_m, machine.y_m)
    return _best(board, cursor)
