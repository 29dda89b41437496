"""Discrete dynamic berth allocation (DBAP): typed instance and the Lalla-Ruiz file reader.

The reader is strict on purpose: a benchmark file that is read with one token out of place gives a
plausible-looking but wrong instance, so every count is checked and every error names its field.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

from landbridge.planning.common import PlanningInputError, read_instance_text

FORBIDDEN_HANDLING = 99999
"""Handling time the Lalla-Ruiz files use to say "this vessel may not use this berth"."""


@dataclass(frozen=True)
class BerthInstance:
    """A DBAP instance; times are integers in the file's time unit, vessels and berths 0-based."""

    name: str
    arrival_times: tuple[int, ...]
    opening_times: tuple[int, ...]
    closing_times: tuple[int, ...]
    handling_times: tuple[tuple[int | None, ...], ...]
    """handling_times[vessel][berth]; ``None`` where the vessel may not use the berth."""
    deadlines: tuple[int, ...]
    """Latest completion time of each vessel."""

    @property
    def vessel_count(self) -> int:
        """Number of vessels N."""
        return len(self.arrival_times)

    @property
    def berth_count(self) -> int:
        """Number of berths M."""
        return len(self.opening_times)

    def earliest_start(self, vessel: int, berth: int) -> int:
        """A vessel starts no earlier than its arrival and the berth's opening."""
        return max(self.arrival_times[vessel], self.opening_times[berth])

    def latest_start(self, vessel: int, berth: int) -> int | None:
        """Latest start that still ends by the berth closing and the vessel deadline; None if forbidden."""
        handling = self.handling_times[vessel][berth]
        if handling is None:
            return None
        return min(self.closing_times[berth], self.deadlines[vessel]) - handling

    def is_allowed(self, vessel: int, berth: int) -> bool:
        """True when the vessel can be served at the berth within both time windows."""
        latest = self.latest_start(vessel, berth)
        return latest is not None and latest >= self.earliest_start(vessel, berth)

    def twin_representatives(self) -> tuple[int, ...]:
        """For each vessel, the first vessel with the same arrival, handling times and deadline.

        Such twins are interchangeable in every plan: the Lalla-Ruiz files repeat vessels (f60x7:
        60 vessels of 35 kinds, f55 and f60x5: 25 kinds), and a MIP that tells twins apart explores
        every permutation of them.
        """
        return _first_with_same_key(
            [(self.arrival_times[v], self.handling_times[v], self.deadlines[v]) for v in range(self.vessel_count)]
        )

    def identical_berth_representatives(self) -> tuple[int, ...]:
        """For each berth, the first berth with the same handling time for every vessel and the same
        opening and closing times.

        Such berths are interchangeable: swapping their whole schedules gives a plan of the same
        cost. 80 of the 90 Lalla-Ruiz files have such a pair (berths 2 and 3; f55x10 also 7–9), and a
        MIP that tells them apart searches every plan twice (or six times).
        """
        return _first_with_same_key(
            [
                (tuple(row[berth] for row in self.handling_times), self.opening_times[berth], self.closing_times[berth])
                for berth in range(self.berth_count)
            ]
        )


def _first_with_same_key(keys: Sequence[Hashable]) -> tuple[int, ...]:
    """For each position, the first position whose key is equal to its own."""
    first: dict[Hashable, int] = {}
    return tuple(first.setdefault(key, index) for index, key in enumerate(keys))


def _take_ints(tokens: list[str], start: int, count: int, field_name: str) -> list[int]:
    if start + count > len(tokens):
        raise PlanningInputError(
            field_name, f"expected {count} integers, file ends after {max(0, len(tokens) - start)}"
        )
    values: list[int] = []
    for offset, token in enumerate(tokens[start : start + count]):
        try:
            value = int(token)
        except ValueError:
            raise PlanningInputError(field_name, f"value {offset + 1} is {token!r}, not an integer") from None
        if value < 0:
            raise PlanningInputError(field_name, f"value {offset + 1} is negative ({value})")
        values.append(value)
    return values


def parse_berth_instance(text: str, name: str) -> BerthInstance:
    """Parse the Lalla-Ruiz DBAP layout: N, M, arrivals, openings, N handling rows, closings, deadlines.

    Trailing tokens after the N deadlines (some files repeat 600) are ignored, as the format allows.
    """
    tokens = text.split()
    header = _take_ints(tokens, 0, 2, "header (N M)")
    vessel_count, berth_count = header
    if vessel_count < 1:
        raise PlanningInputError("N (vessels)", f"must be at least 1, got {vessel_count}")
    if berth_count < 1:
        raise PlanningInputError("M (berths)", f"must be at least 1, got {berth_count}")
    position = 2
    arrivals = _take_ints(tokens, position, vessel_count, "arrival times")
    position += vessel_count
    openings = _take_ints(tokens, position, berth_count, "berth opening times")
    position += berth_count
    handling: list[tuple[int | None, ...]] = []
    for vessel in range(vessel_count):
        row = _take_ints(tokens, position, berth_count, f"handling times of vessel {vessel}")
        position += berth_count
        if any(value == 0 for value in row):
            raise PlanningInputError(f"handling times of vessel {vessel}", "a handling time of 0 is not allowed")
        handling.append(tuple(None if value >= FORBIDDEN_HANDLING else value for value in row))
    closings = _take_ints(tokens, position, berth_count, "berth closing times")
    position += berth_count
    deadlines = _take_ints(tokens, position, vessel_count, "vessel deadlines")
    for berth, (opening, closing) in enumerate(zip(openings, closings, strict=True)):
        if closing < opening:
            raise PlanningInputError(
                "berth closing times", f"berth {berth} closes ({closing}) before it opens ({opening})"
            )
    return BerthInstance(
        name=name,
        arrival_times=tuple(arrivals),
        opening_times=tuple(openings),
        closing_times=tuple(closings),
        handling_times=tuple(handling),
        deadlines=tuple(deadlines),
    )


def berth_instance_text(instance: BerthInstance) -> str:
    """The instance in the Lalla-Ruiz layout :func:`parse_berth_instance` reads (and the checker too)."""
    lines = [
        f"{instance.vessel_count} {instance.berth_count}",
        " ".join(map(str, instance.arrival_times)),
        " ".join(map(str, instance.opening_times)),
        *(" ".join(str(FORBIDDEN_HANDLING if h is None else h) for h in row) for row in instance.handling_times),
        " ".join(map(str, instance.closing_times)),
        " ".join(map(str, instance.deadlines)),
    ]
    return "\n".join(lines) + "\n"


def read_berth_instance(path: Path) -> BerthInstance:
    """Read a Lalla-Ruiz DBAP file; the instance name is the file name without extension."""
    text = read_instance_text(path)
    return parse_berth_instance(text, path.stem)
