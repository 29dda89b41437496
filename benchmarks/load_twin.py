"""`landbridge db load-twin` timed: days of the twin through the operations services, on PostgreSQL or SQLite.

Usage::

    .venv/bin/python benchmarks/load_twin.py [--days 7] [--warmup-days 30] [--seed 1]
                                             [--backend postgresql|sqlite] [--database-url URL] [--partition]
                                             [--profile FILE] [--batch N] [--savepoints]

PostgreSQL: with ``LANDBRIDGE_TEST_POSTGRES_URL`` set it uses that server, otherwise it starts a
throwaway cluster with the durable defaults (``fsync`` and ``synchronous_commit`` on) and stops it
afterwards. SQLite: a file under a temporary folder. It migrates and seeds a fresh database, runs
the load, checks every invariant on the result (``landbridge db check``), states the database size,
and with ``--partition`` (PostgreSQL) times turning the event table into monthly partitions.
``--database-url URL`` loads into that database instead and keeps it, for
``benchmarks/year_queries.py``.

CPU is measured as well as wall time (the machine is shared): the loader's own CPU seconds
(``time.process_time``) and, on PostgreSQL, the CPU of the server processes serving the load's
database (``/proc/<pid>/stat`` of its backends, when the server runs on this machine).
``--profile FILE`` writes a cProfile of the play timed in CPU seconds (``python -m pstats FILE``).
``--batch N`` sets the commands per transaction (default 500; 1 = a transaction per command as
the API runs them); ``--savepoints`` puts each command in its own SAVEPOINT (the default is the optimistic
batch of ``store/batched_unit_of_work.py``: no SAVEPOINT; a command refused after it wrote replays the batch).

Target (issue #19): a year (``--days 365``) on PostgreSQL in ≤ 20 min on 2 cores, ≥ 500 commands/s.
Prints a table and writes JSON to benchmarks/results/load_twin_<backend>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from harness import machine_load, postgres_cpu_s, scratch_database, throwaway_cluster, write_result
from landbridge.scenarios import load_scenario
from landbridge.services.invariants import check_invariants
from landbridge.services.seeding import seed_scenario
from landbridge.services.twin_load.load import load_twin
from landbridge.services.twin_load.player import BATCH_COMMANDS
from landbridge.store.database import engine_for
from landbridge.store.migrate import upgrade
from landbridge.store.unit_of_work import UnitOfWork
from year_queries import database_size


def server_cpu_s(url: str) -> float | None:
    """CPU seconds used so far by the PostgreSQL backends connected to ``url``'s database (None: not here)."""
    return postgres_cpu_s(url) if url.startswith("postgresql") else None


