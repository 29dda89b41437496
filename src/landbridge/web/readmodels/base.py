"""The seeded layout of the base: blocks with their occupancy, berths, crossings, routes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from landbridge.store import tables
from landbridge.store.repositories import ReferenceRepository, YardRepository


def base_facts(session: Session, with_yard: bool = True) -> dict[str, Any]:
    """The seeded layout of the base: blocks (with their occupancy, only ``with_yard``), berths, crossings, routes.

    Berths, crossings and routes are public master data (as ``/api/v1/berths`` and the like); how full
    each block is belongs to those who may read the yard.
    """
    occupied = YardRepository(session).occupied_positions_by_block() if with_yard else {}
    reference = ReferenceRepository(session)
    blocks = []
    for row in reference.all(tables.YardBlockRow, tables.YardBlockRow.code) if with_yard else []:
        ground = row["bays"] * row["rows"]
        capacity = ground * row["max_tiers_full"]
        used = int(occupied.get(row["code"], 0))
        blocks.append(
            {
                **row,
                "ground_slots": ground,
                "capacity": capacity,
                "occupied": used,
                "pct": round(100 * used / capacity, 1) if capacity else 0.0,
            }
        )
    return {
        "blocks": blocks,
        "ground_slots": sum(block["ground_slots"] for block in blocks),
        "berths": reference.all(tables.BerthRow, tables.BerthRow.code),
        "crossings": reference.all(tables.CrossingRow, tables.CrossingRow.code),
        "routes": reference.all(tables.RouteRow, tables.RouteRow.km),
    }
