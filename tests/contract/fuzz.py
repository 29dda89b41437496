"""Schemathesis against a live server: shared by the bounded run in the suite and the long run script.

The app is served by uvicorn on a free loopback port over a seeded database with an admin user;
Schemathesis (a separate process, so the two use both cores) reads ``/openapi.json`` and runs all
its checks and phases with a fixed seed. Rate limits are lifted for the run (it sends thousands of
requests, many with wrong tokens on purpose) — they have their own tests.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from landbridge.api.app import create_app
from landbridge.api.throttle import Throttle
from landbridge.scenarios import load_scenario
from landbridge.services.authz import create_user
from landbridge.services.seeding import seed_scenario
from landbridge.store.unit_of_work import UnitOfWork
from tests.live_server import serve

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).with_name("schemathesis.toml")


@dataclass(frozen=True)
class Outcome:
    """What a run printed and whether it found nothing."""

    exit_code: int
    output: str
    seconds: float

    @property
    def passed(self) -> bool:
        """Zero failures and zero errors."""
        return self.exit_code == 0


@contextmanager
def served(database_url: str) -> Iterator[tuple[str, str]]:
    """Seed the database, create an admin, serve the app; yield (base URL, admin token)."""
    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    token = create_user(UnitOfWork.for_url(database_url), name="schemathesis", role="admin")
    app = create_app(database_url)
    app.state.throttle = Throttle("0", "0")
    with serve(app, start_timeout_s=30) as base_url:
        # FastAPI builds the OpenAPI document on its first request and caches it: build it here, with
        # no time limit, so Schemathesis's 10-second schema load never races a busy machine (it did
        # under load: "Failed to load specification ... Read timed out after 10 seconds").
        httpx.get(f"{base_url}/openapi.json", timeout=None).raise_for_status()
        yield base_url, token


def run_schemathesis(
    base_url: str,
    token: str,
    *,
    seed: int,
    max_examples: int,
    max_time_s: int | None = None,
    workers: int = 1,
    report_dir: Path | None = None,
    extra: tuple[str, ...] = (),
    timing: bool = False,
) -> Outcome:
    """Run every check and phase against the served app; return its output.

    ``timing`` keeps Schemathesis's response-time check: the long run reports slow operations, the
    suite does not (a wall-clock limit in a test fails on a busy machine, not on a slow server).
    """
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--seed",
        str(seed),
        "--max-examples",
        str(max_examples),
        "--workers",
        str(workers),
        "--header",
        f"Authorization: Bearer {token}",
        "--request-timeout",
        "120",
        "--no-color",
        "--generation-database",
        "none",
        *extra,
    ]
    if not timing:  # only a hung request (the request timeout) fails the suite
        command += ["--max-response-time", "120"]
    if max_time_s is not None:
        command += ["--max-time", str(max_time_s)]
    if report_dir is not None:
        command += ["--report", "junit,ndjson", "--report-dir", str(report_dir)]
    began = time.monotonic()
    finished = subprocess.run(command, capture_output=True, text=True, check=False, timeout=3600)
    return Outcome(finished.returncode, finished.stdout + finished.stderr, time.monotonic() - began)
