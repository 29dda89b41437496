"""Containers and where they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.iso_types import IsoSizeType, size_type

# ISO 668 gave 30,480 kg for a 1AAA/1CC box; later editions raise it. Kept configurable per type.
DEFAULT_MAX_GROSS_MASS_KG = 32_500


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
