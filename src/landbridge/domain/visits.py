"""Vessel visits, berths, equipment and the gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from landbridge.domain.errors import RuleViolation
from landbridge.domain.identifiers import IMONumber


@dataclass(frozen=True)
class Berth:
    """A berth of the port the base serves."""

    code: str
    terminal: str
    length_m: float
    depth_m: float
    quay_cranes: int


class VesselVisitStatus(StrEnum):
    """Life of a vessel call."""

    ANNOUNCED = "announced"
    BERTHED = "berthed"
    DEPARTED = "departed"


@dataclass
class VesselVisit:
    """One call of a ship: expected and actual times, the berth it got."""

    reference: str
    vessel_name: str
    imo_number: IMONumber | None
    eta: datetime
    etb: datetime | None = None
    etd: datetime | None = None
    berth_code: str | None = None
    status: VesselVisitStatus = VesselVisitStatus.ANNOUNCED


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


class EquipmentKind(StrEnum):
    """Handling equipment of the base and port."""

    QUAY_CRANE = "quay_crane"
    RAIL_MOUNTED_GANTRY = "rail_mounted_gantry"
    REACH_STACKER = "reach_stacker"


@dataclass(frozen=True)
class Equipment:
    """A crane or vehicle and its nominal rate."""

    code: str
    kind: EquipmentKind
    moves_per_h: float


class TruckVisitStatus(StrEnum):
    """A truck at the gate."""

    IN = "in"
    OUT = "out"


@dataclass
class TruckVisit:
    """A truck visit: licence plate, what it picks up or drops off."""

    reference: str
    plate: str
    status: TruckVisitStatus = TruckVisitStatus.IN
