"""The report figures, each a pure function of event records (times are ``occurred_at``).

Buckets are calendar days, ISO weeks or months in hub time. Percentiles use the nearest-rank method
(P90 of n values is the ⌈0.9·n⌉-th smallest), so every figure is one of the measured values.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

GRANULARITIES = ("day", "week", "month")
MODE_IN = {"container.discharged": "sea", "container.unloaded_wagon": "rail", "container.gate_in": "road"}
MODE_OUT = {"container.loaded_vessel": "sea", "container.loaded_wagon": "rail", "container.gate_out": "road"}
HOLD_PLACED = ("customs.hold_placed", "hold.placed")
HOLD_RELEASED = ("customs.hold_released", "hold.released")


@dataclass(frozen=True)
class Record:
    """One event as the reports read it."""

    event_id: int
    event_type: str
    subject_type: str
    subject_id: str
    occurred_at: datetime
    after: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Timetabled:
    """A weekly timetable slot of a route (hub time), for punctuality."""

    route: str
    direction: str
    weekdays: frozenset[int]  # 0 = Monday
    hour: int
    minute: int


def bucket(moment: datetime, granularity: str, zone: ZoneInfo) -> str:
    """The bucket a moment falls in: ``2026-11-03``, ``2026-W45`` or ``2026-11`` (hub time)."""
    return _bucket_of_day(moment.astimezone(zone).date(), granularity)


def bucket_of_day(day: date, granularity: str) -> str:
    """The bucket's name for a hub-time calendar day (a day the database counted by)."""
    return _bucket_of_day(day, granularity)


