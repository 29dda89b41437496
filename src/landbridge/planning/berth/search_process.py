"""Iterated local search in a second process, so the DBAP solver uses both cores.

Why a process and not a thread: the local search is pure Python and holds the GIL; measured last
round, a search thread beside the LP/MIP cost more proofs than its plans won (58 against 67 of 90
proven). A child interpreter searches on the second core while HiGHS works on the first, and a
better incumbent shrinks the set of columns the exact MIP must consider (reduced-cost fixing keeps
the columns whose reduced cost is below incumbent − LP bound).

Why ``python -m`` over pipes and not ``multiprocessing``: spawn and forkserver re-import the caller's
``__main__`` (a script without the ``if __name__ == "__main__"`` guard would start itself again),
and fork is unsafe inside a threaded web server. The child reads the instance as one JSON line, then
a plan per line the parent offers; it writes a line whenever its best plan improved (checked every
``EXCHANGE_EVERY_S``, without restarting the search).

Why the child gets a deadline and not a budget: starting the interpreter, importing NumPy and
Numba and loading the compiled kernels takes ~0.9 s, and a budget counted from after that let the
child search past the parent's time limit, so that ``stop()`` waited for it (0.3–0.4 s on every
f60x7 run, runtime 10.3 s for a 10 s limit). ``time.monotonic()`` is one system-wide clock on Linux,
macOS and Windows, so the parent's instant means the same in the child.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from typing import IO, Any

from landbridge.planning.berth.greedy import Assignment, total_service_time
from landbridge.planning.berth.local_search import ensure_compiled, local_search
from landbridge.planning.berth.problem import BerthInstance


def _instance_from_json(data: dict[str, Any]) -> BerthInstance:
    return BerthInstance(
        name=str(data["name"]),
        arrival_times=tuple(data["arrival_times"]),
        opening_times=tuple(data["opening_times"]),
        closing_times=tuple(data["closing_times"]),
        handling_times=tuple(tuple(row) for row in data["handling_times"]),
        deadlines=tuple(data["deadlines"]),
    )


def _as_plan(data: list[list[int]]) -> list[Assignment]:
    return [(int(berth), int(start)) for berth, start in data]


class _ParentGone(Exception):
    """The parent closed our input: stop searching."""


def _child(stdin: IO[str], stdout: IO[str]) -> None:
    """One long search from the greedy plan; every ``EXCHANGE_EVERY_S`` it prints its best plan if
    that improved (one JSON line) and continues from the parent's plan if that is better."""
    header = json.loads(stdin.readline())
    instance = _instance_from_json(header["instance"])
    start = _as_plan(header["plan"])
    reported = total_service_time(instance, start)  # cost of the best plan the parent has from us or gave us

    def exchange(plan: list[Assignment], cost: int) -> list[Assignment] | None:
        nonlocal reported
        if cost < reported:
            stdout.write(json.dumps(plan) + "\n")
            stdout.flush()
            reported = cost
        better: list[Assignment] | None = None
        while select.select([stdin], [], [], 0)[0]:
            line = stdin.readline()
            if not line:
                raise _ParentGone
            offered = _as_plan(json.loads(line))
            offered_cost = total_service_time(instance, offered)
            if offered_cost < min(cost, reported):
                better, reported = offered, offered_cost
        return better

    try:
        ensure_compiled()  # loading the kernels takes ~0.6 s; it must count against the deadline
        budget_s = max(0.0, float(header["deadline_monotonic"]) - time.monotonic())
        found = local_search(instance, start, int(header["seed"]), budget_s, exchange=exchange)
        exchange(found, total_service_time(instance, found))
    except (_ParentGone, BrokenPipeError):
        return


class SearchProcess:
    """Handle on the search process: ``best()`` gives its best plan so far, ``offer()`` feeds it plans."""

    def __init__(self, instance: BerthInstance, plan: list[Assignment], seed: int, time_budget_s: float) -> None:
        self._instance = instance
        self._lock = threading.Lock()
        self.plan = plan
        self.cost = total_service_time(instance, plan)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "landbridge.planning.berth.search_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        deadline = time.monotonic() + time_budget_s  # from now: the child's start-up counts against it
        header = {"instance": asdict(instance), "plan": plan, "seed": seed, "deadline_monotonic": deadline}
        self._process.stdin.write(json.dumps(header) + "\n")
        self._process.stdin.flush()
        # A reader thread blocks on the pipe (no GIL held while waiting) and keeps the best line.
        self._reader = threading.Thread(target=self._read, args=(self._process.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            plan = _as_plan(json.loads(line))
            cost = total_service_time(self._instance, plan)
            with self._lock:
                if cost < self.cost:
                    self.plan, self.cost = plan, cost

    def best(self) -> tuple[list[Assignment], int]:
        """Best plan seen so far (the search's or an offered one) and its cost."""
        with self._lock:
            return self.plan, self.cost

    def offer(self, plan: list[Assignment]) -> None:
        """Hand the search a plan found elsewhere; it restarts from it if better than its own."""
        cost = total_service_time(self._instance, plan)
        with self._lock:
            if cost >= self.cost:
                return
            self.plan, self.cost = plan, cost
        stdin = self._process.stdin
        if stdin is not None and self._process.poll() is None:
            try:
                stdin.write(json.dumps(plan) + "\n")
                stdin.flush()
            except (BrokenPipeError, OSError):
                pass  # the search already ended; the plan is kept here

    def stop(self, wait_s: float = 1.0) -> None:
        """End the search and collect its last lines, waiting at most ``wait_s`` for it to finish.

        Closing its input is the signal; the child sees it at its next exchange (up to
        ``EXCHANGE_EVERY_S``). A caller that needs nothing more from it (the plan is proven optimal)
        passes 0 and the child is killed at once; one whose time is up passes what is left, and the
        child, whose own deadline came first, has normally written its last plan already.
        """
        if self._process.stdin is not None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=max(wait_s, 0.001))
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=1.0)


if __name__ == "__main__":
    _child(sys.stdin, sys.stdout)
    # Skip the interpreter's teardown (~0.2 s with NumPy and Numba loaded): the parent may be waiting
    # for this exit at its time limit, and there is nothing left to release.
    with contextlib.suppress(BrokenPipeError, OSError):
        sys.stdout.flush()
    os._exit(0)
