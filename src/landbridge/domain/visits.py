"""Vessel visits (their life and the berth they fit) and truck visits at the gate."""

from __future__ import annotations

from enum import StrEnum

from landbridge.domain.errors import RuleViolation


class VesselVisitStatus(StrEnum):
    """Life of a vessel call."""

    ANNOUNCED = "announced"
    BERTHED = "berthed"
    DEPARTED = "departed"


def check_berth_fit(
    ship: str,
    loa_m: float | None,
    draft_m: float | None,
    berth: str,
    berth_length_m: float,
    berth_depth_m: float,
    field: str = "berth_code",
) -> None:
    """Refuse a berth shorter than the ship or shallower than its draft (unknown dimensions pass)."""
    if loa_m is not None and loa_m > berth_length_m:
        raise RuleViolation(field, f"{ship} ({loa_m:g} m LOA) is longer than berth {berth} ({berth_length_m:g} m)")
    if draft_m is not None and draft_m > berth_depth_m:
        raise RuleViolation(field, f"{ship} draws {draft_m:g} m; berth {berth} has {berth_depth_m:g} m of water")


class TruckVisitStatus(StrEnum):
    """A truck at the gate."""

    IN = "in"
    OUT = "out"
