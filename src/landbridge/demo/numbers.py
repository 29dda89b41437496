"""Seeded identifiers for the demo day: the same seed draws the same boxes, wagons and ships."""

from __future__ import annotations

import random
from collections.abc import Callable

from stdnum import imo as stdnum_imo
from stdnum import iso6346, luhn


class Numbers:
    """Seeded, unique, check-digit-valid identifiers: ISO 6346 boxes, UIC and 1520 mm wagons, IMO."""

    def __init__(self, draw: random.Random) -> None:
        self._draw = draw
        self._used: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self._used:
                self._used.add(value)
                return value

    def container(self, owner: str) -> str:
        """An ISO 6346 number of a freight box (category U) with its check digit."""

        def make() -> str:
            base = f"{owner}U{self._draw.randrange(1_000_000):06d}"
            return base + iso6346.calc_check_digit(base)

        return self._unique(make)

    def uic_wagon(self, type_digits: str, country: str = "33") -> str:
        """A UIC 12-digit wagon number (Luhn check digit); country 33 is China."""

        def make() -> str:
            body = f"{type_digits}{country}{self._draw.randrange(10_000_000):07d}"
            return body + luhn.calc_check_digit(body)

        return self._unique(make)

    def wagon_1520(self, kind_digit: str) -> str:
        """An 8-digit 1520 mm wagon number (first digit: wagon kind, 4 = flat)."""

        def make() -> str:
            body = f"{kind_digit}{self._draw.randrange(1_000_000):06d}"
            return body + luhn.calc_check_digit(body)

        return self._unique(make)

    def imo(self) -> str:
        """A 7-digit IMO ship number with its check digit."""
        body = f"9{self._draw.randrange(100_000):05d}"
        return body + stdnum_imo.calc_check_digit(body)
