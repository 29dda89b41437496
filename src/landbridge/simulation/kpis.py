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

    ran = [t for t in records.trains if not t.cancelled]
    west = [t for t in ran if t.direction == "west" and in_window(t.base_h)]
    east = [t for t in ran if t.direction == "east" and in_window(t.base_h)]
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
    cancelled = Counter(
        f"{t.direction}_{t.cancelled}" for t in records.trains if t.cancelled and in_window(t.scheduled_h)
    )

    gate_in = sum(teu for time_h, teu, inbound in records.gate_moves if inbound and in_window(time_h))
    gate_out = sum(teu for time_h, teu, inbound in records.gate_moves if not inbound and in_window(time_h))
    gate_trucks = sum(1 for time_h, _, _ in records.gate_moves if in_window(time_h))
    by_hour = Counter(int(time_h % 24) for time_h, _, _ in records.gate_moves if in_window(time_h))
    by_hour_of_run = Counter(int(time_h) for time_h, _, _ in records.gate_moves if in_window(time_h))

    ships = [ship for ship in records.ships if in_window(ship.start_h)]
    sea_discharge_teu = sum(box.teu for ship in ships for box in ship.discharge)
    berth_waits = [ship.start_h - ship.arrival_h for ship in ships]

    dwell: dict[str, list[float]] = defaultdict(list)
    for box in records.boxes:
        if box.yard_in_h is not None and box.yard_out_h is not None and in_window(box.yard_out_h):
            dwell[box.category].append((box.yard_out_h - box.yard_in_h) / HOURS_PER_DAY)

    delays_h = [t.base_h - t.scheduled_h for t in west]
    transit_days = [(t.end_h - t.base_h) / HOURS_PER_DAY for t in west if not math.isnan(t.end_h)]
    resource_waits = {name: summary(waits) for name, waits in twin.resource_waits_h().items()}
    resource_waits["gate_lane"] = summary(records.gate_waits_h)

    yard = yard_occupancy(twin)
    grain_received = sum(t for time_h, t in records.grain_received if in_window(time_h))
    grain_shipped = sum(t for start, _, t in records.grain_ships if in_window(start))
    trains_per_week = Counter(int(t.base_h // (7 * HOURS_PER_DAY)) for t in west + east)

    def teu_in(rows: list[tuple[float, int, str]] | list[tuple[float, int]]) -> int:
        return sum(row[1] for row in rows if in_window(row[0]))

    booked_teu = teu_in(records.bookings)
    refused_bookings_teu = teu_in(records.bookings_refused)
    gate_refused = [row for row in records.gate_refused if in_window(row[0])]
    refused_rail_teu = sum(teu for _, teu, category in gate_refused if category == "road_to_rail")
    refused_teu = sum(teu for _, teu, _ in gate_refused)
    left_behind = [row for row in records.left_behind if in_window(row[0])]
    waiting_teu = sum(desk.waiting_teu for desk in twin.desks.values())
    rerouted = [t for t in west if t.rerouted]
    capacity = twin.train_type.teu
    days = math.ceil(twin.days)
    refused_per_day = [0.0] * days
    for time_h, teu, _ in gate_refused:
        refused_per_day[min(days - 1, int(time_h // HOURS_PER_DAY))] += teu
    for time_h, teu in records.sea_diverted:
        if in_window(time_h):
            refused_per_day[min(days - 1, int(time_h // HOURS_PER_DAY))] += teu

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
                "discharged_for_rail": sea_discharge_teu,
                "direct_ship_to_train": teu_in(records.direct_teu),
                "loaded_from_rail": sum(ship.load_teu for ship in ships),
            },
            "gate": {
                "in": gate_in,
                "out": gate_out,
                "total": gate_in + gate_out,
                "trucks": gate_trucks,
                "trucks_per_hour": gate_trucks / max(horizon_h, 1e-9),
                "peak_hour_trucks": max(by_hour_of_run.values(), default=0),
                "trucks_by_hour_of_day": [by_hour.get(hour, 0) / max(twin.days, 1e-9) for hour in range(24)],
                "appointments_moved": twin.appointments.shifted,
            },
        },
        "trains": {
            "west": len(west),
            "east": len(east),
            "total": len(west) + len(east),
            "cancelled": dict(sorted(cancelled.items())),
            "cancelled_total": sum(cancelled.values()),
            "rerouted": len(rerouted),
            "rerouted_extra_km": sum(t.extra_km for t in rerouted),
            "per_destination": dict(sorted(per_destination.items())),
            "departure_delay_h": summary(delays_h),
            "hold_for_boxes_h": summary([t.hold_for_boxes_h for t in west]),
            "held_at_base_h": summary([t.held_at_base_h for t in west]),
            "formation_wait_h": summary([t.formation_wait_h for t in west]),
            "load_factor_west": summary([t.teu / capacity for t in west]),
            "transit_days_west": summary(transit_days),
            "per_week": [trains_per_week.get(week, 0) for week in range(math.ceil(twin.days / 7))],
        },
        "demand": {
            "booked_teu": booked_teu,
            "carried_west_teu": west_teu,
            "bookings_refused_teu": refused_bookings_teu,
            "refused_at_gate_teu": refused_rail_teu,
            "unmet_teu": refused_bookings_teu + refused_rail_teu,
            "boxes_left_behind": len(left_behind),
            "teu_left_behind": sum(teu for _, teu, _ in left_behind),
            "waiting_at_end_teu": waiting_teu,
        },
        "ship_calls": {"container": len(ships), "grain": sum(1 for s in records.grain_ships if in_window(s[0]))},
        "utilisation": {**twin.utilisation(), "quay_cranes": _quay_crane_utilisation(twin)},
        "queue_waits_h": dict(sorted({**resource_waits, "berth": summary(berth_waits)}.items())),
        "dwell_days": {category: summary(values) for category, values in sorted(dwell.items())},
        "border": _border(twin),
        "wagons": _wagons(twin),
        "grain": {
            "received_t": grain_received,
            "shipped_t": grain_shipped,
            "silo_peak_t": max((s for _, s in records.silo_stock), default=0.0),
            "silo_capacity_t": twin.scenario.grain.total_capacity_t,
        },
        "yard": {
            **yard,
            "refused_teu": refused_teu,
            "sea_diverted_teu": teu_in(records.sea_diverted),
            "refused_teu_per_day": refused_per_day,
        },
        "late_boxes": len(left_behind),
        "calibration": {
            "rail_teu_per_year": rail_teu * per_year,
            "trains_per_year": (len(west) + len(east)) * per_year,
            "west_east_teu_ratio": west_teu / east_teu if east_teu else 0.0,
            "gate_moves_teu_per_year": (gate_in + gate_out) * per_year,
        },
    }
    result: dict[str, Any] = rounded(kpis)
    return result


def _border(twin: HubTwin) -> dict[str, Any]:
    """Per crossing and direction: the base's trains and waits, the whole queue, and Little's law inputs."""
    horizon_h = twin.horizon_h
    border: dict[str, Any] = {}
    for (code, direction), lane in sorted(twin.lanes.items()):
        base_waits = [
            t.border_wait_h
            for t in twin.records.trains
            if t.crossing == code
            and t.direction == direction
            and 0.0 <= t.border_arrival_h < horizon_h
            and not math.isnan(t.border_wait_h)  # still queueing at the end of the run
        ]
        passages = [(arrived, wait) for arrived, wait, _ in lane.passages if 0.0 <= arrived < horizon_h]
        all_waits = [wait for _, wait in passages]
        border.setdefault(code, {})[direction] = {
            "trains": len(base_waits),
            "wait_h": summary(base_waits),
            "all_trains": len(all_waits),
            "all_wait_h": summary(all_waits),
            "arrivals_per_day": len(all_waits) / max(twin.days, 1e-9),
            "mean_queue_trains": lane.interchange.mean_queue_length(),
            "max_queue_trains": lane.max_queue,
            "utilisation": lane.interchange.utilisation(),
            "capacity_trains_per_day": lane.capacity_per_day,
            "background_trains_per_day": lane.background_per_day,
            "background_held_upstream": lane.background_held_upstream,
            "closed_days": sum(max(0.0, min(e, horizon_h) - max(b, 0.0)) for b, e in lane.closures) / HOURS_PER_DAY,
            "series_queue_trains": twin.records.border_queue.get((code, direction), []),
        }
    return border


def _wagons(twin: HubTwin) -> dict[str, Any]:
    """Wagon days in use and shortages per fleet (only fleets the scenario sizes)."""
    result: dict[str, Any] = {}
    for pool in (twin.wagons_1435, *twin.wagons_1520.values()):
        if not pool.modelled:
            continue
        in_use_days = pool.wagon_days_in_use()
        result[pool.name] = {
            "fleet": pool.size,
            "wagon_days_in_use": in_use_days,
            "utilisation": in_use_days / (pool.size * twin.days) if pool.size else 0.0,
            "shortages": len(pool.shortage_waits_h),
            "shortage_wait_h": summary(pool.shortage_waits_h),
        }
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
    """TEU and ground-slot share in the yard sampled through the run, against capacity."""
    waiting = [box for desk in twin.desks.values() for box in desk.waiting]
    boxes = [box for box in (*twin.records.boxes, *waiting) if box.yard_in_h is not None]
    ins = np.array([box.yard_in_h for box in boxes], dtype=float)
    outs = np.array([box.yard_out_h if box.yard_out_h is not None else math.inf for box in boxes], dtype=float)
    teu = np.array([box.teu for box in boxes], dtype=float)
    slots = np.array([twin.yard.slots_of(box.teu, box.empty) for box in boxes], dtype=float)
    step_h = twin.params.yard_sample_h
    samples = np.arange(0.0, twin.horizon_h + 1e-9, step_h)
    occupancy = _level(ins, outs, teu, samples)
    slot_share = _level(ins, outs, slots, samples) / twin.yard.ground_slots
    capacity = sum(block.bays * block.rows * block.max_tiers_full for block in twin.scenario.base.yard.blocks)
    stats = summary(occupancy)
    # time-average TEU and throughput × mean dwell over the window (Little's law, L = λW, on the yard)
    in_window_h = np.clip(np.minimum(outs, twin.horizon_h) - np.maximum(ins, 0.0), 0.0, None)
    return {
        "capacity_teu": capacity,
        "occupancy_teu": stats,
        "peak_share_of_capacity": stats["max"] / capacity if capacity else 0.0,
        "ground_slot_share": summary(slot_share),
        "working_limit_share": twin.params.yard_working_fill,
        "teu_hours_in_window": float((in_window_h * teu).sum()),
        "sample_h": step_h,
        "series_teu": [float(value) for value in occupancy],
        "series_slot_share": [float(value) for value in slot_share],
    }


def _level(ins: np.ndarray, outs: np.ndarray, weights: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """Sum of weights of the items present at each sample time (in ≤ t < out)."""
    order_in = np.argsort(ins, kind="stable")
    order_out = np.argsort(outs, kind="stable")
    cum_in = np.concatenate([[0.0], np.cumsum(weights[order_in])])
    cum_out = np.concatenate([[0.0], np.cumsum(weights[order_out])])
    result: np.ndarray = (
        cum_in[np.searchsorted(ins[order_in], samples, side="right")]
        - cum_out[np.searchsorted(outs[order_out], samples, side="right")]
    )
    return result
