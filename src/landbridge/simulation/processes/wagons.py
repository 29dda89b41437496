"""Wagon fleets: 1435 mm flats of the base and 1520 mm flats on the far side of each crossing.

A pool counts free wagons; a train takes a whole set (the train type's wagons) and gives it back
where the set ends up. In-use wagon-hours are integrated so the KPIs can report wagon days, and a
train that finds too few wagons waits (a shortage, with its wait recorded). A pool of size 0 is
"not modelled": it never runs short, as before this model existed.
"""

from __future__ import annotations

from landbridge.simulation.engine import Engine


class WagonPool:
    """Free wagons of one fleet at one place, with in-use wagon-hours and shortages."""

    __slots__ = ("_in_use_area_h", "_last_h", "engine", "free", "name", "shortage_waits_h", "size")

    def __init__(self, engine: Engine, name: str, size: int) -> None:
        self.engine = engine
        self.name = name
        self.size = size
        self.free = size
        self._in_use_area_h = 0.0
        self._last_h = engine.now_h
        self.shortage_waits_h: list[float] = []

    @property
    def modelled(self) -> bool:
        """False for a pool of size 0 (unlimited wagons)."""
        return self.size > 0

    def _account(self) -> None:
        now = self.engine.now_h
        if now > self._last_h:
            self._in_use_area_h += (self.size - self.free) * (now - self._last_h)
        self._last_h = now

    def can_take(self, wagons: int) -> bool:
        """True when a set of ``wagons`` is free here (always, when not modelled)."""
        return not self.modelled or self.free >= wagons

    def take(self, wagons: int) -> None:
        """A train takes a set."""
        if self.modelled:
            self._account()
            self.free -= wagons

    def give(self, wagons: int) -> None:
        """A set comes back (empty or after unloading)."""
        if self.modelled:
            self._account()
            self.free += wagons

    def reset_statistics(self) -> None:
        """Forget the warm-up."""
        self._account()
        self._in_use_area_h = 0.0
        self.shortage_waits_h = []

    def wagon_days_in_use(self) -> float:
        """Wagon-days away from this pool since the statistics were reset."""
        self._account()
        return self._in_use_area_h / 24.0
