"""A seeded, ordered trace of what the twin did, for playing a simulated year through the services.

Pass an observer to :func:`landbridge.simulation.simulate` (``observer=``); the twin calls it with
one :class:`TraceRecord` per flow step, in simulated-time order (ties in the order they happened),
numbered from 1. Same scenario, seed and options → the same records, byte for byte. Without an
observer the twin builds no records at all, so plain runs pay nothing.

Record kinds and their fields (times are hours from day 0 = 1 January 00:00 hub time;
``at_utc`` turns them into aware UTC datetimes):

==================  ===========================================================================
``vessel_arrived``   call, port_moves
``vessel_berthed``   call, berth
``box_discharged``   call, box, container, teu, empty, route            (a base box off the ship)
``vessel_departed``  call, berth, loaded_boxes
``gate_in``          box, container, teu, empty, category, lane
``gate_out``         box, container, teu, empty, category, lane
``gate_refused``     box, container, teu, empty, category               (yard full)
``yard_in``          box, container, teu, empty, category
``yard_out``         box, container, teu, empty, category
``train_formed``     train, route, direction, track
``box_loaded``       train, box, container, teu, empty
``train_departed``   train, route, crossing, teu, boxes, rerouted
``train_cancelled``  train, route, reason, teu
``border_arrived``   train, crossing, direction
``gauge_changed``    train, crossing, direction, method, wait_h
``train_arrived``    train, route, direction, teu, boxes     (west: at destination; east: at base)
``box_unloaded``     train, box, container, teu, empty, category
``box_shipped``      call, box, container, teu                          (eastbound box onto a ship)
``grain_tipped``     train, tonnes, silo_stock_t
``grain_shipped``    tonnes, silo_stock_t
==================  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from stdnum import iso6346

# day 0 of the twin: a Monday, 1 January, midnight hub time (UTC+8)
EPOCH_UTC = datetime(2024, 12, 31, 16, 0, tzinfo=UTC)
OWNER_CODE = "LBTU"  # the twin's own (fictional) owner prefix, so its boxes never clash with real ones


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One step of a flow; ``fields`` holds plain JSON-ready values."""

    seq: int
    time_h: float
    kind: str
    fields: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the UTC time."""
        return {
            "seq": self.seq,
            "time_h": round(self.time_h, 4),
            "at": at_utc(self.time_h).isoformat(),
            "kind": self.kind,
            **self.fields,
        }


Observer = Callable[[TraceRecord], None]


def at_utc(time_h: float, epoch: datetime = EPOCH_UTC) -> datetime:
    """A twin time as an aware UTC datetime."""
    return epoch + timedelta(hours=time_h)


def container_number(box_id: int) -> str:
    """A valid ISO 6346 number for the twin's box ``box_id`` (owner LBTU, serial = id)."""
    serial = f"{OWNER_CODE}{box_id % 1_000_000:06d}"
    return serial + iso6346.calc_check_digit(serial)


class TraceRecorder:
    """Numbers records and hands them to the observer."""

    __slots__ = ("_observer", "_seq")

    def __init__(self, observer: Observer) -> None:
        self._observer = observer
        self._seq = 0

    def emit(self, time_h: float, kind: str, **fields: Any) -> None:
        """Send one record."""
        self._seq += 1
        self._observer(TraceRecord(self._seq, time_h, kind, fields))


class TraceList:
    """An observer that keeps the records in a list (tests, small runs, ``--trace FILE``)."""

    def __init__(self) -> None:
        self.records: list[TraceRecord] = []

    def __call__(self, record: TraceRecord) -> None:
        self.records.append(record)