@lru_cache(maxsize=4096)
def _bucket_of_day(day: date, granularity: str) -> str:
    """The bucket's name for a hub-time calendar day (named once per day: reports bucket many events)."""
    if granularity == "day":
        return day.strftime("%Y-%m-%d")
    if granularity == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.strftime("%Y-%m")


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def throughput(
    records: Iterable[Record], teu: Mapping[str, float], granularity: str, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Boxes and TEU in and out by mode per bucket; grain tonnes received and shipped."""
    records = list(records)
    moves = (
        (record.occurred_at.astimezone(zone).date(), record.event_type, teu.get(record.subject_id, 1.0), 1)
        for record in records
        if record.event_type in MODE_IN or record.event_type in MODE_OUT
    )
    grain = (record for record in records if record.event_type not in MODE_IN and record.event_type not in MODE_OUT)
    return throughput_of_counts(moves, grain, granularity, zone)


def throughput_of_counts(
    moves: Iterable[tuple[date, str, float, int]], grain: Iterable[Record], granularity: str, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """:func:`throughput` from box moves already counted per hub-time day — (day, event type, TEU of one box,
    boxes) — and the grain events one by one. TEU are whole quarters, so their sums are exact in any order."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for day, kind, box_teu, boxes in moves:
        if kind in MODE_IN:
            key = (_bucket_of_day(day, granularity), MODE_IN[kind], "in")
        elif kind in MODE_OUT:
            key = (_bucket_of_day(day, granularity), MODE_OUT[kind], "out")
        else:
            continue
        row = rows.setdefault(key, {"boxes": 0, "teu": 0.0, "grain_t": 0.0})
        row["boxes"] += boxes
        row["teu"] += box_teu * boxes
    for record in grain:
        mass = record.after.get("received_kg") if record.event_type == "grain.received" else None
        mass = record.after.get("shipped_kg") if record.event_type == "grain.shipped" else mass
        if mass is not None:
            direction = "in" if record.event_type == "grain.received" else "out"
            row = rows.setdefault(
                (bucket(record.occurred_at, granularity, zone), "grain", direction),
                {"boxes": 0, "teu": 0.0, "grain_t": 0.0},
            )
            row["grain_t"] += float(mass) / 1000
    return [
        {
            "period": p,
            "mode": m,
            "direction": d,
            "boxes": v["boxes"],
            "teu": _r(v["teu"]),
            "grain_t": _r(v["grain_t"], 3),
        }
        for (p, m, d), v in sorted(rows.items())
    ]


def stays(records: Iterable[Record]) -> list[tuple[str, str, datetime, str, datetime | None]]:
    """(box, mode in, arrival, mode out, departure) for every stay; departure None while the box is here."""
    found: list[tuple[str, str, datetime, str, datetime | None]] = []
    open_stays: dict[str, tuple[str, datetime]] = {}
    for record in sorted(records, key=lambda r: (r.occurred_at, r.event_id)):
        if record.event_type in MODE_IN and record.subject_id not in open_stays:
            open_stays[record.subject_id] = (MODE_IN[record.event_type], record.occurred_at)
        elif record.event_type in MODE_OUT and record.subject_id in open_stays:
            mode_in, arrived = open_stays.pop(record.subject_id)
            found.append((record.subject_id, mode_in, arrived, MODE_OUT[record.event_type], record.occurred_at))
    found.extend((box, mode, arrived, "", None) for box, (mode, arrived) in open_stays.items())
    return found


Stay = tuple[str, str, datetime, str, datetime | None]
"""(box, mode in, arrival, mode out, departure or None while the box is here) — one row of :func:`stays`."""


def dwell(records: Iterable[Record], granularity: str, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Dwell of boxes that left, by flow (mode in → mode out) and bucket of departure: P50, P90, mean in hours."""
    return dwell_of_stays(stays(records), granularity, zone)


def dwell_of_stays(found: Iterable[Stay], granularity: str, zone: ZoneInfo) -> list[dict[str, Any]]:
    """:func:`dwell` from the stays themselves (the event log's pairing, or the ``container_stays`` projection).

    The mean is an exactly rounded sum (``math.fsum``), so it does not depend on the order the stays come in."""
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    for _box, mode_in, arrived, mode_out, left in found:
        if left is not None:
            key = (bucket(left, granularity, zone), f"{mode_in}→{mode_out}")
            hours[key].append((left - arrived).total_seconds() / 3600)
    return [
        {
            "period": p,
            "flow": flow,
            "boxes": len(values),
            "p50_h": _r(percentile(values, 0.5)),
            "p90_h": _r(percentile(values, 0.9)),
            "mean_h": _r(math.fsum(values) / len(values)),
        }
        for (p, flow), values in sorted(hours.items())
    ]


def _bucket_ends(start: datetime, end: datetime, granularity: str, zone: ZoneInfo) -> list[tuple[str, datetime]]:
    """Each bucket between start and end and the instant it ends (capped at ``end``)."""
    ends = []
    cursor = start.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    while cursor < end:
        if granularity == "day":
            following = cursor + timedelta(days=1)
        elif granularity == "week":
            following = cursor + timedelta(days=7 - cursor.weekday())
        else:
            following = cursor.replace(year=cursor.year + (cursor.month == 12), month=cursor.month % 12 + 1, day=1)
        following = following.replace(tzinfo=zone)
        ends.append((bucket(cursor, granularity, zone), min(following, end)))
        cursor = following
    return ends


def yard_occupancy(
    records: Iterable[Record],
    teu: Mapping[str, float],
    start: datetime,
    end: datetime,
    granularity: str,
    zone: ZoneInfo,
) -> list[dict[str, Any]]:
    """Boxes and TEU in the base at the end of each bucket (and the most at any moment in it)."""
    changes = []
    for box, _mode_in, arrived, _mode_out, left in stays(records):
        changes.append((arrived, 1, teu.get(box, 1.0)))
        if left is not None:
            changes.append((left, -1, -teu.get(box, 1.0)))
    opens = occupancy_start(start, zone)
    boxes, teus = 0, 0.0
    for moment, step, size in changes:
        if moment < opens:  # the state the first bucket opens with (what came and went before it)
            boxes += step
            teus += size
    later = [change for change in changes if change[0] >= opens]
    return occupancy(boxes, teus, later, start, end, granularity, zone)


def occupancy_start(start: datetime, zone: ZoneInfo) -> datetime:
    """Where :func:`yard_occupancy`'s first bucket opens: midnight (hub time) of the day ``start`` falls in."""
    return start.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)


def occupancy(
    boxes: int,
    teus: float,
    changes: Iterable[tuple[datetime, int, float]],
    start: datetime,
    end: datetime,
    granularity: str,
    zone: ZoneInfo,
) -> list[dict[str, Any]]:
    """:func:`yard_occupancy` from the boxes and TEU in the base when its first bucket opens
    (:func:`occupancy_start`) and the arrivals (+1, +TEU) and departures (−1, −TEU) from then on.

    The peak of a bucket is the most boxes at any moment within it (a departure before an arrival at the
    same instant)."""
    ordered = sorted(changes, key=lambda c: (c[0], c[1]))
    rows, index = [], 0
    for name, until in _bucket_ends(start, end, granularity, zone):
        peak = boxes
        while index < len(ordered) and ordered[index][0] < until:
            boxes += ordered[index][1]
            teus += ordered[index][2]
            peak = max(peak, boxes)
            index += 1
        rows.append({"period": name, "boxes_at_end": boxes, "teu_at_end": _r(teus), "peak_boxes": peak})
    return rows


def trains(
    records: Iterable[Record],
    visits: Mapping[str, tuple[str, str]],
    timetable: Iterable[Timetabled],
    granularity: str,
    zone: ZoneInfo,
    on_time_min: int,
) -> list[dict[str, Any]]:
    """Departures per route and bucket, and their punctuality against the nearest timetable slot."""
    slots = list(timetable)
    groups: dict[tuple[str, str, str], list[float | None]] = defaultdict(list)
    for record in records:
        if record.event_type != "train.departed" or record.subject_id not in visits:
            continue
        route, direction = visits[record.subject_id]
        delay = _delay_min(record.occurred_at, route, direction, slots, zone)
        groups[(bucket(record.occurred_at, granularity, zone), route, direction)].append(delay)
    rows = []
    for (p, route, direction), delays in sorted(groups.items()):
        known = [d for d in delays if d is not None]
        on_time = sum(1 for d in known if d <= on_time_min)
        rows.append(
            {
                "period": p,
                "route": route,
                "direction": direction,
                "departures": len(delays),
                "timetabled": len(known),
                "on_time": on_time,
                "punctuality_pct": _r(100 * on_time / len(known)) if known else None,
                "mean_delay_min": _r(sum(known) / len(known)) if known else None,
            }
        )
    return rows


def _delay_min(moment: datetime, route: str, direction: str, slots: list[Timetabled], zone: ZoneInfo) -> float | None:
    """Minutes after the nearest timetable slot of the route (negative: early); None when it has no slot."""
    local = moment.astimezone(zone)
    best: float | None = None
    for slot in (s for s in slots if s.route == route and s.direction == direction):
        for offset in range(-7, 8):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in slot.weekdays:
                continue
            planned = datetime(day.year, day.month, day.day, slot.hour, slot.minute, tzinfo=zone)
            delay = (local - planned).total_seconds() / 60
            if best is None or abs(delay) < abs(best):
                best = delay
    return best


def gate_turns(records: Iterable[Record], granularity: str, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Truck turn time (truck in → out) by bucket of leaving: P50, P90 minutes; overrides = missed appointments."""
    return gate_rows(gate_turn_values(records, granularity, zone))


def gate_turn_values(records: Iterable[Record], granularity: str, zone: ZoneInfo) -> list[tuple[str, float, bool]]:
    """(bucket of leaving, turn minutes, overridden) of each truck that left: a truck.out pairs with its
    subject's latest truck.in before it; a gate.override of the subject before the out marks it."""
    arrived: dict[str, datetime] = {}
    overridden: set[str] = set()
    turns: list[tuple[str, float, bool]] = []
    for record in sorted(records, key=lambda r: (r.occurred_at, r.event_id)):
        if record.event_type == "gate.override":
            overridden.add(record.subject_id)
        elif record.event_type == "truck.in":
            arrived[record.subject_id] = record.occurred_at
        elif record.event_type == "truck.out" and record.subject_id in arrived:
            minutes = (record.occurred_at - arrived.pop(record.subject_id)).total_seconds() / 60
            turns.append((bucket(record.occurred_at, granularity, zone), minutes, record.subject_id in overridden))
    return turns


def gate_rows(turns: Iterable[tuple[str, float, bool]]) -> list[dict[str, Any]]:
    """:func:`gate_turns` from the trucks' (bucket, turn minutes, overridden), in any order."""
    minutes: dict[str, list[float]] = defaultdict(list)
    overrides: dict[str, int] = defaultdict(int)
    for name, turn_min, was_overridden in turns:
        minutes[name].append(turn_min)
        overrides[name] += was_overridden
    return [
        {
            "period": p,
            "trucks": len(values),
            "p50_min": _r(percentile(values, 0.5)),
            "p90_min": _r(percentile(values, 0.9)),
            "with_override": overrides[p],
            "appointment_compliance_pct": _r(100 * (len(values) - overrides[p]) / len(values)),
        }
        for p, values in sorted(minutes.items())
    ]


def holds(records: Iterable[Record], granularity: str, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Holds placed per kind and bucket, how many of them were released, and their durations (hours)."""
    placed: dict[str, tuple[str, str, datetime]] = {}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.occurred_at, r.event_id)):
        hold = record.after.get("hold") if isinstance(record.after, Mapping) else None
        if not isinstance(hold, Mapping):
            continue
        ident = str(hold.get("id"))
        kind = str(hold.get("kind", "customs"))
        if record.event_type in HOLD_PLACED:
            key = (bucket(record.occurred_at, granularity, zone), kind)
            counts[key] += 1
            placed[ident] = (key[0], kind, record.occurred_at)
        elif record.event_type in HOLD_RELEASED and ident in placed:
            name, kind, at = placed.pop(ident)
            durations[(name, kind)].append((record.occurred_at - at).total_seconds() / 3600)
    return [
        {
            "period": p,
            "kind": kind,
            "placed": counts[(p, kind)],
            "released": len(durations[(p, kind)]),
            "p50_h": _r(percentile(durations[(p, kind)], 0.5)),
            "p90_h": _r(percentile(durations[(p, kind)], 0.9)),
        }
        for p, kind in sorted(counts)
    ]


def wagon_turnaround(records: Iterable[Record], granularity: str, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Hours a train's wagons spend at the base: train arrived (or announced) → released or departed."""
    came: dict[str, datetime] = {}
    hours: dict[str, list[float]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.occurred_at, r.event_id)):
        if record.event_type == "train.arrived" and record.subject_id not in came:
            came[record.subject_id] = record.occurred_at
        elif record.event_type in ("train.released", "train.departed") and record.subject_id in came:
            hours[bucket(record.occurred_at, granularity, zone)].append(
                (record.occurred_at - came.pop(record.subject_id)).total_seconds() / 3600
            )
    return [
        {"period": p, "trains": len(v), "p50_h": _r(percentile(v, 0.5)), "p90_h": _r(percentile(v, 0.9))}
        for p, v in sorted(hours.items())
    ]


def bucket_bounds(moment: datetime, granularity: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the bucket ``moment`` falls in, as aware times in hub time."""
    local = moment.astimezone(zone)
    day = datetime(local.year, local.month, local.day, tzinfo=zone)
    if granularity == "day":
        begins = day
        ends = datetime.combine(begins.date() + timedelta(days=1), begins.time(), zone)
    elif granularity == "week":
        begins = datetime.combine(day.date() - timedelta(days=day.weekday()), day.time(), zone)
        ends = datetime.combine(begins.date() + timedelta(days=7), begins.time(), zone)
    else:
        begins = datetime(local.year, local.month, 1, tzinfo=zone)
        ends = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=zone)
    return begins, ends


def _split(
    begins: datetime, ends: datetime, granularity: str, zone: ZoneInfo
) -> Iterable[tuple[str, datetime, datetime]]:
    """[begins, ends) cut at bucket boundaries: (bucket, start, end) pieces."""
    moment = begins
    while moment < ends:
        _, boundary = bucket_bounds(moment, granularity, zone)
        piece_end = min(boundary, ends)
        yield bucket(moment, granularity, zone), moment, piece_end
        moment = piece_end


def berth_occupancy(
    records: Iterable[Record], first: datetime, last: datetime, granularity: str, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Per bucket and berth: calls berthed, hours a ship lay there (``vessel.berthed`` → ``departed``,
    a shift to another berth closing the first), and that as a share of the bucket's hours in range.

    A ship still alongside at the end of the range counts up to it."""
    alongside: dict[str, tuple[str, datetime]] = {}
    spans: list[tuple[str, datetime, datetime]] = []
    calls: dict[tuple[str, str], int] = defaultdict(int)
    for record in sorted(records, key=lambda r: (r.occurred_at, r.event_id)):
        berth = record.after.get("berth_code") if isinstance(record.after, Mapping) else None
        if record.event_type == "vessel.berthed" and berth:
            if record.subject_id in alongside:
                previous, since = alongside.pop(record.subject_id)
                spans.append((previous, since, record.occurred_at))
            alongside[record.subject_id] = (str(berth), record.occurred_at)
            if first <= record.occurred_at < last:
                calls[(bucket(record.occurred_at, granularity, zone), str(berth))] += 1
        elif record.event_type == "vessel.departed" and record.subject_id in alongside:
            previous, since = alongside.pop(record.subject_id)
            spans.append((previous, since, record.occurred_at))
    spans.extend((berth, since, last) for berth, since in alongside.values())
    hours: dict[tuple[str, str], float] = defaultdict(float)
    for berth, since, until in spans:
        for name, piece_start, piece_end in _split(max(since, first), min(until, last), granularity, zone):
            hours[(name, berth)] += (piece_end - piece_start).total_seconds() / 3600
    rows = []
    for name, berth in sorted(set(hours) | set(calls)):
        begins, ends = bucket_bounds(_bucket_start(name, granularity, zone), granularity, zone)
        span_h = (min(ends, last) - max(begins, first)).total_seconds() / 3600
        occupied = hours[(name, berth)]
        rows.append(
            {
                "period": name,
                "berth": berth,
                "calls_berthed": calls[(name, berth)],
                "occupied_h": _r(occupied),
                "occupancy_pct": _r(100 * occupied / span_h) if span_h > 0 else None,
            }
        )
    return rows


def _bucket_start(name: str, granularity: str, zone: ZoneInfo) -> datetime:
    if granularity == "day":
        return datetime.strptime(name, "%Y-%m-%d").replace(tzinfo=zone)
    if granularity == "week":
        year, week = name.split("-W")
        return datetime.fromisocalendar(int(year), int(week), 1).replace(tzinfo=zone)
    return datetime.strptime(name, "%Y-%m").replace(tzinfo=zone)


def equipment_productivity(
    records: Iterable[Record], kinds: Mapping[str, str], granularity: str, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Per bucket and machine: moves confirmed (``work.instruction_done``), the clock hours (hub time) in
    which it confirmed at least one move, and moves per such working hour — a quay crane's moves per
    crane hour, a gantry's or reach stacker's productivity. Tractor jobs are counted the same way."""
    moves: dict[tuple[str, str], int] = defaultdict(int)
    active: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in records:
        if record.event_type != "work.instruction_done" or not isinstance(record.after, Mapping):
            continue
        machine = record.after.get("machine")
        if not machine:
            continue
        key = (bucket(record.occurred_at, granularity, zone), str(machine))
        moves[key] += 1
        active[key].add(record.occurred_at.astimezone(zone).strftime("%Y-%m-%dT%H"))
    return [
        {
            "period": name,
            "kind": kinds.get(machine, "unknown"),
            "machine": machine,
            "moves": moves[(name, machine)],
            "working_hours": len(active[(name, machine)]),
            "moves_per_working_hour": _r(moves[(name, machine)] / len(active[(name, machine)])),
        }
        for name, machine in sorted(moves, key=lambda k: (k[0], kinds.get(k[1], "unknown"), k[1]))
    ]


REPORTS: dict[str, Callable[..., list[dict[str, Any]]]] = {
    "throughput": throughput,
    "dwell": dwell,
    "yard-occupancy": yard_occupancy,
    "trains": trains,
    "gate": gate_turns,
    "holds": holds,
    "wagon-turnaround": wagon_turnaround,
    "berth-occupancy": berth_occupancy,
    "equipment": equipment_productivity,
}
