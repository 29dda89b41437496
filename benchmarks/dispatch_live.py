"""Dispatch on a live PostgreSQL hub: decisions after confirmations, re-plans after breakdowns, and
driver confirmations per second end to end over HTTP — with zero lost or doubled moves.

Usage::

    .venv/bin/python benchmarks/dispatch_live.py [--instructions 2000] [--confirmations 400]
                                                 [--workers 1 2] [--decisions 200] [--breakdowns 5]

With ``LANDBRIDGE_TEST_POSTGRES_URL`` set it uses that server (a scratch database, dropped after);
otherwise it starts its own throwaway cluster. It seeds the Lianyungang scenario (42 machines; the
two pieces of grain gear and the 12 terminal tractors are taken out of service, so 28 machines
work and each crane lands its boxes in the yard itself — one recorded move per confirmation), berths a ship at each of
the six container berths with a discharge list, and generates the work instructions (2,000 open by
default: every box gets a promised yard slot). Then:

* **decision after a confirmation** — drivers confirm jobs through the work service; the dispatch
  step inside each confirmation (read the live state, decide, write the assignment) is timed, and
  the whole confirmation too (p50/p99);
* **re-plan after a breakdown** — a crane with a job goes out of service: its jobs are given back
  and every queue re-planned (the re-plan inside is timed, and the whole command);
* **confirmations per second** — one driver per quay crane, each on its own HTTP connection to
  ``landbridge serve --workers N`` (for each N of ``--workers``), reads its job and confirms job
  after job as fast as it can (each answer carries the next job); the CPU seconds of the server's
  processes, of PostgreSQL's backends and of this client are measured over the run (per
  confirmation, and confirmations per CPU-second: what the rate would be on one idle core);
  afterwards every done instruction must have exactly one ``container.discharged`` event carrying
  its id.

Targets (issue #21): decision p99 < 50 ms, re-plan < 1 s, ≥ 200 confirmations/s. The machine is
shared: the load average is printed beside the figures. Prints a table; writes JSON to
benchmarks/results/dispatch_live.json.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import psutil
from rich.console import Console
from sqlalchemy import func, select
from stdnum import iso6346

from harness import (
    machine_load,
    percentile,
    postgres_cpu_s,
    print_figures,
    scratch_database,
    served,
    server_url,
    tree_cpu_s,
)
from landbridge.domain.equipment import EquipmentStatus
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ManifestEntry
from landbridge.scenarios import load_scenario
from landbridge.services.actor import Actor
from landbridge.services.authz import create_user
from landbridge.services.containers import RegisterContainer, add_registered_container
from landbridge.services.operations import manifests, vessel
from landbridge.services.operations.common import execute
from landbridge.services.seeding import seed_scenario
from landbridge.services.work import dispatching, equipment, generate, jobs
from landbridge.store import tables
from landbridge.store.migrate import upgrade
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.store.work_tables import WorkInstructionRow

ADMIN = Actor("bench", "admin")
BERTHS = ("29", "30", "L1", "L2", "L3", "L4")


def _box(serial: int) -> str:
    base = f"BEN{'U'}{serial:06d}"
    return base + iso6346.calc_check_digit(base)


class Timed:
    """Wrap a function and keep the wall and CPU seconds of every call (CPU: this process's
    ``process_time``, which the other work on a shared machine does not inflate as it does wall time)."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self.durations: list[float] = []
        self.cpu: list[float] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.durations.append(time.perf_counter() - started)
            self.cpu.append(time.process_time() - cpu_started)


