"""Commands while a long read runs: does a GET hold up the writers? (issue #19, SQLite).

Usage::

    .venv/bin/python benchmarks/reads_beside_writes.py --database-url sqlite:////tmp/copy.db [--commands 20]

Point it at a copy of a loaded database (it registers containers in it). The app runs in this
process; one thread exports every container as CSV (``GET /api/v1/csv/containers``: a second or
more on a year) while the main thread sends ``--commands`` container registrations one after the
other. When API reads ran in a writing transaction (``BEGIN IMMEDIATE`` on SQLite) every command
waited for the export to end, or failed with "database is locked" (503) after the busy timeout;
on the read-only engine they go through while the export reads. Prints the export's wall time and
the commands' latency (p50/max) and status codes; writes JSON to
benchmarks/results/reads_beside_writes_<label>.json.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient
from rich.console import Console
from stdnum import iso6346

from harness import machine_load, percentile, print_figures
from landbridge.api.app import create_app
from landbridge.services.authz import create_user
from landbridge.store.unit_of_work import UnitOfWork


def _numbers(count: int) -> list[str]:
    """Fresh ISO 6346 numbers (owner RBW) for this run."""
    start = random.randrange(100_000, 900_000)
    bases = [f"RBWU{start + i:06d}" for i in range(count)]
    return [base + str(iso6346.calc_check_digit(base)) for base in bases]


def run(url: str, commands: int) -> dict[str, Any]:
    """The export's duration and the commands' latencies while it ran."""
    token = create_user(UnitOfWork.for_url(url), name=f"bench-rw-{random.randrange(16**6):06x}", role="admin")
    headers = {"Authorization": f"Bearer {token}"}
    export: dict[str, Any] = {}
    with TestClient(create_app(url), headers=headers) as client:
        client.get("/api/v1/containers?limit=1")  # routes built, connections open

        def read() -> None:
            started = time.perf_counter()
            response = client.get("/api/v1/csv/containers")
            export.update(
                status=response.status_code, wall_s=time.perf_counter() - started, bytes=len(response.content)
            )

        reader = threading.Thread(target=read)
        reader.start()
        time.sleep(0.2)  # the export has begun its transaction
        latencies_ms: list[float] = []
        statuses: Counter[int] = Counter()
        during = 0
        for number in _numbers(commands):
            started = time.perf_counter()
            answer = client.post("/api/v1/containers", json={"number": number, "iso_type": "45G1"})
            latencies_ms.append((time.perf_counter() - started) * 1000)
            statuses[answer.status_code] += 1
            during += reader.is_alive()
        reader.join()
    ordered = sorted(latencies_ms)
    return {
        "export_status": export.get("status"),
        "export_wall_s": round(export.get("wall_s", 0.0), 2),
        "export_bytes": export.get("bytes"),
        "commands": commands,
        "commands_done_while_export_ran": during,
        "command_statuses": dict(statuses),
        "command_wall_p50_ms": round(percentile(ordered, 0.5), 1),
        "command_wall_max_ms": round(ordered[-1], 1),
        "load": machine_load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--commands", type=int, default=20)
    parser.add_argument("--label", default="sqlite")
    args = parser.parse_args()
    figures = run(args.database_url, args.commands)
    print_figures("Commands while a long GET reads", f"reads_beside_writes_{args.label}", figures, Console())


if __name__ == "__main__":
    main()
