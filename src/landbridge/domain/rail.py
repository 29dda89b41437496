"""Rail: wagon types, wagons with their slot layouts, tracks, train visits and load limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from landbridge.domain.errors import RuleViolation
from landbridge.domain.units import Direction, Gauge


@dataclass(frozen=True)
class WagonType:
    """A container flat wagon type and its limits."""

    code: str
    gauge: Gauge
    platform_ft: int
    length_m: float
    tare_kg: int
    payload_kg: int
    axles: int

    @property
    def slot_layout_ft(self) -> tuple[int, ...]:
        """Slot lengths the platform offers: a 40 ft platform takes one 40/45 ft or two 20 ft."""
        return {40: (40,), 60: (40, 20), 80: (40, 40)}.get(self.platform_ft, (self.platform_ft,))

    @property
    def teu_capacity(self) -> int:
        """TEU the platform carries when full."""
        return self.platform_ft // 20

    def axle_load_kg(self, cargo_kg: int) -> float:
        """Mean axle load with the given cargo (tare plus cargo spread over all axles)."""
        return (self.tare_kg + cargo_kg) / self.axles


@dataclass
class Wagon:
    """One wagon of a train, by number and type."""

    number: str
    wagon_type: WagonType
    position_in_train: int


class TrainStatus(StrEnum):
    """Life of a train visit at the base and on the corridor."""

    ANNOUNCED = "announced"
    LOADING = "loading"
    DEPARTED = "departed"
    AT_BORDER = "at_border"
    GAUGE_CHANGED = "gauge_changed"
    ARRIVED = "arrived"
    RELEASED = "released"


class TrainKind(StrEnum):
    """A train in service with cargo, or empty 1520 mm wagons going back to the border station."""

    SERVICE = "service"
    EMPTY_RETURN = "empty_return"


# Where an emptied train may be released: at the border after the gauge change, or at its destination.
RELEASABLE = frozenset({TrainStatus.AT_BORDER, TrainStatus.GAUGE_CHANGED, TrainStatus.ARRIVED})


def check_releasable(train: str, status: str, boxes_on_board: int, field: str = "train") -> None:
    """An emptied train, at the border or its destination, may be released (422 naming ``field``)."""
    if TrainStatus(status) not in RELEASABLE:
        raise RuleViolation(field, f"train {train} is {status}; a train is released at the border or its destination")
    if boxes_on_board:
        raise RuleViolation(field, f"train {train} still carries {boxes_on_board} box(es); unload them first")


def check_returnable(train: str, status: str, gauge_mm: int, kind: str, field: str = "train") -> None:
    """Only a released 1520 mm service train's wagons go back to the border as an empty return."""
    if gauge_mm != 1520:
        raise RuleViolation(field, f"train {train} runs on {gauge_mm} mm; empty returns are of 1520 mm wagons")
    if kind != TrainKind.SERVICE.value:
        raise RuleViolation(field, f"train {train} is already an empty return")
    if status != TrainStatus.RELEASED.value:
        raise RuleViolation(field, f"train {train} is {status}; release it before returning its wagons")


@dataclass(frozen=True)
class WagonTrip:
    """One train visit a wagon made: what kind, and when it left and arrived (UTC)."""

    train: str
    kind: str
    loaded: bool
    departed_at: datetime | None
    arrived_at: datetime | None


def turnaround(trips: list[WagonTrip]) -> tuple[datetime | None, datetime | None, float | None]:
    """A wagon's latest round trip: loaded out (departure), back empty (arrival of its empty return), hours.

    Trips are in the order the wagon made them; the cycle is the last loaded departure followed by an
    empty return that arrived.
    """
    loaded_out: datetime | None = None
    back: datetime | None = None
    result: tuple[datetime | None, datetime | None, float | None] = (None, None, None)
    for trip in trips:
        if trip.kind == TrainKind.SERVICE.value and trip.loaded and trip.departed_at is not None:
            loaded_out, back = trip.departed_at, None
            result = (loaded_out, None, None)
        elif trip.kind == TrainKind.EMPTY_RETURN.value and loaded_out is not None and trip.arrived_at is not None:
            back = trip.arrived_at
            result = (loaded_out, back, round((back - loaded_out).total_seconds() / 3600, 1))
    return result


@dataclass
class TrainVisit:
    """A train calling at the base: direction, route, gauge and wagons."""

    reference: str
    direction: Direction
    route_code: str
    gauge: Gauge
    track_code: str | None = None
    status: TrainStatus = TrainStatus.ANNOUNCED
    wagons: list[Wagon] = field(default_factory=list)


@dataclass(frozen=True)
class RailTrack:
    """A loading track at the base."""

    code: str
    length_m: float
    gauge: Gauge = Gauge.STANDARD_1435