def prepare(url: str, instructions: int, console: Console) -> dict[str, Any]:
    """Seed, berth six ships with discharge lists, generate the instructions; return set-up figures."""
    upgrade(url)
    seed_scenario(UnitOfWork.for_url(url), load_scenario())
    with UnitOfWork.for_url(url) as uow:
        tractors = [m.code for m in uow.equipment.machines(kind="terminal_tractor")]
    for code in ("GL1", "GL2", *tractors):
        equipment.set_status(UnitOfWork.for_url(url), ADMIN, code=code, status=EquipmentStatus.OUT_OF_SERVICE,
                             reason="not in this benchmark: cranes land boxes directly")  # fmt: skip
    now = datetime.now(UTC)
    per_berth = [instructions // len(BERTHS) + (1 if i < instructions % len(BERTHS) else 0) for i in range(6)]
    serial = 0
    started = time.perf_counter()
    for berth, count in zip(BERTHS, per_berth, strict=True):
        reference = f"V-{berth}"
        vessel.announce_vessel(UnitOfWork.for_url(url), ADMIN, reference=reference, vessel_name=reference, eta=now)
        vessel.berth_vessel(UnitOfWork.for_url(url), ADMIN, reference=reference, berth_code=berth, etb=now)
        numbers = [_box(serial + i) for i in range(count)]
        serial += count

        def register(uow: UnitOfWork, numbers: list[str] = numbers) -> None:
            for number in numbers:
                add_registered_container(uow, RegisterContainer(ContainerNumber(number), "22G1"), ADMIN)

        execute(UnitOfWork.for_url(url), ADMIN, register)
        entries = [ManifestEntry(n) for n in numbers]
        manifests.set_discharge_list(UnitOfWork.for_url(url), ADMIN, visit=reference, entries=entries)
    setup_s = time.perf_counter() - started
    started = time.perf_counter()
    for berth in BERTHS:
        generate.for_vessel_visit(UnitOfWork.for_url(url), ADMIN, reference=f"V-{berth}")
    generation_s = time.perf_counter() - started
    console.print(
        f"set up {instructions} boxes in {setup_s:.1f} s; generated their instructions in {generation_s:.1f} s"
    )
    return {"setup_s": round(setup_s, 1), "generation_s": round(generation_s, 1),
            "generated_per_s": round(instructions / generation_s, 1)}  # fmt: skip


def _open_count(url: str) -> int:
    with UnitOfWork.for_url(url) as uow:
        return len(uow.work.live())


def sign_on_drivers(url: str, cranes: list[str]) -> dict[str, tuple[str, str]]:
    """One driver user per crane, signed on; crane → (driver name, token)."""
    drivers = {}
    for crane in cranes:
        name = f"drv-{crane}"
        token = create_user(UnitOfWork.for_url(url), name=name, role="driver")
        equipment.sign_on(UnitOfWork.for_url(url), Actor(name, "driver"), code=crane)
        drivers[crane] = (name, token)
    return drivers


def decisions(url: str, drivers: dict[str, tuple[str, str]], count: int) -> dict[str, Any]:
    """Confirm ``count`` jobs through the service, round robin over the cranes; time the dispatch step."""
    step = Timed(dispatching.dispatch_next)
    jobs.dispatch_next = step  # type: ignore[attr-defined]  # the confirmation's own dispatch step, timed
    whole: list[float] = []
    cranes = list(drivers)
    done = 0
    try:
        for index in range(count * 3):
            if done >= count:
                break
            crane = cranes[index % len(cranes)]
            with UnitOfWork.for_url(url) as uow:
                held = [r.id for r in uow.work.of_machine(crane)]
            if not held:
                continue
            name, _ = drivers[crane]
            started = time.perf_counter()
            jobs.confirm(UnitOfWork.for_url(url), Actor(name, "driver"), instruction_id=held[0])
            whole.append(time.perf_counter() - started)
            done += 1
    finally:
        jobs.dispatch_next = dispatching.dispatch_next  # type: ignore[attr-defined]
    inner, inner_cpu = sorted(step.durations), sorted(step.cpu)
    return {
        "decision_cpu_p50_ms": round(statistics.median(inner_cpu) * 1000, 1),
        "decision_cpu_p99_ms": round(percentile(inner_cpu, 0.99) * 1000, 1),
        "confirmations_timed": len(whole),
        "decision_p50_ms": round(statistics.median(inner) * 1000, 1),
        "decision_p99_ms": round(percentile(inner, 0.99) * 1000, 1),
        "confirm_p50_ms": round(statistics.median(whole) * 1000, 1),
        "confirm_p99_ms": round(percentile(sorted(whole), 0.99) * 1000, 1),
    }


def breakdowns(url: str, cranes: list[str], count: int) -> dict[str, Any]:
    """Take ``count`` cranes with a job out of service (and back); time the re-plan and the command."""
    step = Timed(dispatching.redispatch)
    equipment.redispatch = step  # type: ignore[attr-defined]
    whole: list[float] = []
    try:
        for crane in cranes[:count]:
            started = time.perf_counter()
            equipment.set_status(
                UnitOfWork.for_url(url), ADMIN, code=crane, status=EquipmentStatus.OUT_OF_SERVICE, reason="benchmark"
            )
            whole.append(time.perf_counter() - started)
            equipment.set_status(UnitOfWork.for_url(url), ADMIN, code=crane, status=EquipmentStatus.WORKING)
    finally:
        equipment.redispatch = dispatching.redispatch  # type: ignore[attr-defined]
    breaks = step.durations[0::2]  # every other re-plan is the crane coming back
    return {
        "breakdowns": len(whole),
        "replan_p50_s": round(statistics.median(breaks), 3),
        "replan_max_s": round(max(breaks), 3),
        "breakdown_command_max_s": round(max(whole), 3),
    }


def _server_tree() -> psutil.Process:
    """The ``landbridge serve`` process this benchmark started (its workers are its children)."""
    return next(p for p in psutil.Process().children() if "serve" in " ".join(p.cmdline()))


def _warm_up(base: str, token: str, workers: int) -> None:
    """Send each server worker the two requests a driver makes before the clock starts: a worker builds
    FastAPI's route tables and response schemas on the first requests it matches (≈ 0.3 s of CPU)."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        for _ in range(8 * workers):
            client.get("/api/v1/equipment/mine")
            client.post("/api/v1/work/instructions/0/confirm")  # no such job: 404, nothing changes


def throughput(url: str, drivers: dict[str, tuple[str, str]], total: int, workers: int) -> dict[str, Any]:
    """Every crane's driver confirms its jobs over HTTP as fast as it can, until ``total`` are done.

    A driver reads its job once (``GET /equipment/mine``), then confirms job after job: each
    confirmation's answer carries the next job, as the driver's screen shows it. CPU seconds of the
    server's processes, of PostgreSQL's backends and of this client are measured over the run, so the
    figures say what a confirmation costs whatever else the shared machine is doing.
    """
    done = [0]
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    with served(url, workers=workers) as base:

        def drive(token: str) -> None:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
                job = client.get("/api/v1/equipment/mine").json().get("job")
                while job is not None:
                    with lock:
                        if done[0] >= total:
                            return
                    answer = client.post(f"/api/v1/work/instructions/{job['id']}/confirm")
                    with lock:
                        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
                        if answer.status_code == 200:
                            done[0] += 1
                    job = answer.json().get("next") if answer.status_code == 200 else None
                    if job is None:
                        job = client.get("/api/v1/equipment/mine").json().get("job")

        _warm_up(base, next(iter(drivers.values()))[1], workers)
        server = _server_tree()
        threads = [threading.Thread(target=drive, args=(token,)) for _, token in drivers.values()]
        server_before, database_before = tree_cpu_s(server.pid), postgres_cpu_s(url) or 0.0
        client_before, started = time.process_time(), time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        client_s = time.process_time() - client_before
        server_s, database_s = tree_cpu_s(server.pid) - server_before, (postgres_cpu_s(url) or 0.0) - database_before
    count = max(done[0], 1)
    return {
        "http_confirmations": done[0],
        "http_wall_s": round(wall, 1),
        "confirmations_per_s": round(done[0] / wall, 1),
        "server_cpu_ms_per_confirm": round(server_s / count * 1000, 1),
        "postgres_cpu_ms_per_confirm": round(database_s / count * 1000, 1),
        "client_cpu_ms_per_confirm": round(client_s / count * 1000, 1),
        "confirmations_per_cpu_s": round(count / max(server_s + database_s + client_s, 1e-9), 1),
        "http_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_workers": workers,
        "drivers": len(drivers),
    }


def audit(url: str) -> dict[str, Any]:
    """Every done instruction has exactly one discharge event naming it; no event without its instruction."""
    with UnitOfWork.for_url(url) as uow:
        session = uow.session
        done = set(session.scalars(select(WorkInstructionRow.id).where(WorkInstructionRow.status == "done")))
        events = session.execute(
            select(tables.EventRow.source_reference, func.count())
            .where(tables.EventRow.event_type == "container.discharged")
            .group_by(tables.EventRow.source_reference)
        ).all()
    per_instruction: dict[int, int] = {}
    for source, count in events:
        marker = (source or "").rsplit("instruction:", 1)
        if len(marker) == 2:
            per_instruction[int(marker[1])] = per_instruction.get(int(marker[1]), 0) + count
    lost = sorted(done - set(per_instruction))
    doubled = sorted(i for i, n in per_instruction.items() if n > 1)
    strays = sorted(set(per_instruction) - done)
    return {"done": len(done), "lost_moves": len(lost), "doubled_moves": len(doubled), "moves_without_job": len(strays)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instructions", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--breakdowns", type=int, default=5)
    parser.add_argument("--confirmations", type=int, default=400, help="over HTTP, per server size")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="server sizes to measure in turn")
    args = parser.parse_args()
    console = Console()
    figures: dict[str, Any] = {"load_before": machine_load()}
    with server_url() as server, scratch_database(server, prefix="lb_dispatch") as url:
        figures.update(prepare(url, args.instructions, console))
        figures["open_at_start"] = _open_count(url)
        with UnitOfWork.for_url(url) as uow:
            figures["machines_working"] = len(uow.equipment.machines(status="working"))
            cranes = [m.code for m in uow.equipment.machines(kind="quay_crane")]
        drivers = sign_on_drivers(url, cranes)
        figures.update(decisions(url, drivers, args.decisions))
        figures["load_after_decisions"] = machine_load()
        figures.update(breakdowns(url, cranes, args.breakdowns))
        figures["open_before_http"] = _open_count(url)
        for workers in args.workers:
            measured = throughput(url, drivers, args.confirmations, workers)
            figures.update({f"{key}@{workers}w": value for key, value in measured.items()})
            figures[f"load_after_http@{workers}w"] = machine_load()
        figures.update(audit(url))
    figures["targets"] = {"decision_p99_ms": 50, "replan_s": 1.0, "confirmations_per_s": 200}
    written = print_figures("Dispatch on a live PostgreSQL hub (services/work)", "dispatch_live", figures, console)
    console.print(f"wrote {written}")


if __name__ == "__main__":
    main()
