"""The twin of the base and its corridor: ships, yard, trains, borders, gate and grain.

Flows are planned from the scenario before the clock runs (which box rides which train, arrives
on which ship), then the processes play them out against finite resources, so queues, delays and
dwell emerge from contention, not from the plan.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from landbridge.scenarios.model import DepartureSpec, RouteSpec, Scenario, TrainTypeSpec
from landbridge.simulation.engine import Engine, Process, Resource
from landbridge.simulation.overrides import Disruption
from landbridge.simulation.params import TwinParameters
from landbridge.simulation.processes.random_streams import (
    Streams,
    gamma_with_mean,
    lognormal_with_mean,
    split_lognormal_factor,
)
from landbridge.simulation.state import InitialState

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
DAYS_PER_YEAR = 365.0
WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

Category = Literal["sea_to_rail", "road_to_rail", "direct", "rail_to_sea", "rail_to_road", "grain", "depot", "initial"]


class Box:
    """A container's passage through the base (times in hours; None = not yet)."""

    __slots__ = ("category", "empty", "leaves_by", "teu", "yard_in_h", "yard_out_h")

    def __init__(self, teu: int, empty: bool, category: Category, leaves_by: str = "rail") -> None:
        self.teu = teu
        self.empty = empty
        self.category: Category = category
        self.leaves_by = leaves_by
        self.yard_in_h: float | None = None
        self.yard_out_h: float | None = None


@dataclass(slots=True)
class ShipCall:
    """A container ship's call; base boxes are attached before it arrives."""

    call_id: int
    arrival_h: float
    port_moves: int
    discharge: list[Box] = field(default_factory=list)
    load_boxes: int = 0
    load_teu: int = 0
    direct_teu: int = 0
    direct_boxes: int = 0
    berth: str = ""
    start_h: float = math.nan
    end_h: float = math.nan


@dataclass(slots=True)
class TrainRecord:
    """One train's journey; west = base → destination, east = origin → base."""

    train_id: str
    direction: Literal["west", "east"]
    route: str
    crossing: str
    scheduled_h: float
    teu: int = 0
    boxes: int = 0
    grain_t: float = 0.0
    base_h: float = math.nan  # west: actual departure from the base; east: arrival at the base
    border_arrival_h: float = math.nan
    border_wait_h: float = math.nan
    end_h: float = math.nan  # west: arrival at destination; east: unloaded at the base
    planned_transit_h: float = math.nan


@dataclass(slots=True)
class Records:
    """Everything the KPIs are computed from."""

    boxes: list[Box] = field(default_factory=list)
    ships: list[ShipCall] = field(default_factory=list)
    grain_ships: list[tuple[float, float, float]] = field(default_factory=list)  # start, end, tonnes
    trains: list[TrainRecord] = field(default_factory=list)
    gate_moves: list[tuple[float, int, bool]] = field(default_factory=list)  # time, TEU, inbound
    gate_waits_h: list[float] = field(default_factory=list)
    grain_received: list[tuple[float, float]] = field(default_factory=list)
    silo_stock: list[tuple[float, float]] = field(default_factory=list)
    late_boxes: int = 0


class Crossing:
    """A border crossing: a daily capacity per direction (a headway), a handling time, closures."""

    def __init__(self, code: str, handling_h: float, west_per_day: float, east_per_day: float) -> None:
        self.code = code
        self.handling_h = handling_h
        self.headway_h = {"west": HOURS_PER_DAY / west_per_day, "east": HOURS_PER_DAY / east_per_day}
        self.next_free_h = {"west": -math.inf, "east": -math.inf}
        self.closures: list[tuple[float, float, str]] = []

    def admit(self, now_h: float, direction: str) -> float:
        """The time this train may start its gauge change (first come, first served)."""
        start = max(now_h, self.next_free_h[direction])
        for begin, end, closed in sorted(self.closures):
            if closed in (direction, "both") and begin <= start < end:
                start = end
        self.next_free_h[direction] = start + self.headway_h[direction]
        return start


