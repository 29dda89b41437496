"""A realistic operations mix over HTTP against PostgreSQL, several server workers, contested and not.

Usage::

    .venv/bin/python benchmarks/ops_load.py [--operations 2000] [--concurrency 64] [--workers 2]
                                            [--phases uncontested,contested] [--pgbench-s 15]

With ``LANDBRIDGE_TEST_POSTGRES_URL`` set it uses that server; otherwise it starts its own throwaway
cluster (Debian's PostgreSQL, as ``scripts/test.sh`` does) and always stops it.

What it does: seeds a database, discharges boxes into yard blocks B–D, announces two westbound
trains on tracks T1/T2 and creates one user per role; that database is the template each phase
copies. Each phase serves the copy with ``landbridge serve --workers N`` and plays a seeded mix of
operations with bounded concurrency: reads (a container, its history, the container list, the
train list, the yard page of the dashboard), tracking (the tracking endpoint and the DCSA event
feed of one box), yard moves, gate trucks (a truck in to pick a box up, then out) and train loads.

* **uncontested**: every write touches its own box and its own target (a free yard slot in block
  A or E, a free wagon slot), so a 409 would be a bug.
* **contested**: writes pick boxes at random and aim at 100 yard slots and two wagons, so many
  lose races (409) — what matters is that none is a 5xx and nothing is double-occupied.

Afterwards it runs ``pgbench`` on the same server with a script of the same shape as one yard
move as the API runs it (token lookup, version peek, then one transaction: idempotency lookup,
box locked, target cells read, block locked, its stacks read, cells and slot rewritten, box
updated, event and idempotency record inserted) and reports the HTTP mix's throughput as a share
of that ceiling. Prints a table per phase and writes JSON to benchmarks/results/ops_load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from stdnum import iso6346, luhn

from harness import machine_load, percentile, postgres_bin, served, server_url, write_result
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ManifestEntry
from landbridge.domain.units import Direction
from landbridge.scenarios import load_scenario
from landbridge.services.authz import create_user
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.operations import gate, manifests, rail, vessel
from landbridge.services.operations.rail import WagonSpec
from landbridge.services.seeding import seed_scenario
from landbridge.store import tables
from landbridge.store.database import engine_for
from landbridge.store.migrate import upgrade
from landbridge.store.unit_of_work import UnitOfWork

BOXES = 900  # ground slots of blocks B-D: 3 x 328 = 984
TRAINS = {"LOAD-T1": "T1", "LOAD-T2": "T2"}
WAGONS_PER_TRAIN = 50
CONTESTED_SLOTS = [f"A-{bay:02d}-{row:02d}-1" for bay in range(1, 26) for row in range(1, 5)]
FREE_SLOTS = [f"{block}-{bay:02d}-{row:02d}-1" for block in "AE" for bay in range(1, 42) for row in range(1, 9)]
# Operation kinds and their share of the mix (they add up to 100).
MIX = {
    "container": 10,
    "history": 8,
    "container_list": 6,
    "train_list": 4,
    "yard_page": 4,
    "tracking": 10,
    "dcsa_events": 5,
    "yard_move": 33,
    "gate_truck": 10,
    "train_load": 10,
}
WRITES = ("yard_move", "gate_truck", "train_load")
DELIVERY_ORDER, PIN = "DO-BENCH", "2468"


def _box(serial: int) -> str:
    base = f"BLDU{serial:06d}"
    return base + str(iso6346.calc_check_digit(base))


def _wagon(serial: int) -> str:
    base = f"31330{serial:06d}"
    return base + str(luhn.calc_check_digit(base))


@dataclass
class Prepared:
    """The template database: its boxes, wagons per train and a token per role."""

    url: str
    boxes: list[str]
    wagons: dict[str, list[str]]
    tokens: dict[str, str] = field(default_factory=dict)


def prepare(url: str, console: Console) -> Prepared:
    """Seed, berth a vessel, discharge the boxes into blocks B-D, announce the trains, create users."""
    upgrade(url)
    seed_scenario(UnitOfWork.for_url(url), load_scenario())
    actor = Actor("bench-setup", "admin")
    vessel.announce_vessel(
        UnitOfWork.for_url(url), actor, reference="LOAD", vessel_name="Load", eta=datetime(2026, 11, 28, tzinfo=UTC)
    )
    vessel.berth_vessel(
        UnitOfWork.for_url(url), actor, reference="LOAD", berth_code="29", etb=datetime(2026, 11, 28, 1, tzinfo=UTC)
    )
    # The paperwork the rules ask for: the line's discharge list, the trains' planned boxes, one
    # delivery order (with PIN) releasing every box to the gate.
    listed = [ManifestEntry(_box(i)) for i in range(BOXES)]
    manifests.set_discharge_list(UnitOfWork.for_url(url), actor, visit="LOAD", entries=listed)
    boxes = []
    for i in range(BOXES):
        number = _box(i)
        register_container(UnitOfWork.for_url(url), RegisterContainer(ContainerNumber(number), "22G1"), actor)
        block, index = "BCD"[i // 328], i % 328
        slot = f"{block}-{1 + index // 8:02d}-{1 + index % 8:02d}-1"
        vessel.discharge_container(UnitOfWork.for_url(url), actor, reference="LOAD", container=number, slot=slot)
        boxes.append(number)
        if i % 100 == 99:
            console.print(f"  {i + 1} boxes discharged")
    wagons: dict[str, list[str]] = {}
    for index, (train, track) in enumerate(TRAINS.items()):
        numbers = [_wagon(index * 1000 + w) for w in range(WAGONS_PER_TRAIN)]
        rail.announce_train(
            UnitOfWork.for_url(url),
            actor,
            reference=train,
            direction=Direction.WEST,
            route_code="almaty",
            gauge_mm=1435,
            train_type_code="cn_1435",
            wagons=[WagonSpec(number, "cn_flat_40ft") for number in numbers],
            track_code=track,
        )
        manifests.set_planned_boxes(UnitOfWork.for_url(url), actor, train=train, entries=listed)
        wagons[train] = numbers
    now = datetime.now(UTC)
    gate.issue_delivery_order(
        UnitOfWork.for_url(url),
        actor,
        reference=DELIVERY_ORDER,
        containers=boxes,
        valid_from=now - timedelta(hours=1),
        valid_to=now + timedelta(days=2),
        pin=PIN,
    )
    prepared = Prepared(url, boxes, wagons)
    for role in ("yard_operator", "gate_clerk", "rail_operator", "auditor", "admin"):
        prepared.tokens[role] = create_user(UnitOfWork.for_url(url), name=f"bench-{role}", role=role)
    return prepared


@contextlib.contextmanager
def copy_of(template_url: str) -> Iterator[str]:
    """A fresh copy of the template database (PostgreSQL ``CREATE DATABASE … TEMPLATE``), dropped afterwards."""
    engine_for(template_url).dispose()
    template = make_url(template_url)
    name = f"{template.database}_{random.randrange(16**6):06x}"
    admin = create_engine(template.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"'))
    url = template.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        engine_for(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Operation:
    """One step of the mix: a kind and what it works on."""

    kind: str
    box: str
    target: str = ""  # yard slot, or "train/wagon/slot"


def plan(prepared: Prepared, operations: int, contested: bool, seed: int) -> list[Operation]:
    """The seeded sequence of operations of one phase."""
    rng = random.Random(seed)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=operations)
    untouched = list(prepared.boxes)
    rng.shuffle(untouched)
    free_slots = list(FREE_SLOTS)
    wagon_slots = [f"{train}/{wagon}/1" for train, numbers in prepared.wagons.items() for wagon in numbers]
    wagon_slots = [slot for slot in wagon_slots for _ in (1, 2)]  # two 20 ft boxes per 40 ft wagon slot
    contested_wagons = [f"{train}/{numbers[w]}/1" for train, numbers in prepared.wagons.items() for w in range(2)]
    planned = []
    for kind in kinds:
        if kind not in WRITES:
            planned.append(Operation(kind, rng.choice(prepared.boxes)))
            continue
        if contested:
            box = rng.choice(prepared.boxes)
            target = rng.choice(CONTESTED_SLOTS if kind == "yard_move" else contested_wagons)
        else:
            if not untouched:
                planned.append(Operation("container", rng.choice(prepared.boxes)))
                continue
            box = untouched.pop()
            if kind == "yard_move":
                target = free_slots.pop(0) if free_slots else ""
            elif kind == "train_load":
                target = wagon_slots.pop(0) if wagon_slots else ""
            else:
                target = ""
            if kind != "gate_truck" and not target:
                planned.append(Operation("container", box))
                continue
        planned.append(Operation(kind, box, target))
    return planned


@dataclass
class Outcome:
    """What one HTTP request of an operation answered."""

    endpoint: str
    status: int
    latency_s: float


async def play(base: str, prepared: Prepared, operations: list[Operation], concurrency: int) -> list[Outcome]:
    """Play the operations with at most ``concurrency`` in flight; one outcome per HTTP request."""
    limit = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    outcomes: list[Outcome] = []
    tokens = prepared.tokens

    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:

        async def call(
            endpoint: str, method: str, path: str, role: str, headers: dict[str, str] | None = None, **kwargs: Any
        ) -> httpx.Response:
            # A connection dropped under load is retried when that is safe (a read, or a write with an
            # Idempotency-Key, which replays its first answer); otherwise it is counted as status 0.
            started = time.perf_counter()
            safe = method == "GET" or "Idempotency-Key" in (headers or {})
            for attempt in range(3 if safe else 1):
                try:
                    response = await client.request(method, path, headers={**auth(role), **(headers or {})}, **kwargs)
                    break
                except httpx.TransportError:
                    if attempt == (2 if safe else 0):
                        outcomes.append(Outcome(endpoint, 0, time.perf_counter() - started))
                        return httpx.Response(599)
            outcomes.append(Outcome(endpoint, response.status_code, time.perf_counter() - started))
            return response

        async def one(index: int, op: Operation) -> None:
            key = {"Idempotency-Key": f"load-{index}"}
            async with limit:
                if op.kind == "container":
                    await call("GET container", "GET", f"/api/v1/containers/{op.box}", "auditor")
                elif op.kind == "history":
                    await call("GET history", "GET", f"/api/v1/containers/{op.box}/history", "auditor")
                elif op.kind == "container_list":
                    await call("GET containers", "GET", "/api/v1/containers", "auditor", params={"limit": 50})
                elif op.kind == "train_list":
                    await call("GET train-visits", "GET", "/api/v1/train-visits", "auditor")
                elif op.kind == "yard_page":
                    await call("GET /yard page", "GET", "/yard", "auditor", cookies={"lb_token": tokens["auditor"]})
                elif op.kind == "tracking":
                    await call("GET tracking", "GET", f"/api/v1/tracking/{op.box}", "auditor")
                elif op.kind == "dcsa_events":
                    params = {"equipmentReference": op.box}
                    await call("GET dcsa events", "GET", "/dcsa/tnt/v2/events", "auditor", params=params)
                elif op.kind == "yard_move":
                    body = {"container": op.box, "slot": op.target}
                    await call("POST yard move", "POST", "/api/v1/yard/moves", "yard_operator", json=body, headers=key)
                elif op.kind == "train_load":
                    train, wagon, slot = op.target.split("/")
                    body = {"container": op.box, "wagon_number": wagon, "slot": int(slot)}
                    path = f"/api/v1/train-visits/{train}/load"
                    await call("POST train load", "POST", path, "rail_operator", json=body)
                elif op.kind == "gate_truck":
                    reference = f"TRK{index:06d}"
                    body = {
                        "reference": reference,
                        "plate": f"SU{index:05d}",
                        "pick_up": [op.box],
                        "delivery_order": DELIVERY_ORDER,
                        "pin": PIN,
                        "override_reason": "benchmark truck without an appointment",
                    }
                    response = await call("POST truck in", "POST", "/api/v1/gate/trucks", "gate_clerk", json=body)
                    if response.status_code == 201:
                        await call("POST truck out", "POST", f"/api/v1/gate/trucks/{reference}/out", "gate_clerk")

        await asyncio.gather(*(one(index, op) for index, op in enumerate(operations)))
    return outcomes


def double_occupancy(url: str) -> int:
    """Yard cells or wagon cells held by more than one box (must be 0)."""
    cell, wagon = tables.YardCellRow, tables.WagonCellRow
    total = 0
    with engine_for(url).connect() as connection:
        for columns in ((cell.block, cell.bay, cell.row, cell.tier), (wagon.wagon_id, wagon.slot, wagon.half)):
            clashes = select(*columns).group_by(*columns).having(func.count() > 1).subquery()
            total += int(connection.execute(select(func.count()).select_from(clashes)).scalar_one())
    return total


# One yard move as the API runs it, for pgbench: :i picks a box, :s a target bay/row of block A.
PGBENCH_MOVE = """\\set i random(0, {last_box})
\\set bay random(1, 41)
\\set row random(1, 8)
SELECT number AS box FROM bench_boxes WHERE i = :i \\gset
SELECT id, name, role, party_code FROM api_users WHERE token_sha256 = 'none';
SELECT version FROM containers WHERE number = :box;
BEGIN;
SELECT status_code FROM idempotency_keys WHERE actor = 'bench' AND key = 'k' || :i;
SELECT number, version, position_reference FROM containers WHERE number = :box FOR UPDATE;
SELECT container_number FROM yard_cells WHERE block = 'A' AND bay = :bay AND row = :row AND tier = 1;
SELECT block, bay, row, tier FROM yard_slots WHERE container_number = :box;
SELECT code FROM yard_blocks WHERE code IN ('A', 'B') ORDER BY code FOR UPDATE;
SELECT container_number FROM yard_cells WHERE block = 'B' AND row = :row AND bay = :bay AND tier = 2;
SELECT s.container_number, c.iso_type, c.load_state FROM yard_slots s JOIN containers c ON c.number = s.container_number
  WHERE s.block = 'A' AND s.row = :row AND s.bay BETWEEN :bay - 1 AND :bay + 1;
