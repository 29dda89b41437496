"""The dashboard's screens, lists and audit search with a month of base activity in the database.

Usage::

    .venv/bin/python benchmarks/dashboard_pages.py [--database-url URL] [--containers 20000]
        [--events 200000] [--repeat 20]

Seeds the scenario, then bulk-writes a month of activity straight into the tables (not through the
services — this measures reading, and ``benchmarks/year_queries.py`` covers a database the services
filled): ``--containers`` boxes spread over the yard, ships, trains and the gate, ``--events`` events
about them over 30 days, holds, ship calls, trains, trucks, appointments and parties. Then, as a
staff user and as a shipper, requests every dashboard screen, each list (first page, a filtered page,
a late page), the audit search (by container, by type, by time range) and the CSV exports,
``--repeat`` times after a warm-up, in-process (Starlette's TestClient: no network in the figures).

Target (issue #22): every page and list p95 < 300 ms. Prints a table and writes JSON to
benchmarks/results/dashboard_pages.json.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert
from stdnum import iso6346

from harness import machine_load, percentile, write_result
from landbridge.api.app import create_app
from landbridge.scenarios import load_scenario
from landbridge.services.authz import create_user
from landbridge.services.seeding import seed_scenario
from landbridge.store import tables
from landbridge.store.database import engine_for
from landbridge.store.migrate import upgrade
from landbridge.store.unit_of_work import UnitOfWork

TARGET_MS = 300.0
KINDS = ("yard", "yard", "yard", "wagon", "departed", "delivered", "announced", "vessel")
TYPES = (
    "container.registered",
    "container.discharged",
    "container.placed",
    "container.loaded_wagon",
    "container.gate_in",
    "container.gate_out",
    "container.assigned",
)


def number(serial: int, owner: str = "BEN") -> str:
    base = f"{owner}U{serial:06d}"
    return base + str(iso6346.calc_check_digit(base))


def seed_month(url: str, containers: int, events: int, seed: int) -> dict[str, str]:
    """A month of activity written in bulk; returns what the requests ask for."""
    rng = random.Random(seed)
    upgrade(url)
    seed_scenario(UnitOfWork.for_url(url), load_scenario())
    start = datetime.now(UTC) - timedelta(days=30)
    boxes = [number(i) for i in range(1, containers + 1)]
    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(
            insert(tables.PartyRow),
            [{"code": f"P{i:03d}", "name": f"Party {i}", "role": "shipper", "country": "KZ"} for i in range(200)],
        )
        connection.execute(
            insert(tables.ConsignmentRow),
            [
                {
                    "booking_reference": f"BK{i:05d}",
                    "shipper_code": f"P{i % 200:03d}",
                    "origin": "CNLYG",
                    "destination": "KZALA",
                }
                for i in range(2000)
            ],
        )
        connection.execute(
            insert(tables.ContainerRow),
            [
                {
                    "number": box,
                    "iso_type": "42G1",
                    "load_state": "full",
                    "gross_mass_kg": 20_000,
                    "seals": [],
                    "booking_reference": f"BK{i % 2000:05d}",
                    "position_kind": rng.choice(KINDS),
                    "position_reference": None,
                    "version": 1,
                }
                for i, box in enumerate(boxes)
            ],
        )
        connection.execute(
            insert(tables.CustomsHoldRow),
            [
                {
                    "container_number": rng.choice(boxes),
                    "reason": "inspection",
                    "placed_by": "customs",
                    "placed_at": start + timedelta(hours=rng.uniform(0, 720)),
                    "released_at": None if i % 3 else start + timedelta(days=29),
                    "kind": "customs",
                    "owner": "customs",
                }
                for i in range(1500)
            ],
        )
        connection.execute(
            insert(tables.VesselVisitRow),
            [
                {
                    "reference": f"V{i:04d}",
                    "vessel_name": f"Ship {i}",
                    "eta": start + timedelta(hours=6 * i),
                    "status": "departed",
                }
                for i in range(120)
            ],
        )
        connection.execute(
            insert(tables.TruckVisitRow),
            [
                {
                    "reference": f"TV{i:05d}",
                    "plate": f"苏G{i:05d}",
                    "status": "out" if i % 20 else "in",
                    "arrived_at": start + timedelta(minutes=4 * i),
                    "drop_off": [],
                    "pick_up": [rng.choice(boxes)],
                }
                for i in range(8000)
            ],
        )
        batch = []
        for i in range(events):
            box = boxes[i % containers]
            batch.append(
                {
                    "event_type": rng.choice(TYPES),
                    "subject_type": "container",
                    "subject_id": box,
                    "actor": rng.choice(("yard-1", "gate-2", "rail-3", "planner")),
                    "role": "yard_operator",
                    "occurred_at": start + timedelta(seconds=i * 30 * 86400 / events),
                    "recorded_at": start + timedelta(seconds=i * 30 * 86400 / events),
                    "before": {"position": {"kind": "vessel"}},
                    "after": {"position": {"kind": "yard", "reference": "A-01-01-1"}},
                }
            )
            if len(batch) == 20_000:
                connection.execute(insert(tables.EventRow), batch)
                batch = []
        if batch:
            connection.execute(insert(tables.EventRow), batch)
    staff = create_user(UnitOfWork.for_url(url), name="bench-staff", role="auditor")
    shipper = create_user(UnitOfWork.for_url(url), name="bench-shipper", role="shipper", party="P007")
    middle = (start + timedelta(days=15)).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return {"staff": staff, "shipper": shipper, "box": boxes[len(boxes) // 2], "middle": middle}


def pages(facts: dict[str, str]) -> list[tuple[str, str]]:
    """(who, path) to time."""
    staff = [
        "/", "/berths", "/yard", "/yard?mode=dwell", "/rail", "/grain", "/customs", "/gate", "/lists",
        "/lists/containers", "/lists/containers?position_kind=yard", "/lists/containers?page=300",
        f"/lists/containers?number={facts['box'][:8]}", "/lists/holds?open=yes", "/lists/vessel-visits",
        "/lists/trucks", "/lists/trucks?page=150", "/lists/parties", "/audit", f"/audit?container={facts['box']}",
        "/audit?event_type=container.gate_out", f"/audit?from={facts['middle']}&to={facts['middle'][:-1]}",
        "/audit?page=3000",
        f"/container/{facts['box']}", "/lists/holds.csv", "/lists/vessel-visits.csv",
        f"/lists/events.csv?container={facts['box']}",
    ]  # fmt: skip
    shipper = ["/container", "/lists/containers", "/lists/holds", "/audit", "/lists/containers.csv"]
    return [("staff", path) for path in staff] + [("shipper", path) for path in shipper]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--containers", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="landbridge-dash."))
    url = args.database_url or f"sqlite:///{folder / 'month.db'}"
    console = Console()
    began = time.perf_counter()
    facts = seed_month(url, args.containers, args.events, args.seed)
    console.print(
        f"seeded {args.containers:,} containers and {args.events:,} events in {time.perf_counter() - began:.0f} s"
    )
    app = create_app(url)
    app.state.runs_dir = str(folder / "runs")
    rows: list[dict[str, Any]] = []
    with TestClient(app) as client:
        for who, path in pages(facts):
            client.cookies.set("lb_token", facts[who])
            status = client.get(path).status_code  # warm-up
            timings = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                client.get(path)
                timings.append(1000 * (time.perf_counter() - started))
            timings.sort()
            rows.append(
                {
                    "who": who,
                    "path": path,
                    "status": status,
                    "p50_ms": round(percentile(timings, 0.5), 1),
                    "p95_ms": round(percentile(timings, 0.95), 1),
                    "max_ms": round(timings[-1], 1),
                }
            )
    table = Table(title=f"dashboard pages: {args.containers:,} containers, {args.events:,} events ({machine_load()})")
    for column in ("who", "path", "status", "p50 ms", "p95 ms", "max ms", "< 300 ms"):
        table.add_column(column)
    for row in rows:
        ok = row["p95_ms"] < TARGET_MS and row["status"] == 200
        table.add_row(
            row["who"], row["path"], str(row["status"]), str(row["p50_ms"]), str(row["p95_ms"]), str(row["max_ms"]),
            "yes" if ok else "NO",
        )  # fmt: skip
    console.print(table)
    figures = {
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "containers": args.containers,
        "events": args.events,
        "repeat": args.repeat,
        "load": machine_load(),
        "target_p95_ms": TARGET_MS,
        "all_within_target": all(row["p95_ms"] < TARGET_MS and row["status"] == 200 for row in rows),
        "pages": rows,
    }
    console.print(f"written to {write_result('dashboard_pages', figures)}")


if __name__ == "__main__":
    main()
