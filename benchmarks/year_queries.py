"""Every dashboard page and API list, a container's history and the whole DCSA feed, on a loaded database.

Usage::

    .venv/bin/python benchmarks/year_queries.py --database-url URL [--workers 2] [--repeat 20]

Point it at a database ``landbridge db load-twin`` has filled (a year: ``--days 365``). It serves
that database with ``landbridge serve --workers N`` and, as an admin, requests every GET route the
app has — found by walking the app's routes, so pages added later are measured too — ``--repeat``
times each after one warm-up, filling path parameters with real objects from the database (a
container, a train visit, a vessel visit, a yard stack, a grain lot). Then it reads the history of
``--histories`` containers, pages through the whole DCSA event feed following ``Next-Page``
(no page may time out), and states the database's size, per table and per 1,000 events.

Targets (issue #19): every page and list p95 < 300 ms, a container's history < 50 ms. Prints a table
and writes JSON to benchmarks/results/year_queries.json.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from harness import machine_load, percentile, served, write_result
from landbridge.api.app import create_app
from landbridge.services.authz import create_user
from landbridge.services.reports import DESCRIPTIONS as REPORTS
from landbridge.store import tables
from landbridge.store.database import engine_for, is_sqlite
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.commands import BY_NAME as COMMANDS
from landbridge.web.readmodels.lists import LISTS

SKIPPED = ("/live", "/driver/live", "/login", "/logout", "/docs", "/redoc", "/openapi.json", "/static", "/api/health")
DOWNLOADS = (".csv", ".{extension}", "/csv", "/pdf", "/html", "/api/v1/csv/")
"""Files a user downloads (whole lists, invoices, reports as CSV/XLSX): measured, but not pages (no 300 ms target)."""
PAGE_TARGET_MS = 300.0
HISTORY_TARGET_MS = 50.0
PAGE_TIMEOUT_S = 30.0

# Sample values for path parameters: (key, SQL) — the first row's first column. Plain SQL so that a table
# another issue adds later needs one line here.
_SAMPLES = (
    ("train", "SELECT reference FROM train_visits ORDER BY reference DESC LIMIT 1"),
    ("vessel", "SELECT reference FROM vessel_visits ORDER BY reference DESC LIMIT 1"),
    ("lot", "SELECT reference FROM grain_lots ORDER BY reference DESC LIMIT 1"),
    ("wagon", "SELECT number FROM wagons ORDER BY number LIMIT 1"),
    ("imo", "SELECT imo_number FROM vessels ORDER BY imo_number LIMIT 1"),
    ("delivery_order", "SELECT reference FROM delivery_orders ORDER BY reference DESC LIMIT 1"),
    ("invoice", "SELECT id FROM invoices ORDER BY id DESC LIMIT 1"),
    ("tariff", "SELECT code FROM billing_tariffs ORDER BY code LIMIT 1"),
    ("equipment", "SELECT code FROM equipment ORDER BY code LIMIT 1"),
    ("interchange", "SELECT id FROM edi_interchanges ORDER BY id DESC LIMIT 1"),
    ("waybill", "SELECT number FROM smgs_notes ORDER BY number DESC LIMIT 1"),
    ("instruction", "SELECT id FROM work_instructions ORDER BY id DESC LIMIT 1"),
    ("subscription", "SELECT id FROM event_subscriptions ORDER BY id LIMIT 1"),
    ("dcsa_event", "SELECT event_id FROM dcsa_events ORDER BY id DESC LIMIT 1"),
    ("hour_start", "SELECT hour_start FROM gate_hours ORDER BY hour_start DESC LIMIT 1"),
    ("month", "SELECT MAX(occurred_at) FROM events WHERE subject_type = 'container'"),
)

# (path prefix, parameter) → sample key, where the parameter's name alone is ambiguous.
_BY_PREFIX = {
    ("/api/v1/wagons/", "number"): "wagon",
    ("/api/v1/waybills/", "number"): "waybill",
    ("/api/v1/billing/tariffs/", "code"): "tariff",
    ("/api/v1/equipment/", "code"): "equipment",
    ("/api/v1/delivery-orders/", "reference"): "delivery_order",
    ("/api/v1/grain/lots/", "reference"): "lot",
    ("/api/v1/train-visits/", "reference"): "train",
    ("/api/v1/vessel-visits/", "reference"): "vessel",
}
_BY_NAME = {
    "number": "number",
    "container_number": "number",
    "invoice_id": "invoice",
    "visit": "vessel",
    "interchange_id": "interchange",
    "imo_number": "imo",
    "instruction_id": "instruction",
    "subscriptionID": "subscription",
    "eventID": "dcsa_event",
    "block": "block",
    "bay": "bay",
    "row": "row",
    "kind": "csv_kind",
    "extension": "extension",
}


FEED_QUERIES = (
    "limit=100",
    "sort=eventCreatedDateTime:DESC",
    "sort=eventDateTime:DESC",
    "eventType=TRANSPORT",
    "equipmentReference={number}",
)
"""The DCSA feed's first page as clients ask for it: oldest first, newest first, by event time, a type, one box."""


