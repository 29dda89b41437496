"""Every dashboard page and API GET route on a loaded database, in CPU and wall time per request (issue #19).

Usage::

    .venv/bin/python benchmarks/slow_pages.py --database-url URL [--repeat 10] [--label year]
                                              [--only /api/v1/wagons,/] [--before FILE]

Point it at a database ``landbridge db load-twin`` filled (a copy of it: the benchmark adds a user and
brings the DCSA projection up to date). The app runs in this process (no server, no network), so the
CPU a request costs — what a shared machine cannot inflate — is measured with ``time.process_time``
beside the wall time: p50 and p95 over ``--repeat`` requests after a warm-up, as an admin. On
PostgreSQL the server's own CPU is not in the figure (it is on SQLite, which runs in-process).

The routes are every GET route of the app (walked from its routers, so a page added later is
measured too), path parameters filled with real objects from the database (the box with the longest
history, the latest train, call, lot, invoice, …; every list of ``/lists``, every report, every
command form, every yard mode) — see ``year_queries.routes_to_measure``. Downloads (whole lists or
reports as CSV/XLSX, invoice files) are measured too and marked: they are files, not pages. Then a
container's history for ``--histories`` boxes, and the whole DCSA feed paged through following
``Next-Page`` (CPU per page).

Before measuring, the DCSA projection is brought up to date (what ``landbridge deliver`` does next to
the API) and the time that takes is stated; ``--no-catch-up`` leaves it (the feed then answers from
what is projected and each request projects one small batch).

Targets (issue #19): every page and list p95 < 300 ms; a container's history < 50 ms; the feed paged
through in full. Prints a table (route, rows, CPU p50/p95, wall p50/p95) and writes JSON to
benchmarks/results/slow_pages_<label>.json; ``--before FILE`` adds that run's CPU p95 beside.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path
from typing import Any

import httpx
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
from year_queries import (
    HISTORY_TARGET_MS,
    PAGE_TARGET_MS,
    database_size,
    is_download,
    routes_to_measure,
    sample_objects,
)

SLOW_WARM_UP_S = 5.0
"""A route whose warm-up took longer is measured three times, not ``--repeat`` times (a year can make minutes)."""


def _high_water(url: str) -> tuple[int, int]:
    """(the projection's last event id, the log's newest event id)."""
    with engine_for(url).connect() as connection:
        last = connection.execute(
            select(TrackingProjectionRow.last_event_id).where(TrackingProjectionRow.name == PROJECTION)
        ).scalar()
        newest = connection.execute(select(func.max(tables.EventRow.id))).scalar()
    return int(last or 0), int(newest or 0)


def project_backlog(url: str, console: Console) -> dict[str, Any]:
    """Bring the DCSA projection up to date (what the delivery worker does continuously), timed."""
    uow = UnitOfWork.for_url(url)
    cpu, wall, added = time.process_time(), time.perf_counter(), 0
    start, newest = _high_water(url)
    last = start
    with console.status("DCSA projection catching up …") as status:
        while last < newest:
            added += catch_up(uow, batch=1000, max_batches=10)
            moved, newest = _high_water(url)
            if moved == last:
                break  # waiting on a fresh id gap (the projection settles for a few seconds)
            last = moved
            spent = time.process_time() - cpu
            status.update(f"DCSA projection: {last - start:,} of {newest - start:,} log events, {spent:,.0f} CPU-s")
    return {
        "log_events_read": last - start,
        "dcsa_events_added": added,
        "cpu_s": round(time.process_time() - cpu, 1),
        "wall_s": round(time.perf_counter() - wall, 1),
    }


def rows_of(response: httpx.Response) -> int | None:
    """What a page shows: items of a JSON list (or of a body's longest list), table rows of HTML, CSV lines."""
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json"):
        body = response.json()
        if isinstance(body, list):
            return len(body)
        values = body.values() if isinstance(body, dict) else []
        lists = [len(value) for value in values if isinstance(value, list)]
        return max(lists) if lists else 1
    if kind.startswith("text/html"):
        return len(re.findall(r"<tr[ >]", response.text))
    if kind.startswith("text/csv"):
        return max(0, response.text.count("\n") - 1)
    return None


def measure(client: TestClient, path: str, repeat: int) -> dict[str, Any]:
    """p50/p95 of CPU and wall milliseconds over ``repeat`` requests after one warm-up."""
    cpu, wall = time.process_time(), time.perf_counter()
    first = client.get(path)
    warm_wall_s = time.perf_counter() - wall
    cpus, walls = [1000 * (time.process_time() - cpu)], [1000 * warm_wall_s]
    statuses = {first.status_code}
    if warm_wall_s > SLOW_WARM_UP_S:
        repeat = min(repeat, 3)
    else:
        cpus, walls = [], []  # the warm-up only fills caches
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(path)
        cpus.append(1000 * (time.process_time() - cpu))
        walls.append(1000 * (time.perf_counter() - wall))
        statuses.add(response.status_code)
    cpus.sort()
    walls.sort()
    return {
        "path": path,
        "status": sorted(statuses),
        "rows": rows_of(first),
        "next_page": "Link" in first.headers or "Next-Page" in first.headers,
        "samples": len(cpus),
        "cpu_p50_ms": round(percentile(cpus, 0.5), 1),
        "cpu_p95_ms": round(percentile(cpus, 0.95), 1),
        "p50_ms": round(percentile(walls, 0.5), 1),
        "p95_ms": round(percentile(walls, 0.95), 1),
    }


def histories(client: TestClient, url: str, count: int, seed: int) -> dict[str, Any]:
    """A container's history (``/api/v1/containers/{n}/history``) for ``count`` boxes: CPU and wall per request."""
    with engine_for(url).connect() as connection:
        numbers = [str(n) for n in connection.execute(select(tables.ContainerRow.number)).scalars()]
    chosen = random.Random(seed).sample(numbers, min(count, len(numbers)))
    cpus, walls, events = [], [], []
    for number in chosen:
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(f"/api/v1/containers/{number}/history")
        cpus.append(1000 * (time.process_time() - cpu))
        walls.append(1000 * (time.perf_counter() - wall))
        events.append(rows_of(response) or 0)
    cpus.sort()
    walls.sort()
    return {
        "containers": len(chosen),
        "events_max": max(events, default=0),
        "cpu_p50_ms": round(percentile(cpus, 0.5), 1),
        "cpu_p95_ms": round(percentile(cpus, 0.95), 1),
        "p50_ms": round(percentile(walls, 0.5), 1),
        "p95_ms": round(percentile(walls, 0.95), 1),
    }


def page_feed(client: TestClient, limit: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Follow ``Next-Page`` from the first page of ``/dcsa/tnt/v2/events`` to the last; CPU and wall per page.

    ``headers``: another caller's token (a shipper sees only the events of its own cargo).
    """
    cpus, walls = [], []
    events, ids = 0, set[str]()
    url: str | None = f"/dcsa/tnt/v2/events?limit={limit}"
    started_cpu, started = time.process_time(), time.perf_counter()
    while url is not None:
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(url, headers=headers)
        cpus.append(1000 * (time.process_time() - cpu))
        walls.append(1000 * (time.perf_counter() - wall))
        if response.status_code != 200:
            return {"error": f"page {len(cpus)}: HTTP {response.status_code}", "pages": len(cpus), "events": events}
        page = response.json()
        events += len(page)
        ids.update(event["eventID"] for event in page)
        url = response.headers.get("Next-Page")  # an absolute link on http://testserver: TestClient follows it
    first_cpu, first_wall = (round(cpus[0], 1), round(walls[0], 1)) if cpus else (0.0, 0.0)
    cpus.sort()
    walls.sort()
    return {
        "first_page_cpu_ms": first_cpu,
        "first_page_wall_ms": first_wall,
        "cpu_p50_ms_per_page": round(percentile(cpus, 0.5), 1),
        "wall_p50_ms_per_page": round(percentile(walls, 0.5), 1),
        "wall_p95_ms_per_page": round(percentile(walls, 0.95), 1),
        "pages": len(cpus),
        "events": events,
        "distinct_events": len(ids),  # each event once: the keyset pages neither repeat nor skip
        "page_size": limit,
        "cpu_s": round(time.process_time() - started_cpu, 1),
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_p95_ms_per_page": round(percentile(cpus, 0.95), 1),
        "slowest_page_ms": round(walls[-1], 1) if walls else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--label", default="year")
    parser.add_argument("--only", default="", help="comma-separated route names to measure (NAME* for a prefix)")
    parser.add_argument("--histories", type=int, default=200)
    parser.add_argument("--dcsa-page", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--no-catch-up", action="store_true", help="leave the DCSA projection behind")
    parser.add_argument("--no-feed", action="store_true", help="do not page through the DCSA feed")
    parser.add_argument(
        "--feed-parties",
        default="",
        help="comma-separated party codes: page the feed again as a shipper of each (its own cargo only)",
    )
    args = parser.parse_args()
    console = Console(width=max(Console().width, 160))  # the table stays readable in a log file
    url = args.database_url
    figures: dict[str, Any] = {"label": args.label, "machine_load_before": machine_load(), "routes": {}}
    with engine_for(url).connect() as connection:
        figures["events"] = connection.execute(select(func.count()).select_from(tables.EventRow)).scalar()
        figures["containers"] = connection.execute(select(func.count()).select_from(tables.ContainerRow)).scalar()
    figures["projection_catch_up"] = {"log_events_read": 0, "dcsa_events_added": 0, "cpu_s": 0.0, "wall_s": 0.0}
    if not args.no_catch_up:
        figures["projection_catch_up"] = project_backlog(url, console)
    token = create_user(UnitOfWork.for_url(url), name=f"bench-pages-{random.randrange(16**6):06x}", role="admin")
    values = sample_objects(url, args.seed)
    routes = routes_to_measure(values)
    if args.only:
        wanted = tuple(name.strip() for name in args.only.split(",") if name.strip())
        prefixes = tuple(name[:-1] for name in wanted if name.endswith("*"))
        routes = [(name, path) for name, path in routes if name in wanted or (prefixes and name.startswith(prefixes))]
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(url), headers=headers, cookies={"lb_token": token}) as client:
        for index, (name, path) in enumerate(routes, 1):
            with console.status(f"{index}/{len(routes)} {name} …"):
                repeat = min(args.repeat, 2) if is_download(name) else args.repeat  # whole-list files: a few
                figures["routes"][name] = measure(client, path, repeat)
        if args.histories:
            with console.status("container histories …"):
                figures["history"] = histories(client, url, args.histories, args.seed)
        if not args.no_feed:
            with console.status("paging through the DCSA feed …"):
                figures["dcsa_feed"] = page_feed(client, args.dcsa_page)
        for party in filter(None, (code.strip() for code in args.feed_parties.split(","))):
            name = f"bench-feed-{party.lower()}-{random.randrange(16**6):06x}"
            shipper = create_user(UnitOfWork.for_url(url), name=name, role="shipper", party=party)
            with console.status(f"paging through the DCSA feed as a shipper of {party} …"):
                figures[f"dcsa_feed_{party}"] = page_feed(
                    client, args.dcsa_page, headers={"Authorization": f"Bearer {shipper}"}
                )
    figures["database"] = database_size(url)
    figures["machine_load_after"] = machine_load()
    before = json.loads(args.before.read_text()).get("routes", {}) if args.before else {}
    title = f"every page and GET route ({args.label}): {figures['events']:,} events, {figures['containers']:,} boxes"
    table = Table(title=title)
    for column in ("route", "status", "rows", "CPU p50 ms", "CPU p95 ms", "wall p50 ms", "wall p95 ms"):
        left = column in ("route", "status")
        table.add_column(column, justify="left" if left else "right", no_wrap=column == "route")
    if before:
        table.add_column("before CPU p95", justify="right")
    over = []
    for name, row in figures["routes"].items():
        download = is_download(name)
        ok = download or (row["cpu_p95_ms"] < PAGE_TARGET_MS and all(status < 500 for status in row["status"]))
        if not ok:
            over.append(name)
        rows = "" if row["rows"] is None else f"{row['rows']:,}" + (" +" if row["next_page"] else "")
        cells = [
            name + (" (download)" if download else ""),
            ",".join(map(str, row["status"])),
            rows,
            str(row["cpu_p50_ms"]),
            str(row["cpu_p95_ms"]) + ("" if ok else " ✗"),
            str(row["p50_ms"]),
            str(row["p95_ms"]),
        ]
        if before:
            cells.append(str(before.get(name, {}).get("cpu_p95_ms", "")))
        table.add_row(*cells)
    if "history" in figures:
        history = figures["history"]
        mark = "" if history["cpu_p95_ms"] < HISTORY_TARGET_MS else " ✗"
        table.add_row(
            f"container history ×{history['containers']} (target 50 ms)",
            "",
            f"≤ {history['events_max']}",
            str(history["cpu_p50_ms"]),
            str(history["cpu_p95_ms"]) + mark,
            str(history["p50_ms"]),
            str(history["p95_ms"]),
        )
    console.print(table)
    catch = figures["projection_catch_up"]
    console.print(
        f"DCSA projection caught up first: {catch['log_events_read']:,} log events read, "
        f"{catch['dcsa_events_added']:,} DCSA events added, {catch['cpu_s']} CPU-s ({catch['wall_s']} s wall)",
        highlight=False,
    )
    for key in [key for key in figures if key.startswith("dcsa_feed")]:
        who = "" if key == "dcsa_feed" else f" as a shipper of {key.removeprefix('dcsa_feed_')}"
        console.print(f"DCSA feed paged through{who}: {figures[key]}", highlight=False)
    size = figures["database"]
    console.print(
        f"database: {size['mib']} MiB for {size['events']:,} events and {size['containers']:,} containers "
        f"({size['bytes_per_1000_events']:,} bytes per 1,000 events); "
        f"load {figures['machine_load_before']} → {figures['machine_load_after']}",
        highlight=False,
    )
    figures["over_target"] = over
    written = write_result(f"slow_pages_{args.label}", figures)
    console.print(f"wrote {written}; " + (f"over target (CPU p95): {', '.join(over)}" if over else "all within target"))


if __name__ == "__main__":
    main()
