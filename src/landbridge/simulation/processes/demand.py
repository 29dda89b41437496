"""Demand apart from supply: bookings by destination and week with seasons, and the gate's day.

The timetable offers trains; bookings decide how full they are. Bookings are a Poisson stream of
boxes per destination whose weekly rate is the scenario's ``teu_per_week`` times the seasons
covering that week (rescaled so the year's mean multiplier is 1) times a gamma week-to-week
factor. Trucks follow the gate's hourly profile and book one-hour appointment windows; a full
window pushes the truck to the next window with room.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right

from landbridge.scenarios.model import DemandSpec, GateSpec, Scenario
from landbridge.simulation.processes.random_streams import gamma_with_mean

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
WEEKS_PER_YEAR = 52


def week_of_year(at_h: float) -> int:
    """1-based calendar week of a time (day 0 = 1 January; week 53 folds into 52)."""
    day = (at_h / HOURS_PER_DAY) % 365.0
    return min(WEEKS_PER_YEAR, int(day // 7) + 1)


class Seasons:
    """Demand multipliers per direction and week of the year."""

    def __init__(self, demand: DemandSpec | None) -> None:
        self._factor: dict[str, list[float]] = {}
        for direction in ("west", "east"):
            raw = [1.0] * (WEEKS_PER_YEAR + 1)
            for season in demand.seasons if demand else []:
                if season.direction in (direction, "both"):
                    for week in range(1, WEEKS_PER_YEAR + 1):
                        if season.covers(week):
                            raw[week] *= season.multiplier
            mean = sum(raw[1:]) / WEEKS_PER_YEAR
            scale = 1.0 / mean if demand is not None and demand.normalise_seasons and mean > 0 else 1.0
            self._factor[direction] = [value * scale for value in raw]

    def factor(self, direction: str, at_h: float) -> float:
        """The multiplier of the week containing ``at_h``."""
        return self._factor[direction][week_of_year(at_h)]


def weekly_bookings_teu(scenario: Scenario, direction: str, train_teu: float, load_share: float) -> dict[str, float]:
    """Average TEU booked a week per destination: the demand section, else the timetable's slots × load."""
    if scenario.demand is not None:
        found: dict[str, float] = {}
        for booking in scenario.demand.bookings:
            if booking.direction == direction:
                found[booking.route] = found.get(booking.route, 0.0) + booking.teu_per_week
        return found
    derived: dict[str, float] = {}
    for spec in scenario.timetable:
        if spec.direction == direction:
            derived[spec.route] = (
                derived.get(spec.route, 0.0) + len(spec.days) / spec.every_weeks * train_teu * load_share
            )
    return derived


def booking_times(
    rng: random.Random,
    teu_per_week: float,
    mean_teu_per_box: float,
    seasons: Seasons,
    direction: str,
    week_cv: float,
    start_h: float,
    end_h: float,
    clock_offset_h: float = 0.0,
) -> list[float]:
    """Times of box bookings for one destination over [start_h, end_h)."""
    times: list[float] = []
    week_start = math.floor(start_h / HOURS_PER_WEEK) * HOURS_PER_WEEK
    while week_start < end_h:
        week_end = week_start + HOURS_PER_WEEK
        season = seasons.factor(direction, max(week_start + clock_offset_h, 0.0) + 1.0)
        boxes = teu_per_week / mean_teu_per_box * season
        rate_per_h = gamma_with_mean(rng, boxes, week_cv) / HOURS_PER_WEEK
        at_h = week_start
        while rate_per_h > 0:
            at_h += rng.expovariate(rate_per_h)
            if at_h >= week_end:
                break
            if start_h <= at_h < end_h:
                times.append(at_h)
        week_start = week_end
    return times


class AppointmentBook:
    """One-hour gate windows with a cap; trucks choose a window by the hourly profile."""

    def __init__(self, gate: GateSpec) -> None:
        self.per_window = gate.appointments_per_hour
        self.profile = gate.hourly_profile or [1.0] * 24
        # cumulative weights of the next 24 windows for each starting hour: one bisect per truck
        self._cumulative: list[list[float]] = []
        for first in range(24):
            running = 0.0
            table = []
            for offset in range(24):
                running += self.profile[(first + offset) % 24]
                table.append(running)
            self._cumulative.append(table)
        self._booked: dict[int, int] = {}
        self.shifted = 0

    def book(self, rng: random.Random, ready_h: float) -> float:
        """Arrival time of a truck for a box ready at ``ready_h`` (within the next day, by the profile)."""
        first = math.ceil(ready_h)
        table = self._cumulative[first % 24]
        offset = min(23, bisect_right(table, rng.random() * table[-1]))
        window = first + offset
        booked = self._booked
        while booked.get(window, 0) >= self.per_window or self.profile[window % 24] <= 0:
            window += 1
            self.shifted += 1
        booked[window] = booked.get(window, 0) + 1
        return window + rng.random()
