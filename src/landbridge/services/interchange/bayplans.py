"""Bay plans: where each container sits on board a vessel call, and how that differs from the lists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from landbridge.domain.containers import PositionKind
from landbridge.store import tables
from landbridge.store.interchange_tables import BayplanCellRow, StowageInstructionRow
from landbridge.store.unit_of_work import UnitOfWork


def cells(uow: UnitOfWork, visit: str) -> list[BayplanCellRow]:
    """The bay plan of a call, by cell (inside an open unit of work)."""
    return list(
        uow.session.scalars(
            select(BayplanCellRow).where(BayplanCellRow.visit_reference == visit).order_by(BayplanCellRow.cell)
        )
    )


def discharge_list(uow: UnitOfWork, visit: str) -> set[str]:
    """The containers the hub expects to discharge from this call.

    The operations' vessel manifests (discharge list) when that service exists; else the
    containers the hub has on board this call.
    """
    try:
        from landbridge.services.interchange.ops_bridge import manifest_numbers

        listed = manifest_numbers(uow, visit, "discharge")
        if listed is not None:
            return listed
    except ImportError:  # pragma: no cover - the bridge is part of this package
        pass
    return {
        row.number
        for row in uow.session.scalars(
            select(tables.ContainerRow).where(
                tables.ContainerRow.position_kind == PositionKind.VESSEL.value,
                tables.ContainerRow.position_reference == visit,
            )
        )
    }


def differences(uow: UnitOfWork, visit: str) -> dict[str, Any]:
    """Bay plan vs discharge list for this port: boxes discharging here not listed, and listed boxes not on board."""
    here = {"CNLYG"}
    plan = cells(uow, visit)
    on_board_for_here = {row.container_number for row in plan if (row.port_of_discharge or "CNLYG") in here}
    listed = discharge_list(uow, visit)
    return {
        "in_bayplan_not_listed": sorted(on_board_for_here - listed),
        "listed_not_in_bayplan": sorted(listed - {row.container_number for row in plan}),
    }


def bayplan_view(uow: UnitOfWork, visit: str) -> dict[str, Any]:
    """The bay plan, its differences with the lists and the stowage instructions received (one read)."""
    with uow:
        plan = cells(uow, visit)
        instructions = list(
            uow.session.scalars(
                select(StowageInstructionRow)
                .where(StowageInstructionRow.visit_reference == visit)
                .order_by(StowageInstructionRow.id.desc())
            )
        )
        return {
            "visit": visit,
            "cells": [
                {
                    "cell": row.cell,
                    "bay": int(row.cell[:3]),
                    "row": int(row.cell[3:5]),
                    "tier": int(row.cell[5:]),
                    "container": row.container_number,
                    "iso_type": row.iso_type,
                    "load_state": row.load_state,
                    "vgm_kg": row.vgm_kg,
                    "port_of_loading": row.port_of_loading,
                    "port_of_discharge": row.port_of_discharge,
                }
                for row in plan
            ],
            "differences": differences(uow, visit),
            "stowage_instructions": [
                {
                    "document": row.document_number,
                    "received_at": row.received_at.isoformat(),
                    "instructions": row.instructions,
                }
                for row in instructions
            ],
        }
