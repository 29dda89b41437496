"""The home page: the base at a glance, read from the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from landbridge.api.deps import UowDep
from landbridge.store import tables

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def overview(uow: UowDep) -> dict[str, Any]:
    """Figures for the home page, in one read transaction."""
    with uow:
        occupied = uow.containers.in_yard_by_block()
        blocks = []
        for row in uow.reference.all(tables.YardBlockRow, tables.YardBlockRow.code):
            ground = row["bays"] * row["rows"]
            capacity = ground * row["max_tiers_full"]
            used = occupied.get(row["code"], 0)
            blocks.append({**row, "ground_slots": ground, "capacity": capacity, "occupied": used,
                           "pct": round(100 * used / capacity, 1) if capacity else 0.0})
        silos = list(uow.reference.all(tables.SiloRow, tables.SiloRow.code))
        stock = uow.reference.silo_stock_kg()
        return {
            "berths": list(uow.reference.all(tables.BerthRow, tables.BerthRow.code)),
            "blocks": blocks,
            "ground_slots": sum(block["ground_slots"] for block in blocks),
            "tracks": list(uow.reference.all(tables.TrackRow, tables.TrackRow.code)),
            "routes": list(uow.reference.all(tables.RouteRow, tables.RouteRow.km)),
            "crossings": list(uow.reference.all(tables.CrossingRow, tables.CrossingRow.code)),
            "silo_count": len(silos),
            "silo_capacity_t": sum(s["capacity_kg"] for s in silos) / 1000,
            "silo_stock_t": sum(stock.values()) / 1000,
            "containers": uow.containers.count(),
            "open_holds": uow.reference.open_holds(),
        }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, uow: UowDep) -> HTMLResponse:
    """The base at a glance."""
    return TEMPLATES.TemplateResponse(request, "home.html", {"o": overview(uow)})
