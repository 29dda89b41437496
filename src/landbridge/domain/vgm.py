"""SOLAS VI/2 verified gross mass (VGM): what a valid declaration is and when a box may go on a ship.

Since 1 July 2016 a packed container is not loaded on a ship without a VGM, obtained by weighing the
packed box (method 1) or by weighing its contents and adding the tare (method 2), and signed by a
named person of the shipper. The hub also refuses a VGM that disagrees with the box's declared gross
mass by more than a tolerance: one of the two is wrong, and the stowage plan rests on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from landbridge.domain.errors import RuleViolation
from landbridge.domain.iso_types import size_type

# Assumed: 5 % of the declared gross mass, the tolerance several administrations use for VGM checks.
VGM_TOLERANCE_PCT = 5.0


class VgmMethod(IntEnum):
    """SOLAS VI/2.4: how the mass was obtained."""

    WEIGHED_PACKED = 1
    CONTENTS_PLUS_TARE = 2


@dataclass(frozen=True)
class Vgm:
    """A verified gross mass as declared."""

    container: str
    mass_kg: int
    method: VgmMethod
    verified_by: str
    verified_at: datetime


def check_vgm_mass(mass_kg: int, iso_type: str, field: str = "mass_kg") -> None:
    """Refuse a VGM of 0 or less, or above the ISO 668 rating of the box's size type (422 at ``field``)."""
    limit = size_type(iso_type).max_gross_mass_kg
    if mass_kg <= 0:
        raise RuleViolation(field, "a verified gross mass must be above 0 kg")
    if mass_kg > limit:
        raise RuleViolation(field, f"{mass_kg:,} kg is above the ISO 668 rating of a {iso_type} ({limit:,} kg)")


def within_tolerance(vgm_kg: int, declared_kg: int, tolerance_pct: float = VGM_TOLERANCE_PCT) -> bool:
    """Whether the VGM agrees with the declared gross mass within the tolerance (of the declared mass)."""
    return abs(vgm_kg - declared_kg) <= declared_kg * tolerance_pct / 100


def check_loadable_on_vessel(
    container: str, laden: bool, declared_kg: int | None, vgm: Vgm | None, field: str = "container"
) -> None:
    """SOLAS VI/2: a packed box needs a VGM, within tolerance of its declared gross mass, to go on a ship."""
    if not laden:
        return  # the regulation covers packed containers; an empty box travels on its tare
    if vgm is None:
        raise RuleViolation(field, f"{container} has no verified gross mass (SOLAS VI/2); post its VGM first")
    if declared_kg is not None and not within_tolerance(vgm.mass_kg, declared_kg):
        raise RuleViolation(
            field,
            f"{container}: VGM {vgm.mass_kg:,} kg differs from the declared gross mass {declared_kg:,} kg by more "
            f"than {VGM_TOLERANCE_PCT:g} %; correct the declaration or post a new VGM",
        )
