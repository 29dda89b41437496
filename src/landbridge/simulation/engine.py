"""A lean discrete-event kernel: a binary heap of (time, sequence, process) and FIFO resources.

Why not SimPy: the twin runs hundreds of replications per sweep, and one year of the base is
about a million events. SimPy wraps every timeout and request in an Event object with callbacks;
this kernel lets a process yield a bare float (a delay in hours) or a :class:`Resource` (acquire
one unit), so a step is one ``heappush`` and one generator ``send``. ``benchmarks/simulate_year.py``
measures both loops on the same toy model. The invariants are SimPy's: the clock never goes back,
and ties are broken by scheduling order (a monotone sequence number), so runs are deterministic.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections import deque
from collections.abc import Callable, Generator
from itertools import count
from typing import Any, TypeAlias

Command: TypeAlias = "float | int | Resource"
Process: TypeAlias = "Generator[Command, Any, None]"


class Engine:
    """The event loop; time is in hours (float) and may start before zero for a warm-up."""

    __slots__ = ("_heap", "_sequence", "events", "now_h")

    def __init__(self, start_h: float = 0.0) -> None:
        self.now_h = start_h
        self.events = 0
        self._heap: list[tuple[float, int, Process, Any]] = []
        self._sequence = count()

    def start(self, process: Process, at_h: float | None = None) -> None:
        """Schedule a new process to take its first step at ``at_h`` (default: now)."""
        when = self.now_h if at_h is None else max(at_h, self.now_h)
        heapq.heappush(self._heap, (when, next(self._sequence), process, None))

    def resume(self, process: Process, value: Any) -> None:
        """Resume a waiting process now with ``value`` (used by resources)."""
        heapq.heappush(self._heap, (self.now_h, next(self._sequence), process, value))

    def call_at(self, at_h: float, action: Callable[[], None]) -> None:
        """Run a plain function at a time (disruptions, samplers)."""

        def runner() -> Process:
            yield at_h - self.now_h
            action()

        self.start(runner())

    def run(self, until_h: float) -> None:
        """Process events with time <= ``until_h``; the clock stops at ``until_h``."""
        heap = self._heap
        pop = heapq.heappop
        push = heapq.heappush
        sequence = self._sequence
        events = self.events
        while heap and heap[0][0] <= until_h:
            now, _, process, value = pop(heap)
            self.now_h = now
            events += 1
            try:
                command = process.send(value)
            except StopIteration:
                continue
            if type(command) is float or type(command) is int:
                push(heap, (now + command, next(sequence), process, None))
            else:
                command.request(process)  # type: ignore[union-attr]
        self.events = events
        self.now_h = max(self.now_h, until_h)

    @property
    def pending(self) -> int:
        """Number of scheduled steps not yet run."""
        return len(self._heap)


class Resource:
    """A pool of named units served first come, first served; units can be closed and reopened.

    A process yields the resource to acquire one unit and receives the unit's name; it calls
    :meth:`release` with that name when done. Busy and available unit-hours are integrated so
    utilisation accounts for units that were out of service.
    """

    __slots__ = (
        "_available_unit_h",
        "_busy_unit_h",
        "_closed",
        "_free",
        "_held",
        "_last_h",
        "_queue",
        "_queue_area_h",
        "_since_h",
        "engine",
        "in_use",
        "name",
        "units",
        "waits_h",
    )

    def __init__(self, engine: Engine, name: str, units: list[str]) -> None:
        self.engine = engine
        self.name = name
        self.units = list(units)
        self._free = sorted(units)
        self._closed: set[str] = set()
        self._held: set[str] = set()
        self._queue: deque[tuple[Process, float]] = deque()
        self.in_use = 0
        self.waits_h: list[float] = []
        self._busy_unit_h = 0.0
        self._available_unit_h = 0.0
        self._queue_area_h = 0.0
        self._last_h = engine.now_h
        self._since_h = engine.now_h

    @classmethod
    def pool(cls, engine: Engine, name: str, size: int) -> Resource:
        """Anonymous identical units named ``name#1`` … ``name#n``."""
        width = len(str(size))
        return cls(engine, name, [f"{name}#{index:0{width}d}" for index in range(1, size + 1)])

    def _account(self) -> None:
        now = self.engine.now_h
        elapsed = now - self._last_h
        if elapsed > 0:
            self._busy_unit_h += self.in_use * elapsed
            self._available_unit_h += (len(self.units) - len(self._closed)) * elapsed
            self._queue_area_h += len(self._queue) * elapsed
        self._last_h = now

    def request(self, process: Process) -> None:
        """Grant a free unit now or queue the process."""
        if self._free and not self._queue:
            self._account()
            self.in_use += 1
            self.waits_h.append(0.0)
            unit = self._free.pop(0)
            self._held.add(unit)
            self.engine.resume(process, unit)
        else:
            self._account()  # the queue grows: close the time slice at the old length (Little's law)
            self._queue.append((process, self.engine.now_h))

    def try_acquire(self) -> str | None:
        """A free unit now without queueing (None when all are busy, closed or others wait first).

        For processes that give up after a deadline (a train not formed in time) instead of waiting.
        """
        if not self._free or self._queue:
            return None
        self._account()
        self.in_use += 1
        self.waits_h.append(0.0)
        unit = self._free.pop(0)
        self._held.add(unit)
        return unit

    @property
    def free_units(self) -> int:
        """Units in service and idle now."""
        return len(self._free)

    def release(self, unit: str) -> None:
        """Give a unit back; a closed unit stays out of service."""
        self._account()
        self.in_use -= 1
        self._held.discard(unit)
        if unit not in self._closed:
            insort(self._free, unit)
        self._grant()

    def _grant(self) -> None:
        while self._queue and self._free:
            process, since_h = self._queue.popleft()
            self.in_use += 1
            self.waits_h.append(self.engine.now_h - since_h)
            unit = self._free.pop(0)
            self._held.add(unit)
            self.engine.resume(process, unit)

    def close(self, unit: str) -> None:
        """Take a unit out of service (it finishes its current job first)."""
        self._account()
        self._closed.add(unit)
        if unit in self._free:
            self._free.remove(unit)

    def reopen(self, unit: str) -> None:
        """Return a closed unit to service."""
        self._account()
        if unit in self._closed:
            self._closed.discard(unit)
            if unit not in self._held:
                insort(self._free, unit)
            self._grant()

    def reset_statistics(self) -> None:
        """Forget waits and busy time so far (end of the warm-up)."""
        self._account()
        self.waits_h = []
        self._busy_unit_h = 0.0
        self._available_unit_h = 0.0
        self._queue_area_h = 0.0
        self._since_h = self.engine.now_h

    def utilisation(self) -> float:
        """Busy unit-hours over in-service unit-hours so far."""
        self._account()
        return self._busy_unit_h / self._available_unit_h if self._available_unit_h > 0 else 0.0

    def mean_queue_length(self) -> float:
        """Time-average number waiting since the statistics were last reset."""
        self._account()
        span_h = self.engine.now_h - self._since_h
        return self._queue_area_h / span_h if span_h > 0 else 0.0

    @property
    def queue_length(self) -> int:
        """Processes waiting now."""
        return len(self._queue)