def sample_objects(url: str, seed: int) -> dict[str, str]:
    """Real values for path parameters: the box with the longest history, the latest train, call, lot, …"""
    del seed  # the samples are the busiest/latest objects: the same every run
    values: dict[str, str] = {"csv_kind": "containers", "extension": "csv"}
    with engine_for(url).connect() as connection:
        busiest = connection.execute(
            select(tables.EventRow.subject_id)
            .where(tables.EventRow.subject_type == "container")
            .group_by(tables.EventRow.subject_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar()
        if busiest is not None:
            values["number"] = str(busiest)
        for key, sql in _SAMPLES:
            try:
                found = connection.execute(text(sql)).scalar()
            except Exception:  # a table this database does not have: that route is skipped
                connection.rollback()
                continue
            if isinstance(found, str) and key in ("hour_start", "month"):
                found = datetime.fromisoformat(found)  # SQLite answers raw SQL with text
            if isinstance(found, datetime) and found.tzinfo is None:
                found = found.replace(tzinfo=UTC)  # stored in UTC
            if found is not None:
                values[key] = found.isoformat() if isinstance(found, datetime) else str(found)
        stack = connection.execute(
            select(tables.YardSlotRow.block, tables.YardSlotRow.bay, tables.YardSlotRow.row).limit(1)
        ).first()
        if stack is not None:
            values.update(block=str(stack[0]), bay=str(stack[1]), row=str(stack[2]))
    if "month" in values:
        values["month"] = values["month"][:7]  # the month of the newest event (reports open on it)
    return values


def _query_string(path: str, values: dict[str, str]) -> str:
    """The query a route needs to answer with data (a report's month, an hour, a visit)."""
    quoted = {key: value.replace("+", "%2B") for key, value in values.items()}
    if path == "/api/v1/yard/proposal" and "number" in values:
        return f"?container={quoted['number']}"
    if path == "/api/v1/gate/appointments" and "hour_start" in values:
        return f"?hour_start={quoted['hour_start']}"
    if path == "/api/v1/edi/coarri" and "vessel" in values:
        return f"?visit={quoted['vessel']}"
    if path == "/api/v1/reports/{name}" and "month" in values:
        first = datetime.fromisoformat(values["month"] + "-01T00:00:00+08:00")
        end = (first + timedelta(days=32)).replace(day=1)
        return f"?start={first.isoformat().replace('+', '%2B')}&end={end.isoformat().replace('+', '%2B')}"
    if path.startswith("/reports") and "month" in values:
        return f"?month={values['month']}"
    return ""


def _expansions(path: str) -> list[dict[str, str]]:
    """Several measurements of one route: every list, every report, every command form, every yard mode."""
    if path.startswith("/lists/{name}"):
        return [{"name": spec.name} for spec in LISTS]
    if path.startswith(("/reports/{name}", "/api/v1/reports/{name}")):
        return [{"name": name} for name in REPORTS]
    if path == "/act/{name}":
        return [{"name": name} for name in sorted(COMMANDS)]
    return [{}]


def routes_to_measure(values: dict[str, str]) -> list[tuple[str, str]]:
    """(name, path) of every GET route of the app, with its path parameters filled from the database.

    A route whose parameter has no object in the database (no invoices yet, say) is left out.
    """
    found = []
    for path, methods in _walk(create_app("sqlite://").routes, ""):
        if "GET" not in methods or path.startswith(SKIPPED) or path in ("/dcsa/tnt/v2/events", "/driver/live"):
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", path)
        for expansion in _expansions(path):
            fill: dict[str, str] = {}
            for name in names:
                key = next((k for (prefix, n), k in _BY_PREFIX.items() if n == name and path.startswith(prefix)), None)
                value = expansion.get(name) or values.get(key or _BY_NAME.get(name, name), "")
                if value:
                    fill[name] = value
            if len(fill) < len(names):
                continue
            filled = path
            for name in names:
                filled = re.sub(r"{" + name + r"(?::\w+)?}", fill[name], filled)
            label = path if not expansion else filled
            found.append((label, filled + _query_string(path, values)))
        if path == "/dcsa/tnt/v2/events/{eventID}":  # the feed's first pages, as clients ask for them
            feed = "/dcsa/tnt/v2/events"
            for query in FEED_QUERIES:
                filled_query = query.format(**values) if "{" in query else query
                if "{" not in query or "number" in values:
                    found.append((f"{feed}?{query}", f"{feed}?{filled_query}"))
        if path == "/reports":  # the screen opens on throughput; every other report is a click away
            month = f"&month={values['month']}" if "month" in values else ""
            others = [name for name in REPORTS if name != "throughput"]
            found += [(f"/reports?name={name}", f"/reports?name={name}{month}") for name in others]
            # the twelve-month view (month periods: a year up to the month chosen), every report
            found += [
                (f"/reports?name={name}&granularity=month", f"/reports?name={name}{month}&granularity=month")
                for name in REPORTS
            ]
        if path == "/api/v1/reports/{name}" and "month" in values:  # the API's year: twelve months by month
            last = datetime.fromisoformat(values["month"] + "-01T00:00:00+08:00")
            last = (last + timedelta(days=32)).replace(day=1)
            first = last.replace(year=last.year - 1)
            window = f"start={first.isoformat()}&end={last.isoformat()}".replace("+", "%2B")
            found += [
                (f"/api/v1/reports/{name} (12 months)", f"/api/v1/reports/{name}?{window}&granularity=month")
                for name in REPORTS
            ]
        if path == "/yard":
            modes = ("dwell", "destination", "outbound", "hold")
            found += [(f"/yard?mode={mode}", f"/yard?mode={mode}") for mode in modes]
    return found


def is_download(route: str) -> bool:
    """A file to download (CSV/XLSX/PDF of a whole list or report), not a page."""
    return any(marker in route for marker in DOWNLOADS) or route.endswith((".csv", ".xlsx"))


def _walk(routes: list[Any], prefix: str) -> list[tuple[str, set[str]]]:
    """(path, methods) of every route, looking inside included routers (FastAPI may keep them lazy)."""
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            found += _walk(included.routes, prefix + getattr(route.include_context, "prefix", ""))
        elif getattr(route, "path", None) is not None:
            found.append((prefix + route.path, set(getattr(route, "methods", None) or ())))
    return found


def timed_get(client: httpx.Client, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.get(path)
    return response.status_code, 1000 * (time.perf_counter() - started)


def database_size(url: str) -> dict[str, Any]:
    """Bytes on disk, per table on PostgreSQL, and per 1,000 events."""
    engine = engine_for(url)
    with engine.connect() as connection:
        events = int(connection.execute(select(func.count()).select_from(tables.EventRow)).scalar_one())
        containers = int(connection.execute(select(func.count()).select_from(tables.ContainerRow)).scalar_one())
        if is_sqlite(url):
            path = make_url(url).database or ""
            total = sum(Path(path + suffix).stat().st_size for suffix in ("", "-wal") if Path(path + suffix).exists())
            per_table: dict[str, int] = {}
        else:
            total = int(connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
            per_table = {
                str(name): int(size)
                for name, size in connection.execute(
                    text(
                        "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') "
                        "ORDER BY 2 DESC LIMIT 12"
                    )
                )
            }
    return {
        "bytes": total,
        "mib": round(total / 2**20, 1),
        "events": events,
        "containers": containers,
        "bytes_per_1000_events": round(1000 * total / events) if events else None,
        "largest_tables_bytes": per_table,
    }


def page_dcsa_feed(client: httpx.Client, limit: int) -> dict[str, Any]:
    """Follow ``Next-Page`` from the first page to the last; every page must answer in time."""
    pages = events = 0
    slowest_ms = 0.0
    started = time.perf_counter()
    params: dict[str, Any] = {"limit": limit}
    while True:
        page_started = time.perf_counter()
        response = client.get("/dcsa/tnt/v2/events", params=params, timeout=PAGE_TIMEOUT_S)
        slowest_ms = max(slowest_ms, 1000 * (time.perf_counter() - page_started))
        if response.status_code != 200:
            return {"error": f"page {pages + 1}: HTTP {response.status_code}", "pages": pages, "events": events}
        pages += 1
        events += len(response.json())
        # DCSA TnT 2.2 paging: ``Next-Page`` is the next page's link (absent on the last page).
        link = response.headers.get("Next-Page")
        if not link:
            break
        params = dict(httpx.URL(link).params)
    return {
        "pages": pages,
        "events": events,
        "page_size": limit,
        "total_s": round(time.perf_counter() - started, 2),
        "slowest_page_ms": round(slowest_ms, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--histories", type=int, default=200)
    parser.add_argument("--dcsa-page", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    console = Console()
    url = args.database_url
    name = f"bench-year-{random.randrange(16**6):06x}"
    token = create_user(UnitOfWork.for_url(url), name=name, role="admin")
    values = sample_objects(url, args.seed)
    routes = routes_to_measure(values)
    with engine_for(url).connect() as connection:
        histories = [
            str(number)
            for number in connection.execute(
                select(tables.ContainerRow.number).order_by(tables.ContainerRow.number).limit(args.histories * 50)
            ).scalars()
        ]
    histories = random.Random(args.seed).sample(histories, min(args.histories, len(histories)))
    engine_for(url).dispose()
    figures: dict[str, Any] = {"machine_load_before": machine_load(), "routes": {}}
    headers = {"Authorization": f"Bearer {token}"}
    with (
        served(url, workers=args.workers) as base,
        httpx.Client(base_url=base, headers=headers, cookies={"lb_token": token}, timeout=120) as client,
    ):
        with console.status("pages and lists …"):
            for route, path in routes:
                timed_get(client, path)  # warm-up
                samples = [timed_get(client, path) for _ in range(args.repeat)]
                latencies = sorted(ms for _, ms in samples)
                figures["routes"][route] = {
                    "path": path,
                    "status": sorted({status for status, _ in samples}),
                    "p50_ms": round(percentile(latencies, 0.5), 1),
                    "p95_ms": round(percentile(latencies, 0.95), 1),
                    "max_ms": round(latencies[-1], 1),
                }
        with console.status("container histories …"):
            latencies = sorted(timed_get(client, f"/api/v1/containers/{n}/history")[1] for n in histories)
            figures["history"] = {
                "containers": len(histories),
                "p50_ms": round(percentile(latencies, 0.5), 1),
                "p95_ms": round(percentile(latencies, 0.95), 1),
                "max_ms": round(latencies[-1], 1) if latencies else None,
            }
        with console.status("paging through the DCSA feed …"):
            figures["dcsa_feed"] = page_dcsa_feed(client, args.dcsa_page)
    figures["database"] = database_size(url)
    figures.update(
        machine_load_after=machine_load(),
        workers=args.workers,
        repeat=args.repeat,
        backend="sqlite" if is_sqlite(url) else "postgresql",
        recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    table = Table(title=f"a loaded database: {figures['database']['events']:,} events ({figures['backend']})")
    for column in ("route", "status", "p50 ms", "p95 ms", "max ms", "target"):
        left = column in ("route", "status")
        table.add_column(column, justify="left" if left else "right", no_wrap=column == "route")
    over = []
    for route, row in figures["routes"].items():
        ok = row["p95_ms"] < PAGE_TARGET_MS and all(status < 500 for status in row["status"])
        if not ok:
            over.append(route)
        mark = "" if ok else " [red]✗[/red]"
        status = ",".join(map(str, row["status"]))
        table.add_row(route, status, str(row["p50_ms"]), str(row["p95_ms"]) + mark, str(row["max_ms"]), "300")
    history = figures["history"]
    table.add_row("container history", "", str(history["p50_ms"]), str(history["p95_ms"]), str(history["max_ms"]), "50")
    console.print(table)
    feed = figures["dcsa_feed"]
    console.print(f"DCSA feed: {feed}")
    size = figures["database"]
    console.print(
        f"database: {size['mib']} MiB for {size['events']:,} events and {size['containers']:,} containers "
        f"({size['bytes_per_1000_events']} bytes per 1,000 events); machine load {figures['machine_load_after']}"
    )
    figures["over_target"] = over
    written = write_result(f"year_queries_{figures['backend']}", figures)
    verdict = f"[red]over target: {', '.join(over)}[/red]" if over else "all within target"
    console.print(f"wrote {written}; {verdict}")


if __name__ == "__main__":
    main()
