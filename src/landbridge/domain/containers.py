"""Containers and where they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from landbridge.domain.errors import RuleViolation
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.iso_types import IsoSizeType, size_type

# Tare of a box whose gross mass is unknown (assumed, typical steel dry boxes), so mass limits still bind.
ASSUMED_TARE_KG = {20: 2_300, 40: 3_800, 45: 4_800}


def check_gross_mass(mass_kg: int | None, iso_type: str, field: str = "gross_mass_kg") -> None:
    """Refuse a gross mass of 0 or less, or above the ISO 668 rating of the box's size (422 at ``field``)."""
    if mass_kg is None:
        return
    limit = size_type(iso_type).max_gross_mass_kg
    if not 0 < mass_kg <= limit:
        raise RuleViolation(
            field, f"must be between 1 and {limit:,} kg (ISO 668 rating of a {iso_type}), got {mass_kg}"
        )


def mass_or_tare_kg(gross_mass_kg: int | None, iso_type: str) -> int:
    """Gross mass, or the assumed tare when none was declared."""
    if gross_mass_kg is not None:
        return gross_mass_kg
    return ASSUMED_TARE_KG[size_type(iso_type).length_ft]


class LoadState(StrEnum):
    """Empty or laden (DCSA: EMPTY / LADEN)."""

    EMPTY = "empty"
    FULL = "full"


class PositionKind(StrEnum):
    """The kinds of place a container can be in; exactly one at a time."""

    ANNOUNCED = "announced"
    VESSEL = "vessel"
    YARD = "yard"
    WAGON = "wagon"
    TRUCK = "truck"
    CFS = "cfs"
    DEPARTED = "departed"
    DELIVERED = "delivered"


@dataclass(frozen=True)
class Position:
    """Where a container is: the kind of place and its reference (slot, wagon, visit…)."""

    kind: PositionKind
    reference: str | None = None

    def describe(self) -> str:
        """Human-readable form such as ``yard A-03-02-1``."""
        return self.kind.value if self.reference is None else f"{self.kind.value} {self.reference}"


@dataclass
class Container:
    """A container known to the hub."""

    number: ContainerNumber
    iso_type: str
    load_state: LoadState = LoadState.EMPTY
    gross_mass_kg: int | None = None
    seals: list[str] = field(default_factory=list)
    reefer_setpoint_c: float | None = None
    booking_reference: str | None = None
    position: Position = field(default_factory=lambda: Position(PositionKind.ANNOUNCED))

    @property
    def size(self) -> IsoSizeType:
        """The decoded size-type."""
        return size_type(self.iso_type)

    @property
    def teu(self) -> float:
        """Twenty-foot equivalent units."""
        return self.size.teu
