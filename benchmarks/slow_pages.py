"""The pages that were slow with a loaded database, measured in CPU and wall time per request (issue #19).

Usage::

    .venv/bin/python benchmarks/slow_pages.py --database-url URL [--repeat 30] [--label after]
                                              [--before benchmarks/results/slow_pages_before.json]

Point it at a database ``landbridge db load-twin`` filled (``benchmarks/load_twin.py
--database-url URL`` keeps one). The app runs in this process (no server, no network), so the CPU
seconds a request costs — what a shared machine cannot inflate — are measured with
``time.process_time`` beside the wall time: p50 and p95 over ``--repeat`` requests after a warm-up,
as an admin. The pages: a box's tracking view (``/api/v1/tracking/{container}``: position, DCSA
timeline and ETA — measured once the DCSA projection has caught up, as the delivery worker keeps it;
the catch-up itself is timed apart), the wagon list, the train-visit list, the appointment list
(``/api/v1/gate/appointments/mine``) and the Overview screen (``/``). Lists are read as a client
would: their first page (the lists page by key since this issue; before, they answered everything).

``--label`` names the JSON (benchmarks/results/slow_pages_<label>.json); ``--before FILE`` adds that
run's figures and the ratio to the table. The code measured is whatever ``landbridge`` the
interpreter imports: run it once with ``PYTHONPATH`` at a checkout of the old code for the "before".
Target (issue #19): every page p95 < 300 ms with a year loaded.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from harness import machine_load, percentile, write_result
from landbridge.api.app import create_app
from landbridge.services.authz import create_user
from landbridge.services.tracking import PROJECTION, catch_up
from landbridge.store import tables
from landbridge.store.database import engine_for
from landbridge.store.tracking_tables import TrackingProjectionRow
from landbridge.store.unit_of_work import UnitOfWork

TARGET_MS = 300.0


def tracked_box(url: str) -> str | None:
    """A box that went by train (its view has a timeline and an ETA to compute): the latest loaded."""
    with engine_for(url).connect() as connection:
        on_wagon = connection.execute(select(tables.WagonCellRow.container_number).limit(1)).scalar()
        if on_wagon is not None:
            return str(on_wagon)
        latest = connection.execute(
            select(tables.EventRow.subject_id)
            .where(tables.EventRow.event_type == "container.loaded_wagon")
            .order_by(tables.EventRow.id.desc())
            .limit(1)
        ).scalar()
        return None if latest is None else str(latest)


def _high_water(url: str) -> tuple[int, int]:
    """(the projection's last event id, the log's newest event id)."""
    with engine_for(url).connect() as connection:
        last = connection.execute(
            select(TrackingProjectionRow.last_event_id).where(TrackingProjectionRow.name == PROJECTION)
        ).scalar()
        newest = connection.execute(select(func.max(tables.EventRow.id))).scalar()
    return int(last or 0), int(newest or 0)


def project_backlog(url: str) -> dict[str, Any]:
    """Bring the DCSA projection up to date (what the delivery worker does continuously)."""
    uow = UnitOfWork.for_url(url)
    cpu, wall, added = time.process_time(), time.perf_counter(), 0
    start, newest = _high_water(url)
    last = start
    while last < newest:
        added += catch_up(uow)
        moved, newest = _high_water(url)
        if moved == last:
            break  # waiting on a fresh id gap (the projection settles for a few seconds)
        last = moved
    return {
        "log_events_read": last - start,
        "dcsa_events_added": added,
        "cpu_s": round(time.process_time() - cpu, 1),
        "wall_s": round(time.perf_counter() - wall, 1),
    }


def measure(client: TestClient, path: str, repeat: int) -> dict[str, Any]:
    """p50/p95 of wall and CPU milliseconds over ``repeat`` requests after one warm-up."""
    first = client.get(path)
    walls, cpus, statuses = [], [], {first.status_code}
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(path)
        cpus.append(1000 * (time.process_time() - cpu))
        walls.append(1000 * (time.perf_counter() - wall))
        statuses.add(response.status_code)
    walls.sort()
    cpus.sort()
    body = first.json() if first.headers.get("content-type", "").startswith("application/json") else None
    return {
        "path": path,
        "status": sorted(statuses),
        "items": len(body) if isinstance(body, list) else None,
        "next_page": "Link" in first.headers,
        "p50_ms": round(percentile(walls, 0.5), 1),
        "p95_ms": round(percentile(walls, 0.95), 1),
        "cpu_p50_ms": round(percentile(cpus, 0.5), 1),
        "cpu_p95_ms": round(percentile(cpus, 0.95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--label", default="after")
    parser.add_argument("--before", type=Path)
    parser.add_argument(
        "--no-catch-up",
        action="store_true",
        help="leave the DCSA projection behind (the tracking view then meets the backlog on its request path)",
    )
    args = parser.parse_args()
    console = Console()
    url = args.database_url
    figures: dict[str, Any] = {"label": args.label, "machine_load_before": machine_load(), "pages": {}}
    with engine_for(url).connect() as connection:
        figures["events"] = connection.execute(select(func.count()).select_from(tables.EventRow)).scalar()
        figures["containers"] = connection.execute(select(func.count()).select_from(tables.ContainerRow)).scalar()
    figures["projection_catch_up"] = {"log_events_read": 0, "dcsa_events_added": 0, "cpu_s": 0.0, "wall_s": 0.0}
    if not args.no_catch_up:
        with console.status("DCSA projection catching up …"):
            figures["projection_catch_up"] = project_backlog(url)
    token = create_user(UnitOfWork.for_url(url), name=f"bench-pages-{random.randrange(16**6):06x}", role="admin")
    box = tracked_box(url)
    pages = {
        "tracking": f"/api/v1/tracking/{box}" if box else None,
        "wagons": "/api/v1/wagons",
        "train-visits": "/api/v1/train-visits",
        "appointments/mine": "/api/v1/gate/appointments/mine",
        "overview": "/",
    }
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(url), headers=headers, cookies={"lb_token": token}) as client:
        for name, path in pages.items():
            if path is None:
                continue
            with console.status(f"{name} …"):
                figures["pages"][name] = measure(client, path, args.repeat)
    figures["machine_load_after"] = machine_load()
    before = json.loads(args.before.read_text())["pages"] if args.before else {}
    table = Table(title=f"slow pages ({args.label}): {figures['events']:,} events, {figures['containers']:,} boxes")
    for column in ("page", "items", "p50 ms", "p95 ms", "CPU p50 ms", "CPU p95 ms"):
        table.add_column(column, justify="left" if column == "page" else "right")
    if before:
        table.add_column("before p95 ms", justify="right")
        table.add_column("before CPU p50 ms", justify="right")
    for name, page in figures["pages"].items():
        row = [
            name,
            "" if page["items"] is None else f"{page['items']:,}" + (" +" if page["next_page"] else ""),
            str(page["p50_ms"]),
            str(page["p95_ms"]),
            str(page["cpu_p50_ms"]),
            str(page["cpu_p95_ms"]),
        ]
        if before:
            old = before.get(name, {})
            row += [str(old.get("p95_ms", "")), str(old.get("cpu_p50_ms", ""))]
        table.add_row(*row)
    console.print(table)
    catch = figures["projection_catch_up"]
    console.print(
        f"DCSA projection caught up first: {catch['log_events_read']:,} events of the log read, "
        f"{catch['cpu_s']} CPU-s; "
        f"load {figures['machine_load_before']} → {figures['machine_load_after']}; "
        f"target p95 < {TARGET_MS:g} ms",
        highlight=False,
    )
    console.print(f"wrote {write_result(f'slow_pages_{args.label}', figures)}")


if __name__ == "__main__":
    main()
