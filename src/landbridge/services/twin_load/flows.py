"""The twin's flows as the loader reads them: time-ordered records (a run of the twin, or a saved trace).

A record is what ``landbridge.simulation.trace`` emits: ``time_h`` (hours from the twin's day 0),
``kind`` (``vessel_berthed``, ``box_loaded``, ``gate_out`` …) and plain ``fields``. The loader needs
the whole run before it plays it, because the yard planner stacks each box by the hour it will
leave (see :mod:`.yard_planner`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from landbridge.scenarios.model import Scenario


@dataclass(frozen=True, slots=True)
class FlowRecord:
    """One step of a flow at a simulated hour."""

    time_h: float
    kind: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TwinRun:
    """The records of one seeded run and the instant of the twin's hour 0."""

    records: list[FlowRecord]
    epoch: datetime
    days: float
    seed: int

    def at(self, time_h: float) -> datetime:
        """A simulated hour as an aware UTC instant."""
        return self.epoch + timedelta(hours=time_h)


def run_twin(scenario: Scenario, days: float, seed: int, progress: Callable[[float], None] | None = None) -> TwinRun:
    """Run the twin with its trace observer and return the records in simulated-time order."""
    from landbridge.simulation.run import simulate
    from landbridge.simulation.trace import EPOCH_UTC, TraceList

    trace = TraceList()
    simulate(scenario, days=days, seed=seed, observer=trace, progress=progress)
    records = [FlowRecord(record.time_h, record.kind, dict(record.fields)) for record in trace.records]
    return TwinRun(records, EPOCH_UTC, days, seed)


def read_trace(path: Path, days: float, seed: int) -> TwinRun:
    """A trace saved as JSON lines (``seq``, ``time_h``, ``at``, ``kind`` and the fields)."""
    records: list[FlowRecord] = []
    epoch: datetime | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        data = json.loads(line)
        time_h = float(data.pop("time_h"))
        at = datetime.fromisoformat(data.pop("at")).astimezone(UTC)
        epoch = epoch or at - timedelta(hours=time_h)
        data.pop("seq", None)
        records.append(FlowRecord(time_h, str(data.pop("kind")), data))
    if epoch is None:
        raise ValueError(f"{path}: no records")
    return TwinRun(records, epoch, days, seed)


def departures(records: list[FlowRecord]) -> dict[str, float]:
    """For each container, the hour it next leaves the yard (what the yard planner stacks by)."""
    leaving: dict[str, float] = {}
    for record in reversed(records):
        if record.kind == "yard_out":
            leaving[str(record.fields["container"])] = record.time_h
    return leaving


def grouped(records: list[FlowRecord]) -> Iterator[list[FlowRecord]]:
    """Records that happened at the same simulated instant, together (a box's yard_out + box_loaded…)."""
    batch: list[FlowRecord] = []
    for record in records:
        if batch and record.time_h != batch[0].time_h:
            yield batch
            batch = []
        batch.append(record)
    if batch:
        yield batch
