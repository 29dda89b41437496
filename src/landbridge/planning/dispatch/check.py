"""Independent checker for dispatch plans.

Shares no code with ``problem.py`` or ``solve.py``: it reads the state and the plan as plain JSON
data and keeps its own table of which machine kinds may do which work. It proves that every job
names exactly one subject (a box, or a grain lot for grain work), no machine got a job it cannot do
(grain work only to grain gear, box work never to it), no dependency is broken, no suspended queue
or early job was dispatched, no job is lost (every job that could be done is planned) and no job is
planned twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

# Written out again on purpose (not imported): a mistake in the dispatcher's table must show here.
_QUAY = {"quay_crane"}
_YARD = {"rail_mounted_gantry", "reach_stacker"}
_WHO_MAY = {
    "discharge": _QUAY,
    "load_vessel": _QUAY,
    "load_rail": _YARD,
    "discharge_rail": _YARD,
    "gate_pick_up": _YARD,
    "gate_drop_off": _YARD,
    "housekeeping": _YARD,
    "relocation": _YARD,
    "transport": {"terminal_tractor"},
    "lift_to_tractor": _YARD,
    "grain_receive": {"grain_loader"},
    "grain_transfer": {"grain_loader"},
    "grain_ship": {"grain_loader"},
    "grain_stuff": {"grain_loader"},
}
# The work whose subject is a grain lot rather than a box (again written out on purpose).
_LOT_WORK = {"grain_receive", "grain_transfer", "grain_ship", "grain_stuff"}
_LIVE = {"open", "assigned"}


def _subject_problem(job: dict[str, Any]) -> str | None:
    """Why a job's subject is wrong: it must name exactly one of a box and a lot, a lot only for grain work."""
    box, lot = job.get("container"), job.get("lot")
    if (box is None) == (lot is None):
        return "names both a box and a lot" if box is not None else "names neither a box nor a lot"
    if lot is not None and job["kind"] not in _LOT_WORK:
        return f"a {job['kind']} moves a box, not lot {lot}"
    if box is not None and job["kind"] in _LOT_WORK:
        return f"a {job['kind']} moves a grain lot, not box {box}"
    return None


def _capable(machine: dict[str, Any], job: dict[str, Any], queue: dict[str, Any]) -> str | None:
    """Why this machine may not do this job, or None when it may."""
    if machine["status"] != "working":
        return f"machine {machine['code']} is {machine['status']}"
    if machine["kind"] not in _WHO_MAY.get(job["kind"], set()):
        return f"a {machine['kind']} cannot do a {job['kind']}"
    if job["pool"] not in machine["pools"]:
        return f"pool {job['pool']} is not one of {machine['code']}'s pools"
    lifts = job["length_ft"] != 0  # 0: nothing lifted (grain by conveyor or chute), no spreader limit
    if lifts and job["length_ft"] not in machine["allowed_lengths_ft"]:
        return f"a {job['length_ft']} ft box does not fit {machine['code']}'s spreader"
    if lifts and job["mass_kg"] > machine["max_lift_kg"]:
        return f"{job['mass_kg']} kg is over {machine['code']}'s {machine['max_lift_kg']} kg"
    if machine["code"] in job["excluded_machines"]:
        return f"{machine['code']} already failed this job"
    pin = job["pinned_machine"] or queue.get("pinned_machine")
    if pin is not None and pin != machine["code"]:
        return f"the job is pinned to {pin}"
    return None


