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


def run_twin(
    scenario: Scenario,
    days: float,
    seed: int,
    progress: Callable[[float], None] | None = None,
    warmup_days: float | None = None,
) -> TwinRun:
    """Run the twin with its trace observer and return the records in simulated-time order.

    The trace starts at the twin's warm-up (``warmup_days`` before day 0; the twin's default when
    None), so the yard is populated at day 0; ``warmup_days=0`` starts from an empty base.
    """
    from landbridge.simulation.params import TwinParameters
    from landbridge.simulation.run import simulate
    from landbridge.simulation.trace import EPOCH_UTC, TraceList

    params = None if warmup_days is None else TwinParameters(warmup_days=warmup_days)
    trace = TraceList()
    simulate(scenario, days=days, seed=seed, params=params, observer=trace, progress=progress)
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


@dataclass
class Lookahead:
    """What the base's documents say before the boxes move, read from the whole run.

    A real base knows these before the moves: a ship's discharge list and load list (the line's
    manifest), a train's planned boxes (the rail planner's list), an arriving train's wagon list
    (its SMGS notes: which boxes it brings), and each box's booking destination (how it will
    leave). The loader plays a finished run, so it reads them ahead.
    """

    leaves_h: dict[str, float] = field(default_factory=dict)
    discharge: dict[int, list[str]] = field(default_factory=dict)  # call → boxes it discharges
    ship: dict[int, list[str]] = field(default_factory=dict)  # call → boxes it loads
    planned: dict[str, list[str]] = field(default_factory=dict)  # train → boxes loaded on it
    exit_route: dict[str, str] = field(default_factory=dict)  # box → rail route it leaves on
    shipped: set[str] = field(default_factory=set)  # boxes that leave on a ship
    gated_out: set[str] = field(default_factory=set)  # boxes collected at the gate
    arriving: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # eastbound train → its boxes (wagon list)


def lookahead(records: list[FlowRecord]) -> Lookahead:
    """The documents of a run: lists per call and train, and how each box leaves."""
    ahead = Lookahead(leaves_h=departures(records))
    route_of: dict[str, str] = {}
    eastbound: set[str] = set()
    for record in records:
        fields, kind = record.fields, record.kind
        if kind == "train_arrived" and fields.get("direction") == "east":
            eastbound.add(str(fields["train"]))
        elif kind == "box_unloaded" and str(fields["train"]) in eastbound:
            ahead.arriving.setdefault(str(fields["train"]), []).append(fields)
        elif kind == "train_formed":
            route_of[str(fields["train"])] = str(fields["route"])
        elif kind == "box_discharged":
            ahead.discharge.setdefault(int(fields["call"]), []).append(str(fields["container"]))
        elif kind == "box_shipped":
            ahead.ship.setdefault(int(fields["call"]), []).append(str(fields["container"]))
            ahead.shipped.add(str(fields["container"]))
        elif kind == "box_loaded":
            train, number = str(fields["train"]), str(fields["container"])
            ahead.planned.setdefault(train, []).append(number)
            if train in route_of:
                ahead.exit_route[number] = route_of[train]  # the last train it is loaded on counts
        elif kind == "gate_out":
            ahead.gated_out.add(str(fields["container"]))
    ahead.gated_out -= ahead.shipped
    return ahead


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
