"""How much work one planning request may cause: horizons and instance sizes.

A live plan answers an HTTP request, so what it costs must be known before it starts. The berth
solver's arrays grow with the hours between the plan's reference time and the last ETA, times the
vessels and berths; without a cap a ``reference_time`` in 2016, or one visit announced for a far
year, made a single request allocate gigabytes. The caps below are generous for a hub the size of
Lianyungang (a berth plan looks days, not months, ahead) and every refusal names its field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from landbridge.domain.errors import RuleViolation

T = TypeVar("T")

MAX_ARRIVAL_H = 30 * 24
"""A berth plan covers the visits arriving within 30 days of its reference time; later ones wait for a later plan."""
MAX_HORIZON_H = 60 * 24
"""Reference time to the last departure of a berth plan (arrival window plus the longest handling)."""
MAX_BERTH_VESSELS = 120
"""Announced visits in one berth plan (Lianyungang handles about 20 calls a day at its container berths)."""
MAX_LIST_ITEMS = 500
"""Entries of any list in a plan request (berths, containers, arriving lots)."""


def check_berth_size(vessels: int, horizon_h: int) -> None:
    """Refuse a berth instance larger than the caps, before any solver array exists."""
    if vessels > MAX_BERTH_VESSELS:
        raise RuleViolation(
            "vessel_visits",
            f"{vessels} visits to plan; at most {MAX_BERTH_VESSELS} per plan (announced within the next days)",
        )
    if horizon_h > MAX_HORIZON_H:
        raise RuleViolation(
            "reference_time",
            f"the plan would span {horizon_h} h from reference_time to the last departure; at most {MAX_HORIZON_H} h",
        )


def arriving_in_window(visits: Sequence[T], arrivals_h: Sequence[int]) -> list[T]:
    """The visits arriving within ``MAX_ARRIVAL_H`` of the reference time; later ones wait for a later plan."""
    kept = [visit for visit, arrival in zip(visits, arrivals_h, strict=True) if arrival <= MAX_ARRIVAL_H]
    if visits and not kept:
        raise RuleViolation("reference_time", f"no announced vessel visit arrives within {MAX_ARRIVAL_H} h after it")
    return kept


def free_in_window(berths: Sequence[T], openings_h: Sequence[int]) -> tuple[list[T], list[int]]:
    """The berths free within the arrival window (one taken for all of it can take none of the visits)."""
    kept = [(berth, opening) for berth, opening in zip(berths, openings_h, strict=True) if opening <= MAX_ARRIVAL_H]
    if not kept:
        raise RuleViolation("berth_codes", f"no container berth is free within {MAX_ARRIVAL_H} h of reference_time")
    return [berth for berth, _ in kept], [opening for _, opening in kept]
