"""Read endpoints for the seeded master data of the base, port and corridor."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from landbridge.api.deps import UowDep
from landbridge.api.schemas_base import BerthOut, CrossingOut, RouteOut, SiloOut, TrackOut, YardBlockOut
from landbridge.store import tables

router = APIRouter(prefix="/api/v1", tags=["base"])


@router.get("/berths", response_model=list[BerthOut])
def list_berths(uow: UowDep) -> list[dict[str, Any]]:
    """Berths of the port the base serves."""
    with uow:
        return uow.reference.all(tables.BerthRow, tables.BerthRow.code)


@router.get("/yard/blocks", response_model=list[YardBlockOut])
def list_yard_blocks(uow: UowDep) -> list[dict[str, Any]]:
    """Yard blocks with capacity and current occupancy, both in 20 ft positions × tiers (a 40 ft box counts two)."""
    with uow:
        occupied = uow.yard.occupied_positions_by_block()
        result = []
        for block in uow.reference.all(tables.YardBlockRow, tables.YardBlockRow.code):
            block["ground_slots"] = block["bays"] * block["rows"]
            block["capacity_slots"] = block["ground_slots"] * block["max_tiers_full"]
            block["occupied_slots"] = occupied.get(block["code"], 0)
            block["occupancy_pct"] = round(100 * block["occupied_slots"] / block["capacity_slots"], 1)
            result.append(block)
        return result


@router.get("/tracks", response_model=list[TrackOut])
def list_tracks(uow: UowDep) -> list[dict[str, Any]]:
    """Loading tracks of the base."""
    with uow:
        return uow.reference.all(tables.TrackRow, tables.TrackRow.code)


@router.get("/routes", response_model=list[RouteOut])
def list_routes(uow: UowDep) -> list[dict[str, Any]]:
    """Rail routes from the base, with distance, transit time and border crossing."""
    with uow:
        return uow.reference.all(tables.RouteRow, tables.RouteRow.km)


@router.get("/crossings", response_model=list[CrossingOut])
def list_crossings(uow: UowDep) -> list[dict[str, Any]]:
    """Border crossings where the gauge changes."""
    with uow:
        return uow.reference.all(tables.CrossingRow, tables.CrossingRow.code)


@router.get("/silos", response_model=list[SiloOut])
def list_silos(uow: UowDep) -> list[dict[str, Any]]:
    """Silo bins with capacity and stock."""
    with uow:
        stock = uow.reference.silo_stock_kg()
        result = []
        for silo in uow.reference.all(tables.SiloRow, tables.SiloRow.code):
            silo["stock_kg"] = stock.get(silo["code"], 0)
            result.append(silo)
        return result