SELECT container_number, imdg_class FROM goods_lines WHERE container_number = :box AND imdg_class IS NOT NULL;
DELETE FROM yard_cells WHERE container_number = :box;
DELETE FROM yard_slots WHERE container_number = :box;
INSERT INTO yard_slots (block, bay, row, tier, container_number)
  SELECT block, bay, row, tier, :box FROM bench_boxes WHERE i = :i;
INSERT INTO yard_cells (block, bay, row, tier, container_number)
  SELECT block, bay, row, tier, :box FROM bench_boxes WHERE i = :i;
UPDATE containers SET version = version + 1 WHERE number = :box;
INSERT INTO events
  (event_type, subject_type, subject_id, actor, role, occurred_at, recorded_at, location, before, after)
  VALUES ('container.placed', 'container', :box, 'bench', 'yard_operator', now(), now(), 'A', '{{}}', '{{}}');
COMMIT;
"""


def pgbench_ceiling(template_url: str, concurrency: int, seconds: int) -> dict[str, Any]:
    """TPS of ``PGBENCH_MOVE`` on a copy of the template: the database's own ceiling for that shape."""
    with copy_of(template_url) as url:
        with engine_for(url).begin() as connection:
            connection.execute(
                text(
                    "CREATE TABLE bench_boxes AS SELECT (row_number() OVER (ORDER BY s.container_number)) - 1 AS i, "
                    "s.container_number AS number, s.block, s.bay, s.row, s.tier FROM yard_slots s"
                )
            )
            connection.execute(text("CREATE UNIQUE INDEX ON bench_boxes (i)"))
            boxes = int(connection.execute(text("SELECT count(*) FROM bench_boxes")).scalar_one())
        engine_for(url).dispose()
        parsed = make_url(url)
        folder = Path(tempfile.mkdtemp(prefix="landbridge-pgbench."))
        script = folder / "move.sql"
        script.write_text(PGBENCH_MOVE.format(last_box=boxes - 1))
        command = [
            str(postgres_bin() / "pgbench"),
            "-n",
            "-h",
            str(parsed.host),
            "-p",
            str(parsed.port),
            "-U",
            str(parsed.username),
            "-c",
            str(concurrency),
            "-j",
            "2",
            "-M",
            "prepared",
            "-T",
            str(seconds),
            "-f",
            str(script),
            str(parsed.database),
        ]
        load_before = machine_load()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-500:]}
    found = re.search(r"tps = ([0-9.]+)", done.stdout)
    latency = re.search(r"latency average = ([0-9.]+) ms", done.stdout)
    return {
        "script": "one yard move as the API runs it (see PGBENCH_MOVE)",
        "clients": concurrency,
        "seconds": seconds,
        "tps": float(found.group(1)) if found else None,
        "latency_avg_ms": float(latency.group(1)) if latency else None,
        "machine_load_before": load_before,
        "machine_load_after": machine_load(),
    }


