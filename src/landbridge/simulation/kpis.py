"""Key performance indicators of one replication, as a JSON-ready tree of rounded numbers.

Only the window [0, horizon) counts; the warm-up fills the yard and the corridor but is not
reported. Floats are rounded to 4 decimals so kpis.json is byte-identical for the same seed.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from landbridge.simulation.processes.hub import DAYS_PER_YEAR, HOURS_PER_DAY, HubTwin

DECIMALS = 4


def rounded(value: Any) -> Any:
    """Round every float in a tree; NaN and infinities become None (JSON has neither)."""
    if isinstance(value, dict):
        return {str(key): rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(item) for item in value]
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return None
        result = round(number, DECIMALS)
        return 0.0 if result == 0 else result
    if isinstance(value, np.integer):
        return int(value)
    return value


def summary(values: list[float] | np.ndarray) -> dict[str, float]:
    """Count, mean, P50, P90 and max of a sample (zeros when empty)."""
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        return {"count": 0, "mean": 0.0, "p50": 0.0, "p90": 0.0, "max": 0.0}
    p50, p90 = np.percentile(array, [50, 90])
    return {
        "count": int(array.size),
        "mean": float(array.mean()),
        "p50": float(p50),
        "p90": float(p90),
        "max": float(array.max()),
    }


def compute_kpis(twin: HubTwin) -> dict[str, Any]:
    """All KPIs of a finished replication."""
    records = twin.records
    horizon_h = twin.horizon_h
    per_year = DAYS_PER_YEAR / twin.days

    def in_window(time_h: float) -> bool:
        return 0.0 <= time_h < horizon_h

    west = [t for t in records.trains if t.direction == "west" and in_window(t.base_h)]
    east = [t for t in records.trains if t.direction == "east" and in_window(t.base_h)]
    west_teu = sum(t.teu for t in west)
    east_teu = sum(t.teu for t in east)
    per_destination: dict[str, dict[str, float]] = defaultdict(
        lambda: {"west_trains": 0, "east_trains": 0, "west_teu": 0, "east_teu": 0}
    )
    for train in west:
        per_destination[train.route]["west_trains"] += 1
        per_destination[train.route]["west_teu"] += train.teu
    for train in east:
        per_destination[train.route]["east_trains"] += 1
        per_destination[train.route]["east_teu"] += train.teu

    gate_in = sum(teu for time_h, teu, inbound in records.gate_moves if inbound and in_window(time_h))
    gate_out = sum(teu for time_h, teu, inbound in records.gate_moves if not inbound and in_window(time_h))
    gate_trucks = sum(1 for time_h, _, _ in records.gate_moves if in_window(time_h))

    ships = [ship for ship in records.ships if in_window(ship.start_h)]
    sea_discharge_teu = sum(box.teu for ship in ships for box in ship.discharge)
    berth_waits = [ship.start_h - ship.arrival_h for ship in ships]

    dwell: dict[str, list[float]] = defaultdict(list)
    for box in records.boxes:
        if box.yard_in_h is not None and box.yard_out_h is not None and in_window(box.yard_out_h):
            dwell[box.category].append((box.yard_out_h - box.yard_in_h) / HOURS_PER_DAY)

    border: dict[str, dict[str, Any]] = {}
    for code in twin.crossings:
        border[code] = {}
        for direction in ("west", "east"):
            waits = [
                t.border_wait_h
                for t in records.trains
                if t.crossing == code and t.direction == direction and in_window(t.border_arrival_h)
            ]
            border[code][direction] = {"trains": len(waits), "wait_h": summary(waits)}

    delays_h = [t.base_h - t.scheduled_h for t in west]
    transit_days = [(t.end_h - t.base_h) / HOURS_PER_DAY for t in west if not math.isnan(t.end_h)]
    resource_waits = {name: summary(waits) for name, waits in twin.resource_waits_h().items()}
    resource_waits["gate_lane"] = summary(records.gate_waits_h)

    yard = yard_occupancy(twin)
    grain_received = sum(t for time_h, t in records.grain_received if in_window(time_h))
    grain_shipped = sum(t for start, _, t in records.grain_ships if in_window(start))
    trains_per_week = Counter(int(t.base_h // (7 * HOURS_PER_DAY)) for t in west + east)

    rail_teu = west_teu + east_teu
    kpis: dict[str, Any] = {
        "run": {
            "scenario": twin.scenario.scenario,
            "seed": twin.streams.seed,
            "days": twin.days,
            "warmup_days": -twin.start_h / HOURS_PER_DAY,
            "events": twin.engine.events,
            "from_initial_state": twin.initial_state is not None,
        },
        "teu": {
            "rail": {"west": west_teu, "east": east_teu, "total": rail_teu},
            "sea": {
                "discharged_for_rail_via_yard": sea_discharge_teu,
                "discharged_for_rail_direct": sum(ship.direct_teu for ship in ships),
                "loaded_from_rail": sum(ship.load_teu for ship in ships),
            },
            "gate": {
                "in": gate_in,
                "out": gate_out,
                "total": gate_in + gate_out,
                "trucks": gate_trucks,
                "trucks_per_hour": gate_trucks / max(horizon_h, 1e-9),
            },
        },
        "trains": {
            "west": len(west),
            "east": len(east),
            "total": len(west) + len(east),
            "per_destination": dict(sorted(per_destination.items())),
            "departure_delay_h": summary(delays_h),
            "transit_days_west": summary(transit_days),
            "per_week": [trains_per_week.get(week, 0) for week in range(math.ceil(twin.days / 7))],
        },
        "ship_calls": {"container": len(ships), "grain": sum(1 for s in records.grain_ships if in_window(s[0]))},
        "utilisation": {**twin.utilisation(), "quay_cranes": _quay_crane_utilisation(twin)},
        "queue_waits_h": dict(sorted({**resource_waits, "berth": summary(berth_waits)}.items())),
        "dwell_days": {category: summary(values) for category, values in sorted(dwell.items())},
        "border": border,
        "grain": {
            "received_t": grain_received,
            "shipped_t": grain_shipped,
            "silo_peak_t": max((s for _, s in records.silo_stock), default=0.0),
            "silo_capacity_t": twin.scenario.grain.total_capacity_t,
        },
        "yard": yard,
        "late_boxes": records.late_boxes,
        "calibration": {
            "rail_teu_per_year": rail_teu * per_year,
            "trains_per_year": (len(west) + len(east)) * per_year,
            "west_east_teu_ratio": west_teu / east_teu if east_teu else 0.0,
            "gate_moves_teu_per_year": (gate_in + gate_out) * per_year,
        },
    }
    result: dict[str, Any] = rounded(kpis)
    return result


def _quay_crane_utilisation(twin: HubTwin) -> float:
    """Crane-hours worked over crane-hours available at the container berths."""
    horizon_h = twin.horizon_h
    worked = 0.0
    for ship in twin.records.ships:
        if math.isnan(ship.start_h) or math.isnan(ship.end_h):
            continue
        overlap = max(0.0, min(ship.end_h, horizon_h) - max(ship.start_h, 0.0))
        worked += overlap * twin.berth_cranes[ship.berth]
    available = sum(twin.berth_cranes.values()) * horizon_h
    return worked / available if available else 0.0


def yard_occupancy(twin: HubTwin) -> dict[str, Any]:
    """TEU in the yard sampled through the run, against the stacking capacity of full boxes."""
    boxes = [box for box in twin.records.boxes if box.yard_in_h is not None]
    ins = np.array([box.yard_in_h for box in boxes], dtype=float)
    outs = np.array([box.yard_out_h if box.yard_out_h is not None else math.inf for box in boxes], dtype=float)
    teu = np.array([box.teu for box in boxes], dtype=float)
    step_h = twin.params.yard_sample_h
    samples = np.arange(0.0, twin.horizon_h + 1e-9, step_h)
    order_in = np.argsort(ins, kind="stable")
    order_out = np.argsort(outs, kind="stable")
    cum_in = np.concatenate([[0.0], np.cumsum(teu[order_in])])
    cum_out = np.concatenate([[0.0], np.cumsum(teu[order_out])])
    occupancy = (
        cum_in[np.searchsorted(ins[order_in], samples, side="right")]
        - cum_out[np.searchsorted(outs[order_out], samples, side="right")]
    )
    capacity = sum(block.bays * block.rows * block.max_tiers_full for block in twin.scenario.base.yard.blocks)
    stats = summary(occupancy)
    return {
        "capacity_teu": capacity,
        "occupancy_teu": stats,
        "peak_share_of_capacity": stats["max"] / capacity if capacity else 0.0,
        "sample_h": step_h,
        "series_teu": [float(value) for value in occupancy],
    }
