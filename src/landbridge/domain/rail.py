"""Rail: wagon types, wagons with their slot layouts, tracks, train visits and load limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

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
