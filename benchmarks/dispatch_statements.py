"""SQL statements and CPU per driver confirmation on a live PostgreSQL hub (what the confirmation costs).

Usage::

    .venv/bin/python benchmarks/dispatch_statements.py [--instructions 600] [--confirmations 60]

Sets the hub up as ``dispatch_live.py`` does (six ships, one driver per quay crane), then confirms
jobs one after another through the work service while a SQLAlchemy ``before_cursor_execute``
listener counts the statements of each confirmation (by kind: SELECT, SELECT … FOR UPDATE, INSERT,
UPDATE) and ``time.process_time`` measures this process's CPU seconds — a figure the shared
machine's load does not inflate as it does wall time. Prints a table; writes JSON to
benchmarks/results/dispatch_statements.json.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from typing import Any

from rich.console import Console
from sqlalchemy import event
from sqlalchemy.engine import Engine

from dispatch_live import prepare, sign_on_drivers
from harness import machine_load, print_figures, scratch_database, server_url
from landbridge.services.actor import Actor
from landbridge.services.work import jobs
from landbridge.store.unit_of_work import UnitOfWork


def _kind(statement: str) -> str:
    head = statement.lstrip().split(None, 1)[0].upper()
    if head == "SELECT" and "FOR UPDATE" in statement.upper():
        return "SELECT FOR UPDATE"
    return head


def _short(statement: str) -> str:
    """A statement in a few words: its kind, its table and its condition (columns left out)."""
    flat = " ".join(statement.split())
    head = _kind(flat)
    if " FROM " in flat and head.startswith("SELECT"):
        flat = flat.split(" FROM ", 1)[1]
    return f"{head} {flat}"[:160]


def measure(url: str, drivers: dict[str, tuple[str, str]], count: int) -> dict[str, Any]:
    """Confirm ``count`` jobs round robin over the cranes; statements and CPU per confirmation."""
    seen: Counter[str] = Counter()
    texts: Counter[str] = Counter()

    def count_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen[_kind(statement)] += 1
        texts[_short(statement)] += 1

    event.listen(Engine, "before_cursor_execute", count_statement)
    per_confirm: list[int] = []
    cpu: list[float] = []
    cranes = list(drivers)
    try:
        for index in range(count * 3):
            if len(per_confirm) >= count:
                break
            crane = cranes[index % len(cranes)]
            with UnitOfWork.for_url(url) as uow:
                held = [r.id for r in uow.work.of_machine(crane)]
            if not held:
                continue
            before = sum(seen.values())
            started = time.process_time()
            jobs.confirm(UnitOfWork.for_url(url), Actor(drivers[crane][0], "driver"), instruction_id=held[0])
            cpu.append(time.process_time() - started)
            per_confirm.append(sum(seen.values()) - before)
    finally:
        event.remove(Engine, "before_cursor_execute", count_statement)
    total = len(per_confirm)
    return {
        "confirmations": total,
        "statements_per_confirm_mean": round(statistics.mean(per_confirm), 1),
        "statements_per_confirm_max": max(per_confirm),
        "cpu_ms_per_confirm_p50": round(statistics.median(cpu) * 1000, 1),
        "cpu_ms_per_confirm_mean": round(statistics.mean(cpu) * 1000, 1),
        "by_kind_per_confirm": {k: round(v / total, 1) for k, v in sorted(seen.items())},
        "top_statements_per_confirm": {k: round(v / total, 1) for k, v in texts.most_common(30)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instructions", type=int, default=600)
    parser.add_argument("--confirmations", type=int, default=60)
    args = parser.parse_args()
    console = Console()
    figures: dict[str, Any] = {"load_before": machine_load()}
    with server_url() as server, scratch_database(server, prefix="lb_dispatch_sql") as url:
        figures.update(prepare(url, args.instructions, console))
        with UnitOfWork.for_url(url) as uow:
            cranes = [m.code for m in uow.equipment.machines(kind="quay_crane")]
        drivers = sign_on_drivers(url, cranes)
        figures.update(measure(url, drivers, args.confirmations))
    figures["load_after"] = machine_load()
    title = "SQL and CPU per driver confirmation (services/work, PostgreSQL)"
    console.print(f"wrote {print_figures(title, 'dispatch_statements', figures, console)}")


if __name__ == "__main__":
    main()
