"""A billing run at a year's size: CPU-seconds to bill a month when the log holds a year of activity.

Usage::

    .venv/bin/python benchmarks/billing_year.py [--database-url URL] [--stays 150000] [--seed 7]

Seeds the scenario, then bulk-writes a year of box stays (December 2025 – November 2026, hub time)
straight into the tables — not through the services: this measures billing's reading and computing,
and ``benchmarks/load_twin.py`` covers a log the services filled. ``--stays`` stays of 20, 40 and
45 ft boxes (some reefers) arriving by sea, rail or road at uniform times, dwelling a lognormal
time (median 4 days), leaving by one of the three modes; one in fifty with a yard move a customer
caused and one in thirty weighed at the base; a line per owner code, shippers and consignees by
booking; plus grain lots received, transferred and shipped. Then bills 2026-11 twice (the second run
finds every draft unchanged), each checked by the independent checker, and reports CPU-seconds
(``time.process_time``) and wall seconds of each run beside the machine's load.

Prints a table and writes JSON to benchmarks/results/billing_year.json.
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select
from stdnum import iso6346

from harness import machine_load, write_result
from landbridge.scenarios import load_scenario
from landbridge.services.actor import Actor
from landbridge.services.billing.invoices import run_period
from landbridge.services.seeding import seed_scenario
from landbridge.store import tables
from landbridge.store.billing_tables import InvoiceLineRow
from landbridge.store.database import engine_for
from landbridge.store.migrate import upgrade
from landbridge.store.unit_of_work import UnitOfWork

YEAR_START = datetime(2025, 11, 30, 16, 0, tzinfo=UTC)  # 2025-12-01 00:00 in hub time (UTC+8)
YEAR_END = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 2026-12-01 00:00 in hub time
LINES = ("BEN", "CSQ", "MSK", "COS", "OOL", "EGH", "HLX", "ONE", "YML", "ZIM")
ISO_TYPES = ("22G1", "22G1", "42G1", "45G1", "45G1", "L5G1", "45R1")
ARRIVE = ("container.discharged", "container.unloaded_wagon", "container.gate_in")
LEAVE = ("container.loaded_vessel", "container.loaded_wagon", "container.gate_out")


def number(owner: str, serial: int) -> str:
    base = f"{owner}U{serial:06d}"
    return base + str(iso6346.calc_check_digit(base))


def _event(
    kind: str, subject: str, at: datetime, after: dict[str, Any], subject_type: str = "container"
) -> dict[str, Any]:
    return {
        "event_type": kind,
        "subject_type": subject_type,
        "subject_id": subject,
        "actor": "bench",
        "role": "yard_operator",
        "occurred_at": at,
        "recorded_at": at,
        "before": None,
        "after": after,
    }


def seed_year(url: str, stays: int, seed: int) -> dict[str, int]:
    """A year of stays and grain movements written in bulk; returns counts."""
    rng = random.Random(seed)
    upgrade(url)
    seed_scenario(UnitOfWork.for_url(url), load_scenario())
    span_s = (YEAR_END - YEAR_START).total_seconds()
    engine = engine_for(url)
    events = 0
    with engine.begin() as connection:
        parties = [
            {"code": f"LINE{i}", "name": f"Line {o}", "role": "shipping_line", "country": "CN"}
            for i, o in enumerate(LINES)
        ]
        parties += [{"code": f"P{i:03d}", "name": f"Party {i}", "role": "shipper", "country": "KZ"} for i in range(200)]
        connection.execute(insert(tables.PartyRow), parties)
        connection.execute(
            insert(tables.PartyOwnerCodeRow), [{"owner_code": o, "party_code": f"LINE{i}"} for i, o in enumerate(LINES)]
        )
        connection.execute(
            insert(tables.ConsignmentRow),
            [
                {
                    "booking_reference": f"BK{i:05d}",
                    "shipper_code": f"P{i % 200:03d}",
                    "consignee_code": f"P{(i * 7 + 3) % 200:03d}",
                    "origin": "CNLYG",
                    "destination": "KZALA",
                }
                for i in range(5000)
            ],
        )
        boxes, batch = [], []
        for serial in range(stays):
            box = number(LINES[serial % len(LINES)], serial)
            full = rng.random() < 0.7
            boxes.append(
                {
                    "number": box,
                    "iso_type": rng.choice(ISO_TYPES),
                    "load_state": "full" if full else "empty",
                    "gross_mass_kg": 20_000 if full else None,
                    "seals": [],
                    "booking_reference": f"BK{serial % 5000:05d}" if full else None,
                    "position_kind": "departed",
                    "position_reference": None,
                    "version": 1,
                }
            )
            arrived = YEAR_START + timedelta(seconds=rng.uniform(0, span_s))
            dwell = timedelta(days=math.exp(rng.gauss(math.log(4), 0.8)))
            load = {"load_state": "full" if full else "empty"}
            batch.append(_event(rng.choice(ARRIVE), box, arrived, load))
            if serial % 50 == 0:
                moved = arrived + dwell / 2
                batch.append(_event("container.placed", box, moved, {"slot": "A-01-01-1", "caused_by_party": "P007"}))
            if serial % 30 == 0:
                weighed = arrived + dwell / 3
                batch.append(_event("container.vgm_declared", box, weighed, {"vgm": {}, "weighed_at_base": True}))
            if arrived + dwell < YEAR_END:
                batch.append(_event(rng.choice(LEAVE), box, arrived + dwell, load))
            else:  # still in the base at the year's end: its place says so, as the services keep it
                boxes[-1]["position_kind"] = "yard"
            if len(batch) >= 20_000:
                connection.execute(insert(tables.EventRow), batch)
                events += len(batch)
                batch = []
            if len(boxes) >= 20_000:
                connection.execute(insert(tables.ContainerRow), boxes)
                boxes = []
        for lot in range(600):
            at = YEAR_START + timedelta(seconds=rng.uniform(0, span_s - 86_400 * 10))
            after = {"reference": f"G{lot:04d}", "owner_code": f"P{lot % 200:03d}"}
            batch.append(_event("grain.received", f"G{lot:04d}", at, {**after, "received_kg": 195_000}, "grain_lot"))
            moved = {**after, "moved_kg": 60_500, "to_silo": "SB02"}
            batch.append(_event("grain.transferred", f"G{lot:04d}", at + timedelta(days=2), moved, "grain_lot"))
            shipped = {**after, "shipped_kg": 134_500}
            batch.append(_event("grain.shipped", f"G{lot:04d}", at + timedelta(days=6), shipped, "grain_lot"))
        if boxes:
            connection.execute(insert(tables.ContainerRow), boxes)
        connection.execute(insert(tables.EventRow), batch)
        events += len(batch)
    return {"stays": stays, "events": events}


def bill(url: str) -> dict[str, Any]:
    """One billing run of 2026-11: CPU and wall seconds, invoices, lines, checker verdict."""
    began_cpu, began_wall = time.process_time(), time.perf_counter()
    body = run_period(UnitOfWork.for_url(url), Actor("bench", "admin", source="bench"), period="2026-11").body
    cpu, wall = time.process_time() - began_cpu, time.perf_counter() - began_wall
    with engine_for(url).connect() as connection:
        lines = connection.execute(select(func.count()).select_from(InvoiceLineRow)).scalar_one()
    outcomes = sorted({i["outcome"] for i in body["invoices"]})
    return {
        "cpu_s": round(cpu, 1),
        "wall_s": round(wall, 1),
        "invoices": len(body["invoices"]),
        "invoice_lines": lines,
        "unassigned_lines": len(body["unassigned"]),
        "checker_agrees": body["checker"]["agrees"],
        "outcomes": outcomes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--stays", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="landbridge-billing."))
    url = args.database_url or f"sqlite:///{folder / 'year.db'}"
    console = Console()
    began = time.perf_counter()
    counts = seed_year(url, args.stays, args.seed)
    console.print(
        f"seeded {counts['stays']:,} stays, {counts['events']:,} events in {time.perf_counter() - began:.0f} s"
    )
    runs = [bill(url), bill(url)]
    table = Table(title=f"billing 2026-11 over a year: {counts['events']:,} events ({machine_load()})")
    for column in ("run", "CPU s", "wall s", "invoices", "lines", "unassigned", "checker", "outcomes"):
        table.add_column(column)
    for index, run in enumerate(runs, start=1):
        table.add_row(
            str(index), str(run["cpu_s"]), str(run["wall_s"]), str(run["invoices"]), f"{run['invoice_lines']:,}",
            str(run["unassigned_lines"]), "agrees" if run["checker_agrees"] else "DIFFERS", ", ".join(run["outcomes"]),
        )  # fmt: skip
    console.print(table)
    figures = {
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        **counts,
        "period": "2026-11",
        "load": machine_load(),
        "runs": runs,
    }
    console.print(f"written to {write_result('billing_year', figures)}")


if __name__ == "__main__":
    main()
