"""Today's state of the base as plain typed data, so the twin can start from it instead of empty.

The operations layer builds an :class:`InitialState` from its repositories; tests build one by hand.
Times are hours relative to the start of the run (negative = in the past).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

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
class AnnouncedVessel:
    """A container ship call announced (or berthed) at the start of the run."""

    reference: str
    arrival_h: float


@dataclass(frozen=True, slots=True)
class InitialState:
    """Containers in the yard, announced trains and ships at the start of the run.

    ``clock_offset_h`` places hour 0 of the run in the twin's calendar (hours after Monday 00:00 of
    week 1, hub time), so timetable weekdays and the seasons line up with today's date.
    """

    containers: tuple[YardContainer, ...] = field(default_factory=tuple)
    trains: tuple[AnnouncedTrain, ...] = field(default_factory=tuple)
    silo_stock_t: float = 0.0
    vessels: tuple[AnnouncedVessel, ...] = field(default_factory=tuple)
    clock_offset_h: float = 0.0


HUB_ZONE = ZoneInfo("Asia/Shanghai")  # the default scenario's wall clock (timetable times are hub time)


def clock_offset_h(moment: datetime, zone: tzinfo = HUB_ZONE) -> float:
    """Hours from the twin's epoch (a Monday 00:00 of week 1) to ``moment``, keeping its weekday and season.

    The week of the year (day of year ÷ 7) keeps the season within a few days; the weekday and the
    time of day are exact, so a Tuesday 14:00 train is a Tuesday 14:00 train.
    """
    if moment.tzinfo is None:
        raise ValueError("moment must be an aware datetime")
    local = moment.astimezone(zone)
    week_index = (local.timetuple().tm_yday - 1) // 7
    return week_index * 168.0 + local.weekday() * 24.0 + local.hour + local.minute / 60 + local.second / 3600