class _Check:
    def __init__(self, state: dict[str, Any], plan: dict[str, Any]) -> None:
        self.now = datetime.fromisoformat(state["now"])
        self.machines = {m["code"]: m for m in state["machines"]}
        self.jobs = {j["id"]: j for j in state["instructions"]}
        self.queues = {q["queue"]: q for q in state.get("queues", [])}
        self.lists: dict[str, list[str]] = {code: list(ids) for code, ids in plan.get("jobs", {}).items()}
        self.errors: list[str] = []
        self.where: dict[str, tuple[str, int]] = {}

    def _queue(self, job: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = self.queues.get(job["queue"], {})
        return found

    def _keeps_held_job(self, job: dict[str, Any]) -> bool:
        machine = self.machines.get(job["machine"] or "")
        return job["status"] == "assigned" and machine is not None and machine["status"] != "out_of_service"

    def subjects(self) -> None:
        for job_id, job in self.jobs.items():
            why = _subject_problem(job)
            if why is not None:
                self.errors.append(f"job {job_id}: {why}")

    def places(self) -> None:
        for code, ids in self.lists.items():
            if code not in self.machines:
                self.errors.append(f"machine {code}: not in the state")
                continue
            for position, job_id in enumerate(ids):
                job = self.jobs.get(job_id)
                if job is None:
                    self.errors.append(f"{code}: job {job_id} is not in the state")
                elif job["status"] not in _LIVE:
                    self.errors.append(f"{code}: job {job_id} is {job['status']}")
                elif job_id in self.where:
                    self.errors.append(f"job {job_id}: planned twice ({self.where[job_id][0]} and {code})")
                else:
                    self.where[job_id] = (code, position)

    def held_jobs(self, *, complete: bool) -> None:
        for job_id, job in self.jobs.items():
            if not self._keeps_held_job(job):
                continue
            placed = self.where.get(job_id)
            if placed is None and not complete:
                continue
            if placed is None or placed[0] != job["machine"]:
                self.errors.append(f"job {job_id}: held by {job['machine']} but planned elsewhere")
                continue
            before = self.lists[placed[0]][: placed[1]]
            if any(not self._keeps_held_job(self.jobs[other]) for other in before):
                self.errors.append(f"job {job_id}: held by {job['machine']} but a new job is planned before it")

    def new_jobs(self) -> None:
        for job_id, (code, position) in self.where.items():
            job = self.jobs[job_id]
            if self._keeps_held_job(job):
                continue
            why = _capable(self.machines[code], job, self._queue(job))
            if why is not None:
                self.errors.append(f"job {job_id} on {code}: {why}")
            if self._queue(job).get("suspended"):
                self.errors.append(f"job {job_id} on {code}: queue {job['queue']} is suspended")
            if job["earliest"] is not None and datetime.fromisoformat(job["earliest"]) > self.now:
                self.errors.append(f"job {job_id} on {code}: not before {job['earliest']}")
            for dependency in job["depends_on"]:
                other = self.jobs.get(dependency)
                if other is None or other["status"] not in _LIVE:
                    continue
                placed = self.where.get(dependency)
                if placed is None or placed[0] != code or placed[1] > position:
                    self.errors.append(f"job {job_id} on {code}: depends on {dependency}, not done or planned before")

    def sequences(self) -> None:
        for code, ids in self.lists.items():
            last: dict[str, int] = {}
            for job_id in ids:
                job = self.jobs.get(job_id)
                if job is None or self._keeps_held_job(job) or not self._queue(job).get("sequenced"):
                    continue
                if job["sequence"] < last.get(job["queue"], -(1 << 62)):
                    self.errors.append(f"job {job_id} on {code}: out of sequence in queue {job['queue']}")
                last[job["queue"]] = job["sequence"]

    def _could_start(self, job: dict[str, Any]) -> bool:
        if job["status"] not in _LIVE or self._keeps_held_job(job) or self._queue(job).get("suspended"):
            return False
        if job["earliest"] is not None and datetime.fromisoformat(job["earliest"]) > self.now:
            return False
        for dependency in job["depends_on"]:
            other = self.jobs.get(dependency)
            if other is not None and other["status"] in _LIVE:
                return False
        return any(_capable(m, job, self._queue(job)) is None for m in self.machines.values())

    def nothing_lost(self) -> None:
        heads: dict[str, dict[str, Any]] = {}
        for job in self.jobs.values():
            if job["status"] not in _LIVE or self._keeps_held_job(job) or not self._queue(job).get("sequenced"):
                continue
            current = heads.get(job["queue"])
            if current is None or (job["sequence"], job["id"]) < (current["sequence"], current["id"]):
                heads[job["queue"]] = job
        for job_id, job in self.jobs.items():
            if job_id in self.where or not self._could_start(job):
                continue
            if self._queue(job).get("sequenced") and heads.get(job["queue"]) is not job:
                continue
            self.errors.append(f"job {job_id}: ready and a machine can do it, but it is not planned")


def check_dispatch(state: dict[str, Any], plan: dict[str, Any], *, complete: bool = True) -> list[str]:
    """Verify a dispatch plan against its state (both JSON data); returns violations, empty when valid.

    ``complete=False`` checks a partial decision (one machine's next job): every listed job must be
    allowed, but jobs left out are not reported as lost.
    """
    check = _Check(state, plan)
    check.subjects()
    check.places()
    check.held_jobs(complete=complete)
    check.new_jobs()
    check.sequences()
    if complete:
        check.nothing_lost()
    return check.errors