@contextlib.contextmanager
def database(backend: str, given: str | None) -> Iterator[str]:
    """``given`` as it is (kept), else a fresh database of the backend, dropped afterwards."""
    if given:
        yield given
        return
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="landbridge-load."))
        yield f"sqlite:///{folder / 'load.db'}"
        shutil.rmtree(folder, ignore_errors=True)
        return
    server = os.environ.get("LANDBRIDGE_TEST_POSTGRES_URL")
    cluster: contextlib.AbstractContextManager[str] = (
        contextlib.nullcontext(server) if server else throwaway_cluster(settings=())
    )
    with cluster as url_of_server, scratch_database(url_of_server, "lb_load") as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7)
    parser.add_argument("--warmup-days", type=float, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--database-url", help="load into this (migrated or empty) database and keep it")
    parser.add_argument("--partition", action="store_true")
    parser.add_argument("--profile", type=Path, help="write a cProfile (CPU seconds) of the load to FILE")
    parser.add_argument("--batch", type=int, default=BATCH_COMMANDS, help="commands per transaction")
    parser.add_argument(
        "--savepoints", action="store_true", help="each command in its own SAVEPOINT (default: optimistic batches)"
    )
    args = parser.parse_args()
    console = Console()
    figures: dict[str, Any] = {"machine_load_before": machine_load()}
    with database(args.backend, args.database_url) as url:
        upgrade(url)
        seed_scenario(UnitOfWork.for_url(url), load_scenario())
        last_report = [0.0]

        cpu_started, wall_started = time.process_time(), time.perf_counter()

        def on_play(done: int, total: int, at: datetime, commands: int) -> None:
            if time.monotonic() - last_report[0] > 60:
                last_report[0] = time.monotonic()
                cpu_s, wall_s = time.process_time() - cpu_started, time.perf_counter() - wall_started
                console.print(
                    f"  {done:,}/{total:,} records, {at:%Y-%m-%d}, {commands:,} commands; "
                    f"loader CPU {cpu_s:,.0f} s ({commands / max(cpu_s, 1e-9):,.0f} commands/CPU-s), "
                    f"wall {wall_s:,.0f} s; load {machine_load()}",
                    highlight=False,
                )

        profile = cProfile.Profile(time.process_time) if args.profile else None
        if profile is not None:
            profile.enable()
        summary = load_twin(
            url,
            load_scenario(),
            days=args.days,
            seed=args.seed,
            warmup_days=args.warmup_days,
            on_play=on_play,
            batch_commands=args.batch,
            savepoints=args.savepoints,
        )
        if profile is not None:
            profile.disable()
            profile.dump_stats(args.profile)
        figures["loader_cpu_s"] = round(time.process_time() - cpu_started, 1)
        server_cpu = server_cpu_s(url)
        figures["server_cpu_s"] = None if server_cpu is None else round(server_cpu, 1)
        figures["machine_load_after_load"] = machine_load()
        started = time.perf_counter()
        reports = check_invariants(UnitOfWork.for_url(url))
        figures["check_s"] = round(time.perf_counter() - started, 1)
        figures["invariants"] = {report.name: list(report.problems) or "holds" for report in reports}
        figures["database"] = database_size(url)
        if args.partition and args.backend == "postgresql":
            from landbridge.store.partitioning import partition_events

            report = partition_events(engine_for(url))
            figures["partitioning"] = {
                "partitions": len(report.partitions),
                "rows": report.rows,
                "seconds": round(report.seconds, 1),
            }
        engine_for(url).dispose()
    figures.update(
        backend=args.backend,
        days=args.days,
        warmup_days=args.warmup_days,
        seed=args.seed,
        records=summary.records,
        commands=summary.total_commands,
        commands_by_kind=dict(summary.commands),
        refused=dict(summary.refused),
        skipped=dict(summary.skipped),
        rehandles=summary.rehandles,
        overrides=summary.overrides,
        twin_s=round(summary.twin_s, 1),
        wall_s=round(summary.wall_s, 1),
        commands_per_s=round(summary.commands_per_s, 1),
        commands_per_loader_cpu_s=round(summary.total_commands / max(figures["loader_cpu_s"], 1e-9), 1),
        batch_commands=args.batch,
        savepoints=args.savepoints,
        recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    table = Table(title=f"load-twin: {args.days:g} days on {args.backend}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    keys = ("records", "commands", "rehandles", "twin_s", "wall_s", "commands_per_s", "loader_cpu_s")
    for key in (*keys, "commands_per_loader_cpu_s", "server_cpu_s", "check_s"):
        table.add_row(key, f"{figures[key]:,}" if isinstance(figures[key], int) else str(figures[key]))
    table.add_row("refused", str(sum(summary.refused.values())))
    table.add_row("database MiB", str(figures["database"]["mib"]))
    table.add_row("events", f"{figures['database']['events']:,}")
    if "partitioning" in figures:
        table.add_row("partitioning s", str(figures["partitioning"]["seconds"]))
    table.add_row("machine load after", figures["machine_load_after_load"])
    console.print(table)
    broken = [name for name, verdict in figures["invariants"].items() if verdict != "holds"]
    console.print("invariants: " + (f"[red]broken: {', '.join(broken)}[/red]" if broken else "all hold"))
    path = write_result(f"load_twin_{args.backend}_{args.days:g}d", figures)
    console.print(f"wrote {path}")


if __name__ == "__main__":
    main()
