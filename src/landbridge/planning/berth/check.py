"""Independent checker for berth plans (DBAP and the tidal continuous-quay variant).

Shares no code with the formulation or ``problem.py`` on purpose: it re-reads the instance file with
its own minimal parser, so a misreading in the solver's reader cannot hide a bad plan. It trusts only
the plan JSON and recomputes the objective.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from pathlib import Path
from typing import Any

_NOT_ALLOWED = 99999


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values]


def _int_field(entry: dict[str, Any], key: str, where: str, errors: list[str]) -> int | None:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        errors.append(f"{where}: '{key}' must be an integer, got {value!r}")
        return None
    return value


def _check_objective(plan: dict[str, Any], recomputed: float, errors: list[str]) -> None:
    claimed = plan.get("objective")
    if not isinstance(claimed, int | float) or isinstance(claimed, bool):
        errors.append(f"objective: missing or not a number ({claimed!r})")
    elif abs(float(claimed) - recomputed) > 1e-6:
        errors.append(f"objective: plan says {claimed}, recomputed total service time is {recomputed:g}")
    bound = plan.get("bound")
    if isinstance(bound, int | float) and not isinstance(bound, bool) and float(bound) > recomputed + 1e-6:
        errors.append(f"bound: {bound} is above the plan's own objective {recomputed:g}")


def check_dbap_plan(instance_path: Path, plan: dict[str, Any]) -> list[str]:
    """Verify a DBAP plan against an instance file (see :func:`check_dbap`)."""
    return check_dbap(instance_path.read_text(encoding="utf-8"), plan)


def check_dbap(instance_text: str, plan: dict[str, Any]) -> list[str]:
    """Verify a DBAP plan: every vessel once, allowed berth, windows, no overlap, objective.

    Takes the instance as text in the Lalla-Ruiz layout, so live planning checks a plan without
    writing a file.
    """
    tokens = instance_text.split()
    n, m = int(tokens[0]), int(tokens[1])
    at = 2
    arrival = _ints(tokens[at : at + n])
    at += n
    opening = _ints(tokens[at : at + m])
    at += m
    handling = [_ints(tokens[at + v * m : at + (v + 1) * m]) for v in range(n)]
    at += n * m
    closing = _ints(tokens[at : at + m])
    at += m
    deadline = _ints(tokens[at : at + n])

    errors: list[str] = []
    entries = plan.get("assignments")
    if not isinstance(entries, list):
        return ["assignments: missing or not a list"]
    seen: dict[int, int] = {}
    intervals: dict[int, list[tuple[int, int, int]]] = {}
    total = 0
    for index, entry in enumerate(entries):
        where = f"assignments[{index}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: not an object")
            continue
        vessel = _int_field(entry, "vessel", where, errors)
        berth = _int_field(entry, "berth", where, errors)
        start = _int_field(entry, "start", where, errors)
        if vessel is None or berth is None or start is None:
            continue
        if not 0 <= vessel < n:
            errors.append(f"{where}: vessel {vessel} does not exist (instance has {n})")
            continue
        if not 0 <= berth < m:
            errors.append(f"{where}: berth {berth} does not exist (instance has {m})")
            continue
        if vessel in seen:
            errors.append(f"vessel {vessel}: assigned twice (entries {seen[vessel]} and {index})")
            continue
        seen[vessel] = index
        duration = handling[vessel][berth]
        if duration >= _NOT_ALLOWED:
            errors.append(f"vessel {vessel}: berth {berth} is forbidden for it")
            continue
        end = start + duration
        if start < arrival[vessel]:
            errors.append(f"vessel {vessel}: starts at {start}, before its arrival {arrival[vessel]}")
        if start < opening[berth]:
            errors.append(f"vessel {vessel}: starts at {start}, before berth {berth} opens at {opening[berth]}")
        if end > closing[berth]:
            errors.append(f"vessel {vessel}: ends at {end}, after berth {berth} closes at {closing[berth]}")
        if end > deadline[vessel]:
            errors.append(f"vessel {vessel}: ends at {end}, after its deadline {deadline[vessel]}")
        intervals.setdefault(berth, []).append((start, end, vessel))
        total += end - arrival[vessel]
    for vessel in range(n):
        if vessel not in seen:
            errors.append(f"vessel {vessel}: not assigned")
    for berth, spans in intervals.items():
        spans.sort()
        for (s1, e1, v1), (s2, _e2, v2) in itertools.pairwise(spans):
            if s2 < e1:
                errors.append(f"berth {berth}: vessels {v1} [{s1},{e1}) and {v2} (from {s2}) overlap")
    if not errors:
        _check_objective(plan, float(total), errors)
    return errors


def _tidal_rows(instance_text: str) -> dict[str, list[str]]:
    reader = csv.reader(io.StringIO(instance_text, newline=""))
    rows = {row[0].strip(): [c.strip() for c in row[1:] if c.strip()] for row in reader if row}
    for label in list(rows):
        if label.startswith("Processin"):
            rows["Processing"] = rows[label]
    return rows


def check_tidal_plan(instance_path: Path, plan: dict[str, Any]) -> list[str]:
    """Verify a tidal plan against an instance file (see :func:`check_tidal`)."""
    return check_tidal(instance_path.read_text(encoding="utf-8"), plan)


def check_tidal(instance_text: str, plan: dict[str, Any]) -> list[str]:
    """Verify a tidal continuous-quay plan: arrival, quay extent, departure inside a tide window,
    no two vessels overlapping in both quay position and time, and the objective.
    """
    rows = _tidal_rows(instance_text)
    n = int(rows["Vessels"][0])
    begins = [float(v) for v in rows["Begin"]]
    ends = [float(v) for v in rows["End"]]
    processing = [float(v) for v in rows["Processing"]]
    length = [float(v) for v in rows["Length"]]
    arrival = [float(v) for v in rows["Arrival"]]
    # The files give no quay length; the set is generated for a quay of 3 length units (three "Unit"
    # vessels side by side; docs/planning-berth-cranes.md gives the sources). A Quay row overrides it.
    quay_length = float(rows["Quay"][0]) if "Quay" in rows else 3.0

    errors: list[str] = []
    entries = plan.get("assignments")
    if not isinstance(entries, list):
        return ["assignments: missing or not a list"]
    placed: dict[int, tuple[float, float, float, float]] = {}
    total = 0.0
    for index, entry in enumerate(entries):
        where = f"assignments[{index}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: not an object")
            continue
        vessel = _int_field(entry, "vessel", where, errors)
        position = entry.get("position")
        start = entry.get("start")
        departure = entry.get("departure", start)
        if vessel is None:
            continue
        if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (position, start, departure)):
            errors.append(f"{where}: position, start and departure must be numbers")
            continue
        assert isinstance(position, int | float) and isinstance(start, int | float)
        assert isinstance(departure, int | float)
        if not 0 <= vessel < n:
            errors.append(f"{where}: vessel {vessel} does not exist (instance has {n})")
            continue
        if vessel in placed:
            errors.append(f"vessel {vessel}: assigned twice")
            continue
        finish = start + processing[vessel]
        if start < arrival[vessel] - 1e-9:
            errors.append(f"vessel {vessel}: starts at {start}, before its arrival {arrival[vessel]}")
        if position < -1e-9 or position + length[vessel] > quay_length + 1e-6:
            errors.append(
                f"vessel {vessel}: quay extent [{position}, {position + length[vessel]}] is outside [0, {quay_length}]"
            )
        if departure < finish - 1e-9:
            errors.append(f"vessel {vessel}: departs at {departure}, before handling ends at {finish}")
        if not any(b - 1e-9 <= departure <= e + 1e-9 for b, e in zip(begins, ends, strict=False)):
            errors.append(f"vessel {vessel}: departs at {departure}, outside every high-tide window")
        placed[vessel] = (float(position), float(position) + length[vessel], float(start), float(departure))
        total += departure - arrival[vessel]
    for vessel in range(n):
        if vessel not in placed:
            errors.append(f"vessel {vessel}: not assigned")
    items = sorted(placed.items())
    for i, (v1, (a1, b1, s1, d1)) in enumerate(items):
        for v2, (a2, b2, s2, d2) in items[i + 1 :]:
            # The quay stretch is occupied from berthing until departure (waiting for the tide included).
            # A zero-length vessel (nine 32_2_Unit_Noon_5 files have them) takes no quay at all.
            if b1 - a1 <= 1e-12 or b2 - a2 <= 1e-12:
                continue
            if a1 < b2 - 1e-9 and a2 < b1 - 1e-9 and s1 < d2 - 1e-9 and s2 < d1 - 1e-9:
                errors.append(f"vessels {v1} and {v2}: overlap on the quay in both position and time")
    if not errors:
        _check_objective(plan, total, errors)
        if math.isnan(total):
            errors.append("objective: not a number")
    return errors