class HubTwin:
    """Build the resources and processes of one replication, run them, keep the records."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        days: float,
        params: TwinParameters | None = None,
        disruptions: tuple[Disruption, ...] = (),
        initial_state: InitialState | None = None,
    ) -> None:
        self.scenario = scenario
        self.params = params or TwinParameters()
        self.days = days
        self.horizon_h = days * HOURS_PER_DAY
        self.initial_state = initial_state
        warmup_days = 0.0 if initial_state is not None else self.params.warmup_days
        self.start_h = -warmup_days * HOURS_PER_DAY
        self.engine = Engine(self.start_h)
        self.streams = Streams(seed)
        self.records = Records()
        self.train_type = self._train_type()
        base = scenario.base
        engine = self.engine
        self.gate = Resource.pool(engine, "gate_lane", base.gate.lanes)
        self.stackers = Resource.pool(engine, "reach_stacker", base.rail.reach_stackers.count)
        self.rmgs = Resource.pool(engine, "rmg", base.rail.rail_mounted_gantries.count)
        self.tracks = Resource(engine, "track", [track.code for track in base.rail.loading_tracks])
        container_berths = [berth for berth in scenario.port.berths if berth.purpose == "container"]
        self.berth_cranes = {berth.code: berth.quay_cranes for berth in container_berths}
        self.berths = Resource(engine, "berth", [berth.code for berth in container_berths])
        self.grain_berth = Resource(engine, "grain_berth", [scenario.grain.berth])
        self.crossings = {
            crossing.code: Crossing(
                crossing.code, crossing.train_handling_h, crossing.trains_per_day, crossing.eastbound_trains_per_day
            )
            for crossing in scenario.crossings
        }
        self.silo_stock_t = initial_state.silo_stock_t if initial_state else 0.0
        self.grain_ship_pending = False
        self._apply_disruptions(disruptions)
        self._resources = [self.gate, self.stackers, self.rmgs, self.tracks, self.berths, self.grain_berth]
        if self.start_h < 0:
            engine.call_at(0.0, self._end_warmup)

    # ----------------------------------------------------------------- set-up
    def _train_type(self) -> TrainTypeSpec:
        code = self.params.train_type
        for train_type in self.scenario.train_types:
            if train_type.code == code:
                return train_type
        raise ValueError(f"twin.train_type {code!r} is not in the scenario's train_types")

    def _apply_disruptions(self, disruptions: tuple[Disruption, ...]) -> None:
        for disruption in disruptions:
            begin_h = disruption.from_day * HOURS_PER_DAY
            end_h = disruption.to_day * HOURS_PER_DAY
            if disruption.kind == "crossing":
                self.crossings[disruption.target].closures.append((begin_h, end_h, disruption.direction))
                continue
            if disruption.kind == "crane":
                resource = self.rmgs if disruption.target == "rmg" else self.stackers
                chosen = sorted(resource.units)[-disruption.count :]
            else:
                resource = self.tracks if disruption.kind == "track" else self.berths
                chosen = [disruption.target]
            for unit in chosen:
                self.engine.call_at(begin_h, _bind(resource.close, unit))
                self.engine.call_at(end_h, _bind(resource.reopen, unit))

    def _end_warmup(self) -> None:
        for resource in self._resources:
            resource.reset_statistics()
        self.records.gate_waits_h.clear()

    # ----------------------------------------------------------------- planning of flows
    def _departures(self, direction: str, first_h: float, last_h: float) -> list[tuple[float, DepartureSpec]]:
        """Timetable times in [first_h, last_h) for one direction, sorted."""
        found: list[tuple[float, DepartureSpec]] = []
        first_week = math.floor(first_h / HOURS_PER_WEEK) - 1
        last_week = math.ceil(last_h / HOURS_PER_WEEK) + 1
        for spec in self.scenario.timetable:
            if spec.direction != direction:
                continue
            hour, minute = (int(part) for part in spec.time.split(":"))
            for week in range(first_week, last_week + 1):
                if week % spec.every_weeks:
                    continue
                for day in spec.days:
                    at_h = week * HOURS_PER_WEEK + WEEKDAY_INDEX[day] * HOURS_PER_DAY + hour + minute / 60
                    if first_h <= at_h < last_h:
                        found.append((at_h, spec))
        found.sort(key=lambda item: (item[0], item[1].route))
        return found

    def expected_rail_teu_per_year(self, direction: str) -> float:
        """Timetable TEU a year in one direction at the scenario's load factor."""
        per_week = sum(
            len(spec.days) / spec.every_weeks for spec in self.scenario.timetable if spec.direction == direction
        )
        return per_week * DAYS_PER_YEAR / 7 * self.train_type.teu * self.scenario.flows.train_load_factor

    def _calls_per_year(self) -> float:
        return self.scenario.port.vessel_calls_per_week * DAYS_PER_YEAR / 7

    def _draw_teu(self) -> int:
        return 1 if self.streams["boxes"].random() < self.scenario.flows.share_20ft else 2

    def _plan_ships(self) -> list[ShipCall]:
        port = self.scenario.port
        rng = self.streams["ships"]
        mean_gap_h = HOURS_PER_WEEK / port.vessel_calls_per_week
        k = port.interarrival_erlang_k
        ships: list[ShipCall] = []
        at_h = self.start_h
        end_h = self.horizon_h + 60 * HOURS_PER_DAY
        while True:
            at_h += rng.gammavariate(k, mean_gap_h / k)
            if at_h >= end_h:
                break
            moves = max(1, round(lognormal_with_mean(rng, self.params.port_moves_per_call, self.params.port_moves_cv)))
            ships.append(ShipCall(len(ships) + 1, at_h, moves))
        return ships

    def plan_and_start(self) -> None:
        """Plan ships, trains, boxes and depot traffic; schedule their processes."""
        scenario = self.scenario
        flows = scenario.flows
        self.ships = self._plan_ships()
        self.ship_arrivals_h = [ship.arrival_h for ship in self.ships]
        for ship in self.ships:
            self.engine.start(self._ship(ship), ship.arrival_h)
        self.records.ships = self.ships

        west_teu = self.expected_rail_teu_per_year("west")
        east_teu = self.expected_rail_teu_per_year("east")
        self.p_sea_west = min(1.0, scenario.port.base_teu_per_call_discharge * self._calls_per_year() / west_teu)
        grain_trains = self._grain_trains_per_year()
        east_container_teu = max(east_teu - self._grain_teu_per_year(grain_trains), 1.0)
        self.p_sea_east = min(1.0, scenario.port.base_teu_per_call_load * self._calls_per_year() / east_container_teu)

        initial_by_route = self._start_initial_state()
        announced = self.initial_state.trains if self.initial_state else ()
        west = [
            (at_h, spec.route, f"W{index:04d}-{spec.route}")
            for index, (at_h, spec) in enumerate(self._departures("west", 0.0, self.horizon_h))
        ]
        west += [(train.time_h, train.route, train.train_id) for train in announced if train.direction == "west"]
        west.sort()
        for at_h, route, train_id in west:
            preloaded = initial_by_route.pop(route, [])
            self._plan_west_train(train_id, self.scenario.route(route), at_h, preloaded)

        longest_h = max(route.transit_days_p90 for route in scenario.routes) * HOURS_PER_DAY
        east_from_h = self.start_h - longest_h if self.initial_state is None else 0.0
        for index, (at_h, spec) in enumerate(self._departures("east", east_from_h, self.horizon_h)):
            self._plan_east_train(
                f"E{index:04d}-{spec.route}", scenario.route(spec.route), at_h, spec.cargo, grain_trains
            )
        for train in announced:
            if train.direction == "east":
                self._announced_east_train(
                    train.train_id, scenario.route(train.route), train.time_h, train.teu, train.boxes
                )

        depot_teu_per_year = max(0.0, (flows.gate_teu_per_rail_teu - 1.0) * (west_teu + east_teu))
        mean_teu = flows.share_20ft + 2 * (1 - flows.share_20ft)
        self._plan_depot(depot_teu_per_year / 2 / mean_teu)

    # ---- grain
    def _grain_trains_per_year(self) -> float:
        per_week = sum(
            len(spec.days) / spec.every_weeks
            for spec in self.scenario.timetable
            if spec.direction == "east" and spec.cargo == "grain"
        )
        return per_week * DAYS_PER_YEAR / 7

    def _grain_teu_per_year(self, grain_trains: float) -> float:
        return self.scenario.grain.transit_t_per_year / self.scenario.grain.box_payload_t if grain_trains else 0.0

    def harvest_factor(self, at_h: float) -> float:
        """Seasonal multiplier of grain flow; the year's mean stays 1 (day 0 = 1 January)."""
        grain = self.scenario.grain
        season_days = DAYS_PER_YEAR / 2
        day = (at_h / HOURS_PER_DAY) % DAYS_PER_YEAR
        in_season = (day - (grain.harvest_start_day_of_year - 1)) % DAYS_PER_YEAR < season_days
        if in_season:
            return grain.harvest_multiplier
        return max(0.0, 2.0 - grain.harvest_multiplier)

    # ---- westbound
    def _plan_west_train(self, train_id: str, route: RouteSpec, depart_h: float, preloaded: list[Box]) -> None:
        flows = self.scenario.flows
        rng = self.streams["west"]
        capacity = self.train_type.teu
        target = round(capacity * flows.train_load_factor)
        boxes = list(preloaded)
        loaded = sum(box.teu for box in boxes)
        direct: list[Box] = []
        while loaded < target:
            teu = self._draw_teu()
            if loaded + teu > capacity:
                break
            loaded += teu
            empty = rng.random() < flows.empty_share_west
            by_sea = rng.random() < self.p_sea_west
            if by_sea and rng.random() < flows.ship_train_direct_share:
                box = Box(teu, empty, "direct")
                ship = self._ship_before(depart_h - self.params.load_lead_h - self.params.ship_margin_h)
                if ship is None:
                    continue
                ship.direct_boxes += 1
                ship.direct_teu += teu
                direct.append(box)
                boxes.append(box)
                continue
            mean_days = flows.dwell_days_empty if empty else flows.dwell_days_sea_to_rail
            arrive_h = depart_h - gamma_with_mean(rng, mean_days, self.params.dwell_cv) * HOURS_PER_DAY
            if by_sea:
                ship = self._ship_before(arrive_h - self.params.ship_margin_h)
                if ship is None:
                    continue
                box = Box(teu, empty, "sea_to_rail")
                ship.discharge.append(box)
            else:
                if arrive_h < self.engine.now_h:
                    continue
                box = Box(teu, empty, "road_to_rail")
                self.engine.start(self._truck(box, inbound=True, lift=True), arrive_h)
            boxes.append(box)
        record = TrainRecord(train_id, "west", route.code, route.crossing, depart_h)
        self.records.trains.append(record)
        start_h = depart_h - self.params.load_lead_h
        self.engine.start(self._west_train(record, route, boxes, direct), start_h)

    def _ship_before(self, at_h: float) -> ShipCall | None:
        index = bisect_right(self.ship_arrivals_h, at_h) - 1
        if index < 0 or self.ships[index].arrival_h < self.engine.now_h:
            return None
        return self.ships[index]

    def _west_train(self, record: TrainRecord, route: RouteSpec, boxes: list[Box], direct: list[Box]) -> Process:
        engine = self.engine
        track = yield self.tracks
        cranes = []
        for _ in range(self.params.rmg_per_train):
            cranes.append((yield self.rmgs))
        for box in direct:
            engine.start(self._truck(box, inbound=True, lift=False))
        rate = self.scenario.base.rail.rail_mounted_gantries.moves_per_h
        yield len(boxes) / (len(cranes) * rate)
        for crane in cranes:
            self.rmgs.release(crane)
        if engine.now_h < record.scheduled_h:
            yield record.scheduled_h - engine.now_h
        self.tracks.release(track)
        now = engine.now_h
        record.base_h = now
        record.boxes = len(boxes)
        record.teu = sum(box.teu for box in boxes)
        for box in boxes:
            if box.yard_in_h is None:
                self.records.late_boxes += 1
                box.yard_in_h = now
            box.yard_out_h = now
            self.records.boxes.append(box)
        yield from self._ride_west(record, route)

    def _ride_west(self, record: TrainRecord, route: RouteSpec) -> Process:
        rng = self.streams["corridor"]
        factor = split_lognormal_factor(rng, route.transit_days_p10, route.transit_days, route.transit_days_p90)
        total_h = route.transit_days * HOURS_PER_DAY * factor
        crossing = self.crossings[route.crossing]
        to_border_h = min(self.params.days_base_to_border * HOURS_PER_DAY, 0.8 * route.transit_days * HOURS_PER_DAY)
        to_border_h *= factor
        record.planned_transit_h = route.transit_days * HOURS_PER_DAY
        yield to_border_h
        now = self.engine.now_h
        record.border_arrival_h = now
        start = crossing.admit(now, "west")
        record.border_wait_h = start - now
        yield start - now + crossing.handling_h
        yield max(0.0, total_h - to_border_h - crossing.handling_h)
        record.end_h = self.engine.now_h

    # ---- eastbound
    def _plan_east_train(
        self, train_id: str, route: RouteSpec, depart_h: float, cargo: str, grain_trains: float
    ) -> None:
        flows = self.scenario.flows
        grain = self.scenario.grain
        rng = self.streams["east"]
        capacity = self.train_type.teu
        target = round(capacity * flows.train_load_factor)
        boxes: list[Box] = []
        loaded = 0
        grain_t = 0.0
        if cargo == "grain" and grain_trains > 0:
            tonnes = grain.transit_t_per_year / grain_trains * self.harvest_factor(depart_h)
            count = min(target, round(tonnes / grain.box_payload_t))
            boxes = [Box(1, False, "grain", "road") for _ in range(count)]
            loaded = count
            grain_t = count * grain.box_payload_t
        while loaded < target:
            teu = self._draw_teu()
            if loaded + teu > capacity:
                break
            loaded += teu
            empty = rng.random() < flows.empty_share_east
            by_sea = rng.random() < self.p_sea_east
            boxes.append(Box(teu, empty, "rail_to_sea" if by_sea else "rail_to_road", "sea" if by_sea else "road"))
        record = TrainRecord(train_id, "east", route.code, route.crossing, depart_h, grain_t=grain_t)
        self.records.trains.append(record)
        self.engine.start(self._east_train(record, route, boxes), depart_h)

    def _announced_east_train(self, train_id: str, route: RouteSpec, arrival_h: float, teu: int, count: int) -> None:
        forty = max(0, min(count, teu - count))
        boxes = [Box(2 if index < forty else 1, False, "rail_to_road", "road") for index in range(count)]
        record = TrainRecord(train_id, "east", route.code, route.crossing, arrival_h)
        self.records.trains.append(record)
        self.engine.start(self._east_at_base(record, boxes), max(arrival_h, 0.0))

    def _east_train(self, record: TrainRecord, route: RouteSpec, boxes: list[Box]) -> Process:
        rng = self.streams["corridor"]
        factor = split_lognormal_factor(rng, route.transit_days_p10, route.transit_days, route.transit_days_p90)
        total_h = route.transit_days * HOURS_PER_DAY * factor
        crossing = self.crossings[route.crossing]
        border_to_base_h = min(self.params.days_base_to_border * HOURS_PER_DAY, 0.8 * route.transit_days * 24)
        border_to_base_h *= factor
        record.planned_transit_h = route.transit_days * HOURS_PER_DAY
        yield max(0.0, total_h - border_to_base_h - crossing.handling_h)
        now = self.engine.now_h
        record.border_arrival_h = now
        start = crossing.admit(now, "east")
        record.border_wait_h = start - now
        yield start - now + crossing.handling_h + border_to_base_h
        yield from self._east_at_base(record, boxes)

    def _east_at_base(self, record: TrainRecord, boxes: list[Box]) -> Process:
        engine = self.engine
        record.base_h = engine.now_h
        record.boxes = len(boxes)
        record.teu = sum(box.teu for box in boxes)
        track = yield self.tracks
        cranes = []
        for _ in range(self.params.rmg_per_train):
            cranes.append((yield self.rmgs))
        rate = self.scenario.base.rail.rail_mounted_gantries.moves_per_h
        yield len(boxes) / (len(cranes) * rate)
        for crane in cranes:
            self.rmgs.release(crane)
        self.tracks.release(track)
        now = engine.now_h
        record.end_h = now
        flows = self.scenario.flows
        rng = self.streams["east_dwell"]
        for box in boxes:
            box.yard_in_h = now
            self.records.boxes.append(box)
            if box.category == "grain":
                self._tip_grain(now)
                box.empty = True
                ready_h = now + gamma_with_mean(rng, flows.dwell_days_empty, self.params.dwell_cv) * HOURS_PER_DAY
                engine.start(self._truck(box, inbound=False, lift=True), ready_h)
                continue
            mean_days = flows.dwell_days_empty if box.empty else flows.dwell_days_rail_to_sea
            ready_h = now + gamma_with_mean(rng, mean_days, self.params.dwell_cv) * HOURS_PER_DAY
            if box.leaves_by == "sea":
                shuttle_h = self.scenario.base.gate.truck_shuttle_to_quay_min / 60
                index = bisect_left(self.ship_arrivals_h, ready_h + shuttle_h)
                if index < len(self.ships):
                    ship = self.ships[index]
                    ship.load_boxes += 1
                    ship.load_teu += box.teu
                    ready_h = ship.arrival_h - shuttle_h
            engine.start(self._truck(box, inbound=False, lift=True), ready_h)

    # ---- ships
    def _ship(self, ship: ShipCall) -> Process:
        engine = self.engine
        berth = yield self.berths
        ship.berth = berth
        ship.start_h = engine.now_h
        moves = ship.port_moves + len(ship.discharge) + ship.direct_boxes + ship.load_boxes
        cranes = max(1, self.berth_cranes[berth])
        handling_h = moves / (cranes * self.scenario.port.sts_moves_per_h)
        shuttle_h = self.scenario.base.gate.truck_shuttle_to_quay_min / 60
        count = len(ship.discharge)
        for index, box in enumerate(ship.discharge):
            engine.start(
                self._truck(box, inbound=True, lift=True),
                engine.now_h + handling_h * (index + 1) / (count + 1) + shuttle_h,
            )
        yield handling_h
        ship.end_h = engine.now_h
        self.berths.release(berth)

    # ---- gate
    def _truck(self, box: Box, inbound: bool, lift: bool) -> Process:
        engine = self.engine
        arrived = engine.now_h
        lane = yield self.gate
        self.records.gate_waits_h.append(engine.now_h - arrived)
        gate = self.scenario.base.gate
        yield lognormal_with_mean(self.streams["gate"], gate.service_min_mean, self.params.gate_service_cv) / 60
        self.gate.release(lane)
        if lift:
            stacker = yield self.stackers
            yield 1.0 / self.scenario.base.rail.reach_stackers.moves_per_h
            self.stackers.release(stacker)
        now = engine.now_h
        self.records.gate_moves.append((now, box.teu, inbound))
        if inbound:
            box.yard_in_h = now
        else:
            box.yard_out_h = now

    # ---- depot (empties, CFS, storage): yard traffic that never touches a train
    def _plan_depot(self, boxes_per_year: float) -> None:
        if boxes_per_year <= 0:
            return
        rng = self.streams["depot"]
        gap_h = DAYS_PER_YEAR * HOURS_PER_DAY / boxes_per_year
        at_h = max(self.start_h, self.engine.now_h)
        dwell_days = self.scenario.flows.dwell_days_empty
        while True:
            at_h += rng.expovariate(1.0 / gap_h)
            if at_h >= self.horizon_h:
                break
            box = Box(self._draw_teu(), True, "depot", "road")
            self.records.boxes.append(box)
            self.engine.start(self._truck(box, inbound=True, lift=True), at_h)
            leave_h = at_h + gamma_with_mean(rng, dwell_days, self.params.dwell_cv) * HOURS_PER_DAY
            self.engine.start(self._truck(box, inbound=False, lift=True), leave_h)

    # ---- grain silo
    def _tip_grain(self, now_h: float) -> None:
        payload = self.scenario.grain.box_payload_t
        self.silo_stock_t += payload
        self.records.grain_received.append((now_h, payload))
        self.records.silo_stock.append((now_h, self.silo_stock_t))
        if self.silo_stock_t >= self.params.grain_ship_lot_t and not self.grain_ship_pending:
            self.grain_ship_pending = True
            self.engine.start(self._grain_ship(), now_h + self.params.ship_margin_h)

    def _grain_ship(self) -> Process:
        berth = yield self.grain_berth
        start = self.engine.now_h
        tonnes = min(self.silo_stock_t, self.params.grain_ship_lot_t)
        self.silo_stock_t -= tonnes
        self.records.silo_stock.append((start, self.silo_stock_t))
        self.grain_ship_pending = False
        yield tonnes / self.params.grain_loader_t_per_h
        self.grain_berth.release(berth)
        self.records.grain_ships.append((start, self.engine.now_h, tonnes))

    # ---- initial state
    def _start_initial_state(self) -> dict[str, list[Box]]:
        """Put today's containers in the yard; westbound ones wait for their route's next train."""
        by_route: dict[str, list[Box]] = {}
        if self.initial_state is None:
            return by_route
        rng = self.streams["initial"]
        flows = self.scenario.flows
        for container in self.initial_state.containers:
            box = Box(container.teu, container.empty, "initial", container.leaves_by)
            box.yard_in_h = container.arrived_h
            if container.direction == "west" and container.leaves_by == "rail" and container.route:
                self.scenario.route(container.route)  # raises StopIteration on unknown routes
                by_route.setdefault(container.route, []).append(box)
                continue
            self.records.boxes.append(box)
            due_h = container.expected_departure_h
            if due_h is None:
                mean_days = flows.dwell_days_empty if container.empty else flows.dwell_days_rail_to_sea
                elapsed_h = -container.arrived_h
                due_h = max(0.0, gamma_with_mean(rng, mean_days, self.params.dwell_cv) * HOURS_PER_DAY - elapsed_h)
            self.engine.start(self._truck(box, inbound=False, lift=True), max(0.0, due_h))
        return by_route

    # ----------------------------------------------------------------- run
    def run(self, progress: Callable[[float], None] | None = None) -> Records:
        """Play the replication to the horizon; ``progress`` gets the simulated day after each day."""
        self.plan_and_start()
        if progress is None:
            self.engine.run(self.horizon_h)
        else:
            day = math.floor(self.start_h / HOURS_PER_DAY)
            while day * HOURS_PER_DAY < self.horizon_h:
                day += 1
                self.engine.run(min(day * HOURS_PER_DAY, self.horizon_h))
                progress(min(day, self.days))
        return self.records

    def utilisation(self) -> dict[str, float]:
        """Busy share of in-service time of each resource since day 0."""
        return {resource.name: resource.utilisation() for resource in self._resources}

    def resource_waits_h(self) -> dict[str, list[float]]:
        """Queue waits at each resource since day 0."""
        return {resource.name: resource.waits_h for resource in self._resources}


def _bind(action: Callable[[str], None], unit: str) -> Callable[[], None]:
    return lambda: action(unit)
