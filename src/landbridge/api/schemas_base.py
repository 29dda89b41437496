"""Response models of the base's master data and of the health check.

Each model names every column of its table; ``extra="allow"`` keeps a column added later in the
answer until its field is named here too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Row(BaseModel):
    model_config = ConfigDict(extra="allow")


class BerthOut(_Row):
    """A berth of the port."""

    code: str
    terminal: str
    length_m: float
    depth_m: float
    quay_cranes: int
    purpose: str = Field(description="container, bulk, grain…")


class YardBlockOut(_Row):
    """A yard block with its capacity and how full it is now."""

    code: str
    bays: int
    rows: int
    max_tiers_full: int
    max_tiers_empty: int
    reefer_plugs: int
    dangerous_goods: bool
    ground_slots: int = Field(description="bays × rows")
    capacity_slots: int = Field(description="ground slots × full-container tiers")
    occupied_slots: int
    occupancy_pct: float


class TrackOut(_Row):
    """A loading track of the rail terminal."""

    code: str
    length_m: float
    gauge_mm: int


class RouteOut(_Row):
    """A rail route from the base."""

    code: str
    destination: str
    country: str
    km: float
    transit_days: float
    transit_days_p10: float
    transit_days_p90: float
    crossing_code: str
    lat: float
    lon: float


class CrossingOut(_Row):
    """A border crossing where the gauge changes."""

    code: str
    name: str
    methods: list[str] = Field(description="how the gauge change is done there")
    train_handling_h: float
    trains_per_day: float
    eastbound_trains_per_day: float
    lat: float
    lon: float


class SiloOut(_Row):
    """A silo bin with its capacity and stock."""

    code: str
    capacity_kg: int
    allow_mixing: bool
    stock_kg: int


class DependencyOut(BaseModel):
    """One thing the app needs to answer: ``up`` or ``down`` and, when down, why."""

    status: Literal["up", "down"]
    backend: str
    reason: str | None = None


class HealthOut(BaseModel):
    """``ok`` when every dependency is up (200), ``unavailable`` otherwise (503 with ``Retry-After``)."""

    status: Literal["ok", "unavailable"] = Field(examples=["ok"])
    version: str
    database: str = Field(description="sqlite or postgresql")
    dependencies: dict[str, DependencyOut]
