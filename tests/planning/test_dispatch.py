"""The dispatcher: documented rules on small states, and the independent checker on random ones."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from landbridge.planning.common import PlanningInputError
from landbridge.planning.dispatch.check import check_dispatch
from landbridge.planning.dispatch.problem import (
    GRAIN_KINDS,
    MACHINE_KINDS_FOR,
    DispatchState,
    Instruction,
    InstructionKind,
    InstructionStatus,
    Machine,
    MachineKind,
    MachineStatus,
    QueueControl,
    state_to_json,
)
from landbridge.planning.dispatch.solve import can_do, next_job, plan

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
ALL_LENGTHS = frozenset({20, 40, 45})
HELD = InstructionStatus.ASSIGNED
YARD, TRACK = "block:A", "track:T1"


def _machine(code: str, kind: MachineKind, pools: set[str], **changes: object) -> Machine:
    base = Machine(code, kind, frozenset(pools), ALL_LENGTHS, 40_000, False, MachineStatus.WORKING)
    return replace(base, **changes)  # type: ignore[arg-type]


def _job(job_id: str, kind: InstructionKind, queue: str, pool: str, **changes: object) -> Instruction:
    base = Instruction(job_id, f"BOX{job_id}", kind, queue, pool, 40, 20_000)
    return replace(base, **changes)  # type: ignore[arg-type]


def _checked(state: DispatchState) -> dict[str, tuple[str, ...]]:
    result = plan(state)
    assert check_dispatch(state_to_json(state), result.to_json()) == []
    return result.jobs


def test_a_crane_queue_follows_the_discharge_list() -> None:
    crane = _machine("STS-29-1", MachineKind.QUAY_CRANE, {"berth:29"})
    jobs = tuple(
        _job(f"d{n}", InstructionKind.DISCHARGE, "STS-29-1", "berth:29", sequence=n, from_x_m=float(100 - n))
        for n in (3, 1, 2)
    )
    state = DispatchState(NOW, (crane,), jobs, (QueueControl("STS-29-1", sequenced=True),))
    assert _checked(state) == {"STS-29-1": ("d1", "d2", "d3")}


def test_a_buried_box_waits_for_the_relocation_on_top_of_it() -> None:
    rmg = _machine("RMG1", MachineKind.RAIL_MOUNTED_GANTRY, {"block:A"})
    relocate = _job("r1", InstructionKind.RELOCATION, "block:A", "block:A", priority=0)
    buried = _job("p1", InstructionKind.GATE_PICK_UP, "block:A", "block:A", priority=5, depends_on=("r1",))
    state = DispatchState(NOW, (rmg,), (buried, relocate))
    assert _checked(state) == {"RMG1": ("r1", "p1")}
    assert next_job(state, "RMG1") == relocate


def test_a_dependency_on_another_machines_job_is_not_planned_yet() -> None:
    one = _machine("RMG1", MachineKind.RAIL_MOUNTED_GANTRY, {"block:A"})
    two = _machine("RS1", MachineKind.REACH_STACKER, {"block:A"})
    relocate = _job(
        "r1", InstructionKind.RELOCATION, "block:A", "block:A", status=InstructionStatus.ASSIGNED, machine="RMG1"
    )
    buried = _job("p1", InstructionKind.GATE_PICK_UP, "block:A", "block:A", depends_on=("r1",))
    state = DispatchState(NOW, (one, two), (relocate, buried))
    jobs = _checked(state)
    assert jobs["RMG1"][0] == "r1"
    assert next_job(state, "RS1") is None


def test_attributes_decide_who_may_lift() -> None:
    light = _machine("RS1", MachineKind.REACH_STACKER, {"block:A"}, max_lift_kg=10_000)
    short = _machine("RS2", MachineKind.REACH_STACKER, {"block:A"}, allowed_lengths_ft=frozenset({20}))
    crane = _machine("STS-1", MachineKind.QUAY_CRANE, {"block:A"})
    heavy = _job("h", InstructionKind.HOUSEKEEPING, "block:A", "block:A", mass_kg=30_000, length_ft=20)
    long = _job("l", InstructionKind.HOUSEKEEPING, "block:A", "block:A", mass_kg=5_000, length_ft=45)
    state = DispatchState(NOW, (light, short, crane), (heavy, long))
    assert _checked(state) == {"RS1": ("l",), "RS2": ("h",)}
    assert not can_do(crane, heavy)


def test_priority_then_due_time_then_least_empty_travel() -> None:
    rs = _machine("RS1", MachineKind.REACH_STACKER, {"block:A"}, x_m=0.0)
    far = _job("far", InstructionKind.HOUSEKEEPING, "block:A", "block:A", from_x_m=500.0)
    near = _job("near", InstructionKind.HOUSEKEEPING, "block:A", "block:A", from_x_m=10.0)
    due = _job(
        "due", InstructionKind.HOUSEKEEPING, "block:A", "block:A", from_x_m=900.0, latest=NOW + timedelta(hours=1)
    )
    urgent = _job("urgent", InstructionKind.HOUSEKEEPING, "block:A", "block:A", from_x_m=900.0, priority=9)
    state = DispatchState(NOW, (rs,), (far, near, due, urgent))
    assert _checked(state)["RS1"] == ("urgent", "due", "near", "far")
    assert next_job(replace_jobs(state, (far, near)), "RS1") == near


def replace_jobs(state: DispatchState, jobs: tuple[Instruction, ...]) -> DispatchState:
    return DispatchState(state.now, state.machines, jobs, state.queues)


def test_a_machine_out_of_service_gives_its_jobs_back_and_break_keeps_them() -> None:
    broken = _machine("RMG1", MachineKind.RAIL_MOUNTED_GANTRY, {"track:T1"}, status=MachineStatus.OUT_OF_SERVICE)
    resting = _machine("RMG2", MachineKind.RAIL_MOUNTED_GANTRY, {"track:T1"}, status=MachineStatus.BREAK)
    spare = _machine("RMG3", MachineKind.RAIL_MOUNTED_GANTRY, {"track:T1"})
    held_broken = _job(
        "a", InstructionKind.LOAD_RAIL, "track:T1", "track:T1", status=InstructionStatus.ASSIGNED, machine="RMG1"
    )
    held_resting = _job(
        "b", InstructionKind.LOAD_RAIL, "track:T1", "track:T1", status=InstructionStatus.ASSIGNED, machine="RMG2"
    )
    state = DispatchState(NOW, (broken, resting, spare), (held_broken, held_resting))
    assert _checked(state) == {"RMG2": ("b",), "RMG3": ("a",)}


def test_planner_pin_suspend_and_earliest_time() -> None:
    one = _machine("RS1", MachineKind.REACH_STACKER, {"block:B"})
    two = _machine("RS2", MachineKind.REACH_STACKER, {"block:B"})
    pinned = _job("p", InstructionKind.HOUSEKEEPING, "block:B", "block:B", pinned_machine="RS2")
    later = _job("l", InstructionKind.HOUSEKEEPING, "block:B", "block:B", earliest=NOW + timedelta(minutes=5))
    parked = _job("s", InstructionKind.HOUSEKEEPING, "gate", "block:B")
    state = DispatchState(NOW, (one, two), (pinned, later, parked), (QueueControl("gate", suspended=True),))
    assert _checked(state) == {"RS2": ("p",)}


def test_a_job_a_machine_failed_goes_to_another() -> None:
    one = _machine("RS1", MachineKind.REACH_STACKER, {"block:B"})
    two = _machine("RS2", MachineKind.REACH_STACKER, {"block:B"}, x_m=1000.0)
    failed = _job("f", InstructionKind.HOUSEKEEPING, "block:B", "block:B", excluded_machines=frozenset({"RS1"}))
    state = DispatchState(NOW, (one, two), (failed,))
    assert _checked(state) == {"RS2": ("f",)}


def test_the_checker_catches_a_bad_plan() -> None:
    crane = _machine("STS-1", MachineKind.QUAY_CRANE, {"berth:29"})
    rmg = _machine("RMG1", MachineKind.RAIL_MOUNTED_GANTRY, {"block:A"})
    top = _job("t", InstructionKind.RELOCATION, "block:A", "block:A")
    under = _job("u", InstructionKind.GATE_PICK_UP, "block:A", "block:A", depends_on=("t",))
    state = state_to_json(DispatchState(NOW, (crane, rmg), (top, under)))
    problems = check_dispatch(state, {"jobs": {"STS-1": ["t"], "RMG1": ["u", "u"]}})
    assert any("cannot do a relocation" in p for p in problems)
    assert any("depends on t" in p for p in problems)
    assert any("planned twice" in p for p in problems)
    assert check_dispatch(state, {"jobs": {}}) == ["job t: ready and a machine can do it, but it is not planned"]


def test_naive_now_and_duplicate_ids_are_refused() -> None:
    with pytest.raises(PlanningInputError, match="now"):
        DispatchState(NOW.replace(tzinfo=None), (), ())
    job = _job("x", InstructionKind.HOUSEKEEPING, "q", "p")
    with pytest.raises(PlanningInputError, match="instructions"):
        DispatchState(NOW, (), (job, job))


def test_grain_work_names_a_lot_and_goes_to_grain_gear_only() -> None:
    gear = _machine(
        "GL1", MachineKind.GRAIN_LOADER, {"berth:32"}, allowed_lengths_ft=frozenset({20}), max_lift_kg=30_480
    )
    crane = _machine("STS-32-1", MachineKind.QUAY_CRANE, {"berth:32"})
    # A hopper train tipped into a silo lifts no box: 400 t of grain is not over the gear's lift.
    tip = _job(
        "t",
        InstructionKind.GRAIN_RECEIVE,
        "grain:32",
        "berth:32",
        container=None,
        lot="G1",
        length_ft=0,
        mass_kg=400_000,
    )
    stuff = _job(
        "s",
        InstructionKind.GRAIN_STUFF,
        "grain:32",
        "berth:32",
        container=None,
        lot="G1",
        length_ft=20,
        mass_kg=29_000,
        depends_on=("t",),
    )
    big_box = _job(
        "b", InstructionKind.GRAIN_STUFF, "grain:32", "berth:32", container=None, lot="G2", length_ft=40, mass_kg=29_000
    )
    box = _job("d", InstructionKind.DISCHARGE, "berth:32", "berth:32")
    state = DispatchState(NOW, (gear, crane), (tip, stuff, big_box, box))
    assert _checked(state) == {"GL1": ("t", "s"), "STS-32-1": ("d",)}  # the 40 ft box fits no grain gear
    assert not can_do(crane, tip) and not can_do(gear, box)
    data = state_to_json(state)
    assert check_dispatch(data, {"jobs": {"STS-32-1": ["t"]}}, complete=False) == [
        "job t on STS-32-1: a quay_crane cannot do a grain_receive"
    ]
    for wrong in ({"container": "BOX1"}, {"lot": None}):
        bad = {**data, "instructions": [{**data["instructions"][0], **wrong}]}
        assert check_dispatch(bad, {"jobs": {"GL1": ["t"]}}, complete=False)[0].startswith("job t: names")
    with pytest.raises(PlanningInputError, match="box or a lot"):
        DispatchState(NOW, (), (replace(tip, container="BOX1"),))
    with pytest.raises(PlanningInputError, match="only grain work"):
        DispatchState(NOW, (), (replace(box, container=None, lot="G1"),))


POOLS = ["berth:29", "block:A", "block:B", "track:T1"]
QUEUES = ["STS-29-1", "block:A", "block:B", "track:T1", "gate"]
# The quick run of the suite; ``scripts/dispatch_property.sh`` runs the long one (LANDBRIDGE_HYPOTHESIS=slow).
LONG_RUN = os.environ.get("LANDBRIDGE_HYPOTHESIS") == "slow"
EXAMPLES = 5_000 if LONG_RUN else 100
# Weighted choices (a value listed twice comes twice as often): most machines work and most jobs are
# live, so most examples have something to plan; the rest still cover breaks, breakdowns, done jobs.
MACHINE_STATUSES = [MachineStatus.WORKING] * 4 + [MachineStatus.BREAK, MachineStatus.OUT_OF_SERVICE]
JOB_STATUSES = [InstructionStatus.OPEN] * 5 + [HELD, InstructionStatus.DONE, InstructionStatus.CANCELLED]


def _work_for(draw: st.DrawFn, machines: list[Machine]) -> tuple[InstructionKind, str, int, int]:
    """A job's kind, pool, length and mass: mostly work of a kind and pool a working machine serves, of
    any length and a mass at or just over its limit (so plans are not empty and every attribute rule
    is met at its edge), sometimes anything at all."""
    able = {kind for kinds in MACHINE_KINDS_FOR.values() for kind in kinds}
    working = [m for m in machines if m.status is MachineStatus.WORKING and m.kind in able]
    length_ft = draw(st.sampled_from([20, 40, 45]))
    if not working or draw(st.integers(0, 3)) == 0:
        kind = draw(st.sampled_from(list(InstructionKind)))
        return kind, draw(st.sampled_from(POOLS)), length_ft, draw(st.sampled_from([5_000, 20_000, 38_000]))
    machine = draw(st.sampled_from(working))
    return (
        draw(st.sampled_from([k for k, able in MACHINE_KINDS_FOR.items() if machine.kind in able])),
        draw(st.sampled_from(sorted(machine.pools))),
        length_ft,
        draw(st.sampled_from([2_000, machine.max_lift_kg, machine.max_lift_kg + 1])),
    )


@st.composite
def _states(draw: st.DrawFn) -> DispatchState:
    """Small, dense states: few machines and jobs over few pools and queues, so machines and jobs meet
    (every kind, pin, exclusion, suspension, sequence and dependency rule gets exercised), and few draws
    per object (the cost of an example is its drawing, not the dispatcher)."""
    machines = []
    for n in range(draw(st.integers(1, 5))):
        machines.append(
            Machine(
                code=f"M{n}",
                kind=draw(st.sampled_from(list(MachineKind))),
                pools=frozenset(draw(st.sets(st.sampled_from(POOLS), min_size=1, max_size=3))),
                allowed_lengths_ft=frozenset(draw(st.sets(st.sampled_from([20, 40, 45]), min_size=1))),
                max_lift_kg=draw(st.sampled_from([10_000, 35_000, 65_000])),
                twin_lift=draw(st.booleans()),
                status=draw(st.sampled_from(MACHINE_STATUSES)),
                x_m=float(draw(st.integers(0, 1000))),
            )
        )
    codes = [m.code for m in machines] + ["GONE"]
    someone = st.sampled_from(codes)
    jobs: list[Instruction] = []
    for n in range(draw(st.integers(0, 14))):
        status = draw(st.sampled_from(JOB_STATUSES))
        minutes = draw(st.sampled_from([None, None, None, -30, 30]))
        kind, pool, length_ft, mass_kg = _work_for(draw, machines)
        grain = kind in GRAIN_KINDS  # a lot's move; often one that lifts no box (length 0: no spreader limit)
        if grain and draw(st.booleans()):
            length_ft = 0
        jobs.append(
            Instruction(
                id=f"j{n}",
                container=None if grain else f"C{n}",
                lot=f"L{n % 3}" if grain else None,
                kind=kind,
                queue=draw(st.sampled_from(QUEUES)),
                pool=pool,
                length_ft=length_ft,
                mass_kg=mass_kg,
                from_x_m=float(draw(st.integers(0, 1000))),
                priority=draw(st.integers(0, 2)),
                sequence=draw(st.integers(0, 6)),
                earliest=None if minutes is None else NOW + timedelta(minutes=minutes),
                latest=draw(st.sampled_from([None, NOW + timedelta(hours=2)])),
                depends_on=tuple(f"j{d}" for d in draw(st.sets(st.integers(0, n), max_size=2)) if d < n),
                status=status,
                machine=draw(someone) if status is HELD else None,
                pinned_machine=draw(someone) if draw(st.integers(0, 3)) == 0 else None,
                excluded_machines=frozenset([draw(someone)] if draw(st.integers(0, 3)) == 0 else []),
            )
        )
    queues = tuple(
        QueueControl(
            queue=q,
            suspended=draw(st.integers(0, 3)) == 0,
            pinned_machine=draw(someone) if draw(st.integers(0, 3)) == 0 else None,
            sequenced=draw(st.booleans()),
        )
        for q in draw(st.sets(st.sampled_from(QUEUES)))
    )
    return DispatchState(NOW, tuple(machines), tuple(jobs), queues)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_states())
def test_the_checker_accepts_every_plan_and_every_next_job(state: DispatchState) -> None:
    data = state_to_json(state)
    planned = plan(state)
    assert check_dispatch(data, planned.to_json()) == []
    # Steer the search to states where much gets planned: that is where the rules interact.
    target(float(sum(len(ids) for ids in planned.jobs.values())), label="planned jobs")
    for machine in state.machines:
        chosen = next_job(state, machine.code)
        if chosen is not None:
            assert check_dispatch(data, {"jobs": {machine.code: [chosen.id]}}, complete=False) == []
