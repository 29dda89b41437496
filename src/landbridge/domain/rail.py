"""Rail: wagon types, wagons with their slot layouts, tracks, train visits and load limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from landbridge.domain.errors import Conflict, RuleViolation
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
        return slot_layout_ft(self.platform_ft)

    @property
    def teu_capacity(self) -> int:
        """TEU the platform carries when full."""
        return self.platform_ft // 20

    def axle_load_kg(self, cargo_kg: int) -> float:
        """Mean axle load with the given cargo (tare plus cargo spread over all axles)."""
        return (self.tare_kg + cargo_kg) / self.axles


def slot_layout_ft(platform_ft: int) -> tuple[int, ...]:
    """Slot lengths of a platform: 40 → one 40 ft slot, 60 → 40 + 20, 80 → two 40 ft slots."""
    return {40: (40,), 60: (40, 20), 80: (40, 40)}.get(platform_ft, (platform_ft,))


@dataclass(frozen=True)
class TrainLimits:
    """What a train type allows: the line's axle load and the train's cargo mass (when given)."""

    axle_load_kg: int
    max_cargo_kg: int | None


def slot_halves(wagon: str, wagon_type: WagonType, slot: int, length_ft: int, taken: set[int]) -> list[int]:
    """The 20 ft halves of slot ``slot`` a box of ``length_ft`` takes (422 at slot, 409 when taken).

    A 40/45 ft box takes a whole 40 ft slot; a 20 ft box a free half of a 40 ft slot or a 20 ft slot.
    """
    layout = wagon_type.slot_layout_ft
    if not 1 <= slot <= len(layout):
        raise RuleViolation("slot", f"wagon {wagon} ({wagon_type.code}) has slots 1-{len(layout)}")
    slot_ft = layout[slot - 1]
    if length_ft >= 40:
        if slot_ft < 40:
            raise RuleViolation("slot", f"a {length_ft} ft box does not fit the {slot_ft} ft slot {slot}")
        halves = [1, 2]
    else:
        free = [h for h in ((1, 2) if slot_ft >= 40 else (1,)) if h not in taken]
        halves = free[:1] or [1]
    if taken & set(halves):
        raise Conflict("slot", f"slot {slot} of wagon {wagon} is taken")
    return halves


def check_wagon_mass(
    wagon: str,
    wagon_type: WagonType,
    on_wagon_kg: int,
    box_kg: int,
    limits: TrainLimits | None,
    train_cargo_kg: int,
) -> None:
    """The wagon's payload, the mean axle load against the line's limit, and the train's cargo mass."""
    if on_wagon_kg + box_kg > wagon_type.payload_kg:
        raise RuleViolation(
            "wagon_number", f"wagon {wagon} payload {wagon_type.payload_kg} kg exceeded ({on_wagon_kg} + {box_kg} kg)"
        )
    if limits is None:
        return
    axle_kg = wagon_type.axle_load_kg(on_wagon_kg + box_kg)
    if axle_kg > limits.axle_load_kg:
        raise RuleViolation(
            "wagon_number", f"axle load {axle_kg:.0f} kg exceeds {limits.axle_load_kg} kg on wagon {wagon}"
        )
    if limits.max_cargo_kg is not None and train_cargo_kg + box_kg > limits.max_cargo_kg:
        raise RuleViolation("train", f"train cargo {train_cargo_kg + box_kg} kg exceeds {limits.max_cargo_kg} kg")


class TrainStatus(StrEnum):
    """Life of a train visit at the base and on the corridor."""

    ANNOUNCED = "announced"
    LOADING = "loading"
    DEPARTED = "departed"
    AT_BORDER = "at_border"
    GAUGE_CHANGED = "gauge_changed"
    ARRIVED = "arrived"
    RELEASED = "released"
    CANCELLED = "cancelled"  # called off at the base before it left; its track and wagons are free


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


# Where a train visit may be called off: at the base, before it leaves.
CANCELLABLE = frozenset({TrainStatus.ANNOUNCED, TrainStatus.LOADING})


def check_cancellable(train: str, status: str, boxes_on_board: int) -> None:
    """A train visit is cancelled only at the base and empty (409 naming the state otherwise).

    A departed train is on the corridor (its arrival or release ends it); a train with boxes on
    board would strand them on wagons of a visit that no longer exists, so they are unloaded first.
    """
    if TrainStatus(status) not in CANCELLABLE:
        raise Conflict(
            "status", f"train {train} is {status}; only a train at the base (announced or loading) is cancelled"
        )
    if boxes_on_board:
        raise Conflict(
            "train", f"train {train} is {status} with {boxes_on_board} box(es) on board; unload them before cancelling"
        )


def check_receivable(train: str, direction: str, kind: str, field: str = "train") -> None:
    """Only an eastbound service train arrives loaded at the base (422 naming ``field``)."""
    if direction != Direction.EAST:
        raise RuleViolation(field, f"train {train} is {direction}bound; the base receives eastbound trains")
    if kind != TrainKind.SERVICE.value:
        raise RuleViolation(field, f"train {train} is an empty return; it arrives at the border station")


def unloads_at_base(status: str, direction: str, kind: str) -> bool:
    """A train is unloaded at the base while there (announced, loading), or once an eastbound one arrived."""
    if status in (TrainStatus.ANNOUNCED, TrainStatus.LOADING):
        return True
    return status == TrainStatus.ARRIVED and direction == Direction.EAST and kind == TrainKind.SERVICE.value


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
