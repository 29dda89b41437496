"""Quay crane scheduling problem (QCSP) in the Meisel & Bierwirth (2011) unified model.

Tasks sit in bays; cranes (numbered left to right) travel ``travel_time_per_bay`` per bay, may not
cross and must keep ``safety_margin_bays`` empty bays between them. Tasks and cranes are 0-based here
(the QCSPgen files count tasks from 1). Times are integers in the file's unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from landbridge.planning.common import PlanningInputError, read_instance_text


@dataclass(frozen=True)
class CraneInstance:
    """A QCSPgen instance."""

    name: str
    bay_count: int
    travel_time_per_bay: int
    safety_margin_bays: int
    processing_times: tuple[int, ...]
    task_bays: tuple[int, ...]
    """Bay of each task, 1-based as in the file (bays 1..bay_count)."""
    crane_ready_times: tuple[int, ...]
    crane_initial_bays: tuple[int, ...]
    precedences: tuple[tuple[int, int], ...]
    """(i, j): task i must finish before task j starts (0-based)."""
    non_simultaneous: tuple[tuple[int, int], ...]
    """(i, j): tasks i and j may not be processed at the same time (0-based)."""

    @property
    def task_count(self) -> int:
        """Number of tasks n."""
        return len(self.processing_times)

    @property
    def crane_count(self) -> int:
        """Number of cranes q."""
        return len(self.crane_ready_times)

    def crane_gap_bays(self, crane_a: int, crane_b: int) -> int:
        """Minimum bay distance between two cranes: (safety margin + 1) per crane between them."""
        return (self.safety_margin_bays + 1) * abs(crane_a - crane_b)

    def reachable_bays(self, crane: int) -> tuple[int, int]:
        """Bays a crane can reach at all, leaving room for the cranes on either side of it."""
        low = 1 + self.crane_gap_bays(0, crane)
        high = self.bay_count - self.crane_gap_bays(crane, self.crane_count - 1)
        return low, high

    def interference_gap(self, task_i: int, crane_v: int, task_j: int, crane_w: int) -> int:
        """Δ of Bierwirth & Meisel (2009): least time between the two tasks when i runs on v, j on w.

        Zero when the cranes can work both tasks at once; otherwise the time the cranes need to move
        clear of each other, so the later task starts at least Δ after the earlier one ends.
        """
        if crane_v == crane_w:
            return 0
        gap = self.crane_gap_bays(crane_v, crane_w)
        bay_i, bay_j = self.task_bays[task_i], self.task_bays[task_j]
        if crane_v < crane_w and bay_i > bay_j - gap:
            return (bay_i - bay_j + gap) * self.travel_time_per_bay
        if crane_v > crane_w and bay_i < bay_j + gap:
            return (bay_j - bay_i + gap) * self.travel_time_per_bay
        return 0


def _ints(line: str, field_name: str, count: int | None, line_number: int) -> list[int]:
    parts = [part.strip() for part in line.split(",") if part.strip()]
    where = f"{field_name} (line {line_number})"
    if count is not None and len(parts) != count:
        raise PlanningInputError(where, f"expected {count} comma-separated integers, found {len(parts)}")
    values: list[int] = []
    for part in parts:
        try:
            values.append(int(part))
        except ValueError:
            raise PlanningInputError(where, f"{part!r} is not an integer") from None
    return values


def parse_crane_instance(text: str, name: str) -> CraneInstance:
    """Parse the QCSPgen text layout (header, p, l, r, L, ``Phi:`` pairs, ``Psi:`` pairs, ``end.``)."""
    lines = [line.strip() for line in text.splitlines()]
    header = _ints(lines[0] if lines else "", "header n,b,nPhi,nPsi,q,t,s", 7, 1)
    if len(lines) < 5:
        raise PlanningInputError("file", f"expected at least 5 lines, found {len(lines)}")
    n, bays, n_phi, n_psi, q, travel, safety = header
    if n < 1 or bays < 1 or q < 1 or travel < 0 or safety < 0 or n_phi < 0 or n_psi < 0:
        raise PlanningInputError("header n,b,nPhi,nPsi,q,t,s (line 1)", f"invalid values {header}")
    processing = _ints(lines[1], "processing times", n, 2)
    if any(p <= 0 for p in processing):
        raise PlanningInputError("processing times (line 2)", "must be positive")
    task_bays = _ints(lines[2], "task bays", n, 3)
    if any(not 1 <= bay <= bays for bay in task_bays):
        raise PlanningInputError("task bays (line 3)", f"every bay must be in 1..{bays}")
    ready = _ints(lines[3], "crane ready times", q, 4)
    initial = _ints(lines[4], "crane initial bays", q, 5)

    def pairs(label: str, expected: int, first_line: int) -> list[tuple[int, int]]:
        if first_line >= len(lines) or lines[first_line] != label:
            raise PlanningInputError(f"{label} (line {first_line + 1})", f"expected the line {label!r}")
        found: list[tuple[int, int]] = []
        for offset in range(expected):
            number = first_line + 2 + offset
            if number - 1 >= len(lines):
                raise PlanningInputError(label, f"expected {expected} pairs, file ends after {offset}")
            i, j = _ints(lines[number - 1], f"{label} pair", 2, number)
            if not (1 <= i <= n and 1 <= j <= n) or i == j:
                raise PlanningInputError(f"{label} pair (line {number})", f"tasks must be distinct, in 1..{n}")
            found.append((i - 1, j - 1))
        return found

    phi = pairs("Phi:", n_phi, 5)
    psi = pairs("Psi:", n_psi, 6 + n_phi)
    return CraneInstance(
        name=name,
        bay_count=bays,
        travel_time_per_bay=travel,
        safety_margin_bays=safety,
        processing_times=tuple(processing),
        task_bays=tuple(task_bays),
        crane_ready_times=tuple(ready),
        crane_initial_bays=tuple(initial),
        precedences=tuple(phi),
        non_simultaneous=tuple(psi),
    )


def crane_instance_text(instance: CraneInstance) -> str:
    """The instance in the QCSPgen layout :func:`parse_crane_instance` reads (tasks 1-based, as the files)."""

    def row(values: tuple[int, ...] | list[int]) -> str:
        return ",".join(map(str, values))

    header = [
        instance.task_count,
        instance.bay_count,
        len(instance.precedences),
        len(instance.non_simultaneous),
        instance.crane_count,
        instance.travel_time_per_bay,
        instance.safety_margin_bays,
    ]
    lines = [
        row(header),
        row(instance.processing_times),
        row(instance.task_bays),
        row(instance.crane_ready_times),
        row(instance.crane_initial_bays),
        "Phi:",
        *(row([i + 1, j + 1]) for i, j in instance.precedences),
        "Psi:",
        *(row([i + 1, j + 1]) for i, j in instance.non_simultaneous),
        "end.",
    ]
    return "\n".join(lines) + "\n"


def read_crane_instance(path: Path) -> CraneInstance:
    """Read a QCSPgen file; the instance name is the file name without extension."""
    text = read_instance_text(path)
    return parse_crane_instance(text, path.stem)
