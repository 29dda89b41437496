"""Today's state of the base as plain typed data, so the twin can start from it instead of empty.

The operations layer builds an :class:`InitialState` from its repositories; tests build one by hand.
Times are hours relative to the start of the run (negative = in the past).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Direction = Literal["west", "east"]


@dataclass(frozen=True, slots=True)
class YardContainer:
    """A box in the yard now."""

    container_number: str
    teu: int
    direction: Direction
    arrived_h: float
    empty: bool = False
    route: str | None = None  # westbound: the destination route it waits for
    leaves_by: Literal["rail", "sea", "road"] = "rail"
    expected_departure_h: float | None = None  # eastbound/depot: when it is due to leave


@dataclass(frozen=True, slots=True)
class AnnouncedTrain:
    """A train announced but not yet at the base (eastbound arrival) or not yet gone (westbound)."""

    train_id: str
    direction: Direction
    route: str
    time_h: float  # eastbound: arrival at the base; westbound: scheduled departure
    teu: int
    boxes: int


@dataclass(frozen=True, slots=True)
class InitialState:
    """Containers in the yard and announced trains at the start of the run."""

    containers: tuple[YardContainer, ...] = field(default_factory=tuple)
    trains: tuple[AnnouncedTrain, ...] = field(default_factory=tuple)
    silo_stock_t: float = 0.0
