"""Read models of equipment control: the control room's queues, late jobs and machines; a driver's job."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from landbridge.domain.events import as_utc
from landbridge.scenarios.loader import current_scenario
from landbridge.services.work.fleet import base_plan, machine_view
from landbridge.store.repositories import EquipmentRepository, WorkRepository
from landbridge.store.work_tables import WorkInstructionRow


@dataclass(frozen=True)
class QueueLine:
    """One queue on the control-room screen."""

    code: str
    pool: str
    sequenced: bool
    suspended: bool
    pinned_machine: str | None
    open: int
    assigned: int
    done: int
    late: int


@dataclass(frozen=True)
class ControlRoom:
    """Queues with counts, late jobs, and every machine by status with its place on the plan."""

    queues: list[QueueLine]
    late: list[WorkInstructionRow]
    machines: list[dict[str, Any]]
    by_status: dict[str, int]
    plan_places: list[tuple[str, float, float]]


def _is_late(row: WorkInstructionRow, now: datetime) -> bool:
    return row.latest is not None and as_utc(row.latest) < now


def control_room(session: Session, now: datetime) -> ControlRoom:
    """The control room's view of the base's work now."""
    work, fleet = WorkRepository(session), EquipmentRepository(session)
    counts = work.counts()
    live = work.live()
    late = [r for r in live if _is_late(r, now)]
    late_by_queue: dict[str, int] = {}
    for row in late:
        late_by_queue[row.queue] = late_by_queue.get(row.queue, 0) + 1
    queues = [
        QueueLine(
            q.code,
            q.pool,
            q.sequenced,
            q.suspended,
            q.pinned_machine,
            counts.get((q.code, "open"), 0),
            counts.get((q.code, "assigned"), 0),
            counts.get((q.code, "done"), 0),
            late_by_queue.get(q.code, 0),
        )
        for q in work.queues()
    ]
    plan = base_plan(current_scenario())
    held = {r.machine: r for r in live if r.machine is not None}
    machines = []
    by_status: dict[str, int] = {}
    for machine in fleet.machines():
        view = machine_view(machine, plan)
        job = held.get(machine.code)
        view["job"] = None if job is None else f"{job.kind} {job.container or job.lot}"
        view["job_kind"], view["job_subject"] = (None, None) if job is None else (job.kind, job.container or job.lot)
        machines.append(view)
        by_status[machine.status] = by_status.get(machine.status, 0) + 1
    places = [(f"berth:{b}", *plan.point(f"berth:{b}")) for b in plan.berths]
    places += [(f"block:{b}", *plan.point(f"block:{b}")) for b in plan.blocks]
    places += [(f"track:{t}", *plan.point(f"track:{t}")) for t in plan.tracks]
    places.append(("gate", *plan.point("gate")))
    return ControlRoom(queues, sorted(late, key=lambda r: r.latest or now), machines, by_status, places)


@dataclass(frozen=True)
class DriverView:
    """What the driver's screen shows: the machine the user drives (if any) and its job."""

    machine: dict[str, Any] | None
    job: WorkInstructionRow | None
    choices: list[dict[str, Any]]


def driver_view(session: Session, user: str) -> DriverView:
    """The user's machine and job, or the working machines without a driver to sign on to."""
    fleet, work = EquipmentRepository(session), WorkRepository(session)
    plan = base_plan(current_scenario())
    driven = fleet.driven_by(user)
    if not driven:
        choices = [machine_view(m, plan) for m in fleet.machines() if m.driver is None and m.status != "out_of_service"]
        return DriverView(None, None, choices)
    row = driven[0]
    jobs = work.of_machine(row.code)
    return DriverView(machine_view(row, plan), jobs[0] if jobs else None, [])


def job_signature(session: Session, user: str) -> str:
    """Changes whenever the driver's machine, its status or its job changes (what the SSE stream watches)."""
    fleet, work = EquipmentRepository(session), WorkRepository(session)
    driven = fleet.driven_by(user)
    if not driven:
        return "none"
    jobs = work.of_machine(driven[0].code)
    head = jobs[0] if jobs else None
    return f"{driven[0].code}/{driven[0].status}/{'-' if head is None else f'{head.id}.{head.version}'}"


def _(message: str) -> str:
    """Marks a message for the catalog (``pybabel extract``); it is translated when the page renders."""
    return message


# How an instruction names a place (``services/work/generate.py``) → the sentence a driver reads.
_PLACES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"vessel (?P<reference>\S+)"), _("vessel %(reference)s")),
    (re.compile(r"truck (?P<reference>\S+)"), _("truck %(reference)s")),
    (re.compile(r"tractor at berth (?P<berth>\S+)"), _("tractor under the crane, berth %(berth)s")),
    # The tractor legs from the yard to a loading track or the gate.
    (re.compile(r"tractor at block (?P<block>\S+)"), _("tractor at block %(block)s")),
    (re.compile(r"tractor at track (?P<track>\S+)"), _("tractor at track %(track)s")),
    (re.compile(r"tractor at the gate"), _("tractor at the gate")),
    (re.compile(r"block (?P<block>\S+)"), _("block %(block)s")),
    (re.compile(r"track (?P<track>\S+)"), _("track %(track)s")),
    (re.compile(r"gate"), _("the gate")),
    (re.compile(r"berth (?P<berth>\S+)"), _("quay, berth %(berth)s")),
    (
        re.compile(r"(?P<train>\S+) wagon (?P<wagon>\S+) slot (?P<slot>\S+)"),
        _("train %(train)s, wagon %(wagon)s, slot %(slot)s"),
    ),
    # The grain gear's places (``services/work/grain_work.py``).
    (re.compile(r"silo (?P<silo>\S+)"), _("silo %(silo)s")),
    (re.compile(r"container (?P<number>\S+)"), _("container %(number)s")),
    (re.compile(r"(?P<count>\d+) hopper wagons"), _("%(count)s hopper wagons")),
    (re.compile(r"(?P<count>\d+) bulk boxes"), _("%(count)s bulk boxes")),
)


def place_text(place: str | None, gettext: Callable[[str], str]) -> str:
    """A job's from/to place in the reader's language ("vessel V-1" → "船舶 V-1"); a yard slot
    (``A-01-02-1``) reads the same in every language, and a single word (``yard``) is translated."""
    if not place:
        return ""
    for pattern, message in _PLACES:
        found = pattern.fullmatch(place)
        if found is not None:
            return gettext(message) % found.groupdict()
    return gettext(place) if place.isalpha() else place
