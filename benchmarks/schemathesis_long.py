"""The long Schemathesis run: every check and phase, many examples per operation, against a live server.

Usage::

    .venv/bin/python benchmarks/schemathesis_long.py [--examples 100] [--seed 17] [--database-url URL]

Without ``--database-url`` it uses a fresh SQLite file; with a PostgreSQL URL it migrates that
(empty) database first. The app is seeded with the Lianyungang scenario and an admin; uvicorn
serves it on a free loopback port; Schemathesis runs in its own process. Prints a table of what it
found (failure codes and counts) and writes JSON, the full text report and JUnit/NDJSON reports
under ``benchmarks/results/``. The bounded run in ``make test`` is ``tests/contract``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the shared server and runner live beside the suite's contract test

from tests.contract.fuzz import run_schemathesis, served  # noqa: E402

from landbridge.store.migrate import upgrade  # noqa: E402

RESULTS = Path(__file__).parent / "results"
_FAILURE_LINE = re.compile(r"❌ (?P<code>[A-Z]+\d+) (?P<name>.+?): (?P<count>\d+)$")
_CASES = re.compile(r"(?P<generated>\d+) generated(?:, (?P<failing>\d+) found)?")


def main() -> None:
    """Run, summarise, write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a fresh SQLite file)")
    parser.add_argument("--max-time", type=int, default=None, help="stop after this many seconds")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="landbridge-schemathesis-"))
    url = args.database_url or f"sqlite:///{folder / 'landbridge.db'}"
    upgrade(url)
    RESULTS.mkdir(exist_ok=True)
    report_dir = RESULTS / "schemathesis-long"
    with served(url) as (base_url, token):
        outcome = run_schemathesis(
            base_url,
            token,
            seed=args.seed,
            max_examples=args.examples,
            max_time_s=args.max_time,
            report_dir=report_dir,
            timing=True,
        )
    (report_dir / "output.txt").write_text(outcome.output, encoding="utf-8")

    failures = {
        f"{m['code']} {m['name']}": int(m["count"])
        for line in outcome.output.splitlines()
        if (m := _FAILURE_LINE.search(line.strip()))
    }
    cases = _CASES.search(outcome.output)
    backend = url.split(":", 1)[0]
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": backend,
        "seed": args.seed,
        "examples_per_operation": args.examples,
        "seconds": round(outcome.seconds, 1),
        "test_cases": int(cases["generated"]) if cases else None,
        "exit_code": outcome.exit_code,
        "failures": failures,
    }
    (RESULTS / "schemathesis_long.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")

    table = Table(title=f"Schemathesis, all checks and phases ({backend}, seed {args.seed})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("examples per operation", str(args.examples))
    table.add_row("test cases", str(summary["test_cases"]))
    table.add_row("seconds", f"{outcome.seconds:.0f}")
    for name, count in sorted(failures.items()):
        table.add_row(name, str(count))
    if not failures:
        table.add_row("failures", "0")
    Console().print(table)
    print(f"full report: {report_dir / 'output.txt'}")
    sys.exit(0 if outcome.passed else 1)


if __name__ == "__main__":
    main()