def summarise(outcomes: list[Outcome], wall_s: float) -> dict[str, Any]:
    """Throughput, statuses and p50/p95/p99 per endpoint and overall."""
    by_endpoint: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_endpoint[outcome.endpoint].append(outcome)
    endpoints = {}
    for endpoint, items in sorted(by_endpoint.items()):
        latencies = sorted(1000 * item.latency_s for item in items)
        statuses: dict[str, int] = defaultdict(int)
        for item in items:
            statuses[str(item.status)] += 1
        endpoints[endpoint] = {
            "requests": len(items),
            "statuses": dict(sorted(statuses.items())),
            "p50_ms": round(percentile(latencies, 0.50), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
        }
    latencies = sorted(1000 * item.latency_s for item in outcomes)
    return {
        "requests": len(outcomes),
        "wall_s": round(wall_s, 2),
        "throughput_req_per_s": round(len(outcomes) / wall_s, 1),
        "server_errors_5xx": sum(1 for item in outcomes if item.status >= 500),
        "unexpected_4xx": sum(1 for item in outcomes if 400 <= item.status < 500 and item.status != 409),
        "conflicts_409": sum(1 for item in outcomes if item.status == 409),
        "dropped_connections": sum(1 for item in outcomes if item.status == 0),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "endpoints": endpoints,
    }


def print_phase(console: Console, name: str, figures: dict[str, Any]) -> None:
    """The phase's table: one row per endpoint, then the totals."""
    table = Table(title=f"ops load, {name} ({figures['workers']} workers, concurrency {figures['concurrency']})")
    for column in ("endpoint", "requests", "statuses", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(column, justify="left" if column in ("endpoint", "statuses") else "right")
    for endpoint, row in figures["endpoints"].items():
        statuses = " ".join(f"{code}:{count}" for code, count in row["statuses"].items())
        table.add_row(endpoint, str(row["requests"]), statuses, *(str(row[k]) for k in ("p50_ms", "p95_ms", "p99_ms")))
    table.add_row(
        "[bold]all[/bold]",
        str(figures["requests"]),
        f"5xx:{figures['server_errors_5xx']} 409:{figures['conflicts_409']} other 4xx:{figures['unexpected_4xx']}",
        *(str(figures[k]) for k in ("p50_ms", "p95_ms", "p99_ms")),
    )
    console.print(table)
    console.print(
        f"{name}: {figures['throughput_req_per_s']} requests/s over {figures['wall_s']} s; "
        f"double occupancy {figures['double_occupancy']}; machine load {figures['machine_load_after']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=2000, help="operations per phase")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="landbridge serve --workers")
    parser.add_argument("--phases", default="uncontested,contested")
    parser.add_argument("--pgbench-s", type=int, default=15, help="seconds of pgbench (0: skip)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    console = Console()
    with server_url() as server:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        template = f"lb_load_{random.randrange(16**8):08x}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{template}"'))
        template_url = make_url(server).set(database=template).render_as_string(hide_password=False)
        try:
            console.print(f"preparing the template: seed, {BOXES} boxes in the yard, {len(TRAINS)} trains …")
            prepared = prepare(template_url, console)
            results: dict[str, Any] = {"phases": {}}
            for phase in args.phases.split(","):
                operations = plan(prepared, args.operations, phase == "contested", args.seed)
                with copy_of(template_url) as url:
                    load_before = machine_load()
                    with served(url, workers=args.workers) as base:
                        started = time.perf_counter()
                        outcomes = asyncio.run(play(base, prepared, operations, args.concurrency))
                        wall_s = time.perf_counter() - started
                    figures = summarise(outcomes, wall_s)
                    figures.update(
                        operations=len(operations),
                        workers=args.workers,
                        concurrency=args.concurrency,
                        double_occupancy=double_occupancy(url),
                        machine_load_before=load_before,
                        machine_load_after=machine_load(),
                    )
                results["phases"][phase] = figures
                print_phase(console, phase, figures)
            if args.pgbench_s > 0:
                ceiling = pgbench_ceiling(template_url, args.concurrency, args.pgbench_s)
                results["pgbench"] = ceiling
                if ceiling.get("tps"):
                    for phase, figures in results["phases"].items():
                        figures["share_of_pgbench_tps"] = round(figures["throughput_req_per_s"] / ceiling["tps"], 3)
                        share = figures["share_of_pgbench_tps"]
                        console.print(f"{phase}: {share:.1%} of pgbench's {ceiling['tps']:.0f} TPS")
                else:
                    console.print(f"[red]pgbench failed[/red]: {ceiling.get('error')}")
        finally:
            engine_for(template_url).dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
            admin.dispose()
    results.update(backend="postgresql", recorded_at=datetime.now(UTC).isoformat(timespec="seconds"), mix=MIX)
    path = write_result("ops_load", results)
    bad = any(f["server_errors_5xx"] or f["double_occupancy"] for f in results["phases"].values())
    bad = bad or results["phases"].get("uncontested", {}).get("unexpected_4xx", 0) > 0
    verdict = "[red]CHECKS FAILED[/red]" if bad else "[green]no 5xx, no double occupancy[/green]"
    console.print(f"wrote {path}; {verdict}")
    if bad:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
