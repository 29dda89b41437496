"""The seeded layout of the base: blocks with their occupancy, berths, crossings, routes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landbridge.store import tables
from landbridge.store.repositories import ReferenceRepository


def base_facts(session: Session) -> dict[str, Any]:
    """The seeded layout of the base: blocks, berths, crossings, routes."""
    occupied = dict(
        session.execute(select(tables.YardSlotRow.block, func.count()).group_by(tables.YardSlotRow.block)).all()
    )
    reference = ReferenceRepository(session)
    blocks = []
    for row in reference.all(tables.YardBlockRow, tables.YardBlockRow.code):
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
