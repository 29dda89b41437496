"""Grain: silos and the lots stored in them, mass to the kilogram."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Silo:
    """A silo bin: capacity, and whether owners/crops may be mixed in it."""

    code: str
    capacity_kg: int
    allow_mixing: bool = False


@dataclass
class GrainLot:
    """A lot of grain owned by one party: crop, class, mass and moisture."""

    reference: str
    owner_code: str
    crop: str
    grain_class: str
    mass_kg: int
    moisture_pct: float
    silo_code: str | None = None
