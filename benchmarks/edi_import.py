"""EDIFACT import rate against pydifact's raw tokenising rate, and peak memory on a streamed 100 MB file.

    python benchmarks/edi_import.py [--messages 10000] [--per-interchange 100] [--big-mb 100]
                                    [--postgres URL] [--skip-big]

* **ceiling**: pydifact's tokeniser over the whole batch file (its UNA lines removed, since
  pydifact refuses a UNA before each UNB), messages per second of CPU time;
* **read + check**: our streamed reader, segment tables and typed models, no database;
* **import SQLite / PostgreSQL**: ``import_edifact`` into a fresh migrated database (partners
  seeded), everything committed, messages per second of wall time — the goal is ≥ 30 % of the
  ceiling;
* **peak memory**: the maximum resident set of a child process that reads and checks a generated
  file of ``--big-mb`` MB streamed from disk (and, separately, of the 10,000-message import).

Times are taken on whatever machine runs this; on a busy shared machine they vary (run it alone).
Prints a table and writes ``benchmarks/results/edi_import.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from rich.console import Console
from rich.table import Table

from landbridge import __version__
from landbridge.interchange.edifact.generate import codeco_batch

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "edi_import.json"

_CHILD = r"""
import resource, sys, time
from datetime import UTC
mode, path, url = sys.argv[1], sys.argv[2], sys.argv[3]
# the modules are loaded before the clocks start: the figure is the import's rate, not Python's start-up
from landbridge.interchange.edifact.messages import read
from landbridge.services.containers import Actor
from landbridge.services.interchange.importer import import_edifact
from landbridge.store.unit_of_work import UnitOfWork
started = time.perf_counter(); cpu = time.process_time()
if mode == "read":
    with open(path, encoding="utf-8") as handle:
        messages = sum(len(interchange.messages) for interchange in read(handle, UTC))
else:
    with open(path, encoding="utf-8") as handle:
        outcomes = list(import_edifact(UnitOfWork.for_url(url), handle, Actor("benchmark", "admin")))
    assert all(outcome.status == "accepted" for outcome in outcomes), {o.status for o in outcomes}
    messages = sum(len(outcome.messages) for outcome in outcomes)
wall = time.perf_counter() - started
print(messages, wall, time.process_time() - cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_batch(path: Path, messages: int, per_interchange: int, seed: int = 1, owner: str = "LBD") -> int:
    """Write a CODECO batch; returns its size in bytes."""
    with open(path, "w", encoding="utf-8") as handle:
        for text in codeco_batch(
            interchanges=max(1, messages // per_interchange),
            messages_per_interchange=per_interchange,
            seed=seed,
            owner=owner,
        ):
            handle.write(text)
    return path.stat().st_size


def ceiling(path: Path) -> tuple[float, int]:
    """pydifact's raw tokenising time (CPU s) over the file, and the number of segments."""
    from pydifact.control.characters import Characters
    from pydifact.token import Token
    from pydifact.tokenizer import Tokenizer

    text = path.read_text(encoding="utf-8").replace("UNA:+.? '\n", "")
    started = time.process_time()
    segments = sum(
        1
        for token in Tokenizer().get_tokens(text, Characters.from_str("UNA:+.? '"))
        if token.type is Token.Type.TERMINATOR
    )
    return time.process_time() - started, segments


def child(mode: str, path: Path, url: str = "") -> dict[str, float]:
    """Run one measurement in a fresh interpreter (so peak memory is its own)."""
    output = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(path), url], check=True, capture_output=True, text=True
    ).stdout.split()
    messages, wall, cpu, rss_kb = int(output[0]), float(output[1]), float(output[2]), int(output[3])
    return {"messages": messages, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss_kb / 1024}


def fresh_database(kind: str, postgres: str | None, workdir: Path) -> tuple[str, str | None]:
    """A migrated database with the default partners; returns its URL and, for PostgreSQL, its name."""
    from landbridge.services.interchange.defaults import seed_partners
    from landbridge.store.migrate import upgrade
    from landbridge.store.unit_of_work import UnitOfWork

    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        name = None
    else:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        assert postgres is not None
        name = f"landbridge_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    seed_partners(UnitOfWork.for_url(url))
    return url, name


def drop_database(postgres: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--per-interchange", type=int, default=100)
    parser.add_argument("--big-mb", type=int, default=100)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("LANDBRIDGE_TEST_POSTGRES_URL"),
        help="server URL (a database is created and dropped); default $LANDBRIDGE_TEST_POSTGRES_URL",
    )
    args = parser.parse_args()
    console = Console()
    results: dict[str, object] = {"version": __version__, "messages": args.messages}
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        batch = workdir / "codeco.edi"
        size = write_batch(batch, args.messages, args.per_interchange)
        tokenise_s, segments = ceiling(batch)
        ceiling_rate = args.messages / tokenise_s
        results["file_bytes"] = size
        results["ceiling"] = {"cpu_s": tokenise_s, "segments": segments, "messages_per_s": ceiling_rate}
        rows: list[tuple[str, float, float, str]] = [("pydifact tokenising (ceiling)", tokenise_s, ceiling_rate, "")]
        read = child("read", batch)
        results["read_and_check"] = read
        rows.append(("read + check (no database)", read["cpu_s"], read["messages"] / read["cpu_s"], "cpu"))
        for kind in ("sqlite", "postgres"):
            if kind == "postgres" and not args.postgres:
                continue
            url, name = fresh_database(kind, args.postgres, workdir)
            try:
                measured = child("import", batch, url)
            finally:
                if name is not None and args.postgres:
                    drop_database(args.postgres, name)
            rate = measured["messages"] / measured["wall_s"]
            measured["messages_per_s"] = rate
            measured["ratio_to_ceiling"] = rate / ceiling_rate
            results[f"import_{kind}"] = measured
            cpu_rate = measured["messages"] / measured["cpu_s"]
            measured["messages_per_cpu_s"] = cpu_rate
            rows.append(
                (
                    f"import into {kind}",
                    measured["wall_s"],
                    rate,
                    f"{rate / ceiling_rate:.1%} of ceiling "
                    f"(CPU only: {cpu_rate:,.0f}/s, {cpu_rate / ceiling_rate:.1%})",
                )
            )
        if not args.skip_big:
            big = workdir / "big.edi"
            per = 1000
            messages = int(args.big_mb * 1_000_000 / (size / args.messages))
            big_size = write_batch(big, messages - messages % per, per, seed=2, owner="LBE")
            streamed = child("read", big)
            results["big_file"] = {"bytes": big_size, **streamed}
            rows.append(
                (
                    f"read + check {big_size / 1e6:.0f} MB streamed",
                    streamed["cpu_s"],
                    streamed["messages"] / streamed["cpu_s"],
                    f"peak RSS {streamed['peak_rss_mb']:.0f} MB",
                )
            )
    table = Table(title=f"EDIFACT import: CODECO batch of {args.messages} messages ({size / 1e6:.1f} MB)")
    table.add_column("what")
    table.add_column("seconds", justify="right")
    table.add_column("messages/s", justify="right")
    table.add_column("note")
    for what, seconds, rate, note in rows:
        table.add_row(what, f"{seconds:.2f}", f"{rate:,.0f}", note)
    for key in ("import_sqlite", "import_postgres"):
        if key in results:
            peak = results[key]["peak_rss_mb"]  # type: ignore[index]
            table.add_row(f"peak RSS, {key.removeprefix('import_')} import", "", "", f"{peak:.0f} MB")
    console.print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=float) + "\n")
    console.print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
