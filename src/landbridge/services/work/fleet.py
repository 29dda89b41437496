"""The fleet: every machine of the scenario as an equipment row, and its view for the API.

Codes: ``STS-<berth>-<n>`` quay cranes, ``RMG<n>`` rail-mounted gantries, ``RS<n>`` reach stackers,
``TT<n>`` terminal tractors, ``GL<n>`` grain gear. Pools (assumed layout, see ``docs/equipment.md``):
a crane works its berth; the gantries span half the loading tracks each (so every track has
several) and every yard block; reach stackers go anywhere in the yard, the tracks and the gate;
tractors run between every berth and block; grain gear works the grain berth.
"""

from __future__ import annotations

from typing import Any

from landbridge.domain.equipment import KIND_ATTRIBUTES, BasePlan, EquipmentKind
from landbridge.domain.events import as_utc
from landbridge.scenarios.model import Scenario
from landbridge.store import tables


def base_plan(scenario: Scenario) -> BasePlan:
    """The schematic plan of this scenario's base."""
    return BasePlan(
        berths=tuple(b.code for b in scenario.port.berths),
        blocks=tuple(b.code for b in scenario.base.yard.blocks),
        tracks=tuple(t.code for t in scenario.base.rail.loading_tracks),
    )


def _row(code: str, kind: EquipmentKind, moves_per_h: float, pools: list[str]) -> tables.EquipmentRow:
    attributes = KIND_ATTRIBUTES[kind]
    return tables.EquipmentRow(
        code=code,
        kind=kind.value,
        moves_per_h=moves_per_h,
        pools=pools,
        allowed_lengths_ft=list(attributes.allowed_lengths_ft),
        max_lift_kg=attributes.max_lift_kg,
        twin_lift=attributes.twin_lift,
    )


def fleet_rows(scenario: Scenario) -> list[tables.EquipmentRow]:
    """Every machine of the scenario with its pools and its kind's attributes (status and position kept)."""
    blocks = [f"block:{b.code}" for b in scenario.base.yard.blocks]
    tracks = [f"track:{t.code}" for t in scenario.base.rail.loading_tracks]
    berths = [f"berth:{b.code}" for b in scenario.port.berths if b.purpose == "container"]
    half = max(1, (len(tracks) + 1) // 2)
    rail = scenario.base.rail
    rows = [
        _row(f"STS-{b.code}-{i + 1}", EquipmentKind.QUAY_CRANE, scenario.port.sts_moves_per_h, [f"berth:{b.code}"])
        for b in scenario.port.berths
        for i in range(b.quay_cranes)
    ]
    rows += [
        _row(
            f"RMG{i + 1}",
            EquipmentKind.RAIL_MOUNTED_GANTRY,
            rail.rail_mounted_gantries.moves_per_h,
            tracks[(i % 2) * half : (i % 2) * half + half] + blocks,
        )
        for i in range(rail.rail_mounted_gantries.count)
    ]
    rows += [
        _row(f"RS{i + 1}", EquipmentKind.REACH_STACKER, rail.reach_stackers.moves_per_h, [*blocks, *tracks, "gate"])
        for i in range(rail.reach_stackers.count)
    ]
    tractors = scenario.port.terminal_tractors
    if tractors is not None:
        rows += [
            _row(f"TT{i + 1}", EquipmentKind.TERMINAL_TRACTOR, tractors.moves_per_h, [*berths, *blocks])
            for i in range(tractors.count)
        ]
    loaders = scenario.grain.loaders
    if loaders is not None:
        rows += [
            _row(f"GL{i + 1}", EquipmentKind.GRAIN_LOADER, loaders.moves_per_h, [f"berth:{scenario.grain.berth}"])
            for i in range(loaders.count)
        ]
    return rows


def machine_view(row: tables.EquipmentRow, plan: BasePlan) -> dict[str, Any]:
    """The JSON answer describing a machine."""
    x_m, y_m = position_of(row, plan)
    return {
        "code": row.code,
        "kind": row.kind,
        "pools": list(row.pools or []),
        "moves_per_h": row.moves_per_h,
        "allowed_lengths_ft": list(row.allowed_lengths_ft or []),
        "max_lift_kg": row.max_lift_kg,
        "twin_lift": row.twin_lift,
        "status": row.status,
        "status_reason": row.status_reason,
        "status_since": None if row.status_since is None else as_utc(row.status_since).isoformat(),
        "position": row.position or (row.pools[0] if row.pools else None),
        "x_m": x_m,
        "y_m": y_m,
        "driver": row.driver,
    }


def position_of(row: tables.EquipmentRow, plan: BasePlan) -> tuple[float, float]:
    """Where the machine stands: where it last worked, else the first of its pools on the plan."""
    if row.position is not None:
        return row.x_m, row.y_m
    return plan.point(row.pools[0] if row.pools else "gate")
