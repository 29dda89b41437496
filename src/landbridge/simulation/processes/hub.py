"""The twin of the base and its corridor: ships, yard, trains, borders, wagons, gate and grain.

Demand and supply are apart: bookings (by destination and week, with seasons) bring boxes to the
yard by sea or by road, and the timetable offers trains that take the waiting boxes. A train is
formed on a loading track with a wagon set, leaves at its slot when full enough, waits for boxes
up to a limit, or is cancelled (the rule is in :meth:`HubTwin._west_train`). It leaves only when
the line ahead has room: a closed or saturated crossing holds trains on its approach, then at the
base (staging tracks, then the loading tracks), so formation, the yard and the gate feel it. A
dispatcher reroutes a train to the other crossing when the expected border wait passes a
threshold. The yard refuses drop-offs when full.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from landbridge.scenarios.model import DepartureSpec, RouteSpec, Scenario, TrainTypeSpec
from landbridge.simulation.engine import Engine, Process, Resource
from landbridge.simulation.overrides import Disruption
from landbridge.simulation.params import TwinParameters
from landbridge.simulation.processes.corridor import CrossingLane
from landbridge.simulation.processes.demand import AppointmentBook, Seasons, booking_times, weekly_bookings_teu
from landbridge.simulation.processes.random_streams import (
    Streams,
    gamma_with_mean,
    lognormal_with_mean,
    split_lognormal_factor,
)
from landbridge.simulation.processes.wagons import WagonPool
from landbridge.simulation.processes.yard import YardSpace
from landbridge.simulation.state import InitialState
from landbridge.simulation.trace import Observer, TraceRecorder, container_number

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
DAYS_PER_YEAR = 365.0
WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

Category = Literal["sea_to_rail", "road_to_rail", "direct", "rail_to_sea", "rail_to_road", "grain", "depot", "initial"]


class Box:
    """A container's passage through the base (times in hours; None = not yet)."""

    __slots__ = ("box_id", "category", "empty", "leaves_by", "left_behind", "route", "teu", "yard_in_h", "yard_out_h")

    def __init__(self, box_id: int, teu: int, empty: bool, category: Category, leaves_by: str = "rail") -> None:
        self.box_id = box_id
        self.teu = teu
        self.empty = empty
        self.category: Category = category
        self.leaves_by = leaves_by
        self.route: str | None = None
        self.left_behind = False
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
    cancelled: str = ""  # why it did not run: no_track, no_wagons, few_boxes, few_bookings
    rerouted: bool = False
    extra_km: float = 0.0
    formed_h: float = math.nan
    formation_wait_h: float = 0.0
    hold_for_boxes_h: float = 0.0
    held_at_base_h: float = 0.0
    wagon_wait_h: float = 0.0
    gauge_method: str = ""
    gauge_change_h: float = 0.0


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
    # demand side: (time, TEU, route or channel)
    bookings: list[tuple[float, int, str]] = field(default_factory=list)
    bookings_refused: list[tuple[float, int, str]] = field(default_factory=list)
    gate_refused: list[tuple[float, int, str]] = field(default_factory=list)
    sea_diverted: list[tuple[float, int]] = field(default_factory=list)
    left_behind: list[tuple[float, int, str]] = field(default_factory=list)
    direct_teu: list[tuple[float, int]] = field(default_factory=list)
    # trains waiting at each crossing and direction, sampled every ``yard_sample_h`` from day 0
    border_queue: dict[tuple[str, str], list[int]] = field(default_factory=dict)


class RouteDesk:
    """Westbound boxes in the yard waiting for a train to one destination (oldest first)."""

    __slots__ = ("pending_teu", "route", "waiting", "waiting_teu")

    def __init__(self, route: str) -> None:
        self.route = route
        self.waiting: deque[Box] = deque()
        self.waiting_teu = 0
        self.pending_teu = 0  # booked by road, truck not yet through the gate


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
        observer: Observer | None = None,
    ) -> None:
        self.scenario = scenario
        self.params = params or TwinParameters()
        self.days = days
        self.horizon_h = days * HOURS_PER_DAY
        self.initial_state = initial_state
        warmup_days = 0.0 if initial_state is not None else self.params.warmup_days
        # hour 0 of the run in the twin's calendar (weekday and season), so a run from today lines up
        self.clock_offset_h = initial_state.clock_offset_h if initial_state is not None else 0.0
        self.start_h = -warmup_days * HOURS_PER_DAY
        self.engine = Engine(self.start_h)
        self.streams = Streams(seed)
        self.records = Records()
        self.trace = TraceRecorder(observer) if observer is not None else None
        self.train_type = self._train_type()
        base = scenario.base
        engine = self.engine
        self.gate = Resource.pool(engine, "gate_lane", base.gate.lanes)
        self.stackers = Resource.pool(engine, "reach_stacker", base.rail.reach_stackers.count)
        self.rmgs = Resource.pool(engine, "rmg", base.rail.rail_mounted_gantries.count)
        self.tracks = Resource(engine, "track", [track.code for track in base.rail.loading_tracks])
        self.staging = Resource.pool(engine, "staging_track", max(1, base.rail.staging_tracks))
        self.has_staging = base.rail.staging_tracks > 0
        container_berths = [berth for berth in scenario.port.berths if berth.purpose == "container"]
        self.berth_cranes = {berth.code: berth.quay_cranes for berth in container_berths}
        self.berths = Resource(engine, "berth", [berth.code for berth in container_berths])
        self.grain_berth = Resource(engine, "grain_berth", [scenario.grain.berth])
        service_rng = self.streams["border_service"]
        self.lanes = {
            (spec.code, direction): CrossingLane(engine, spec, direction, self.params, service_rng)
            for spec in scenario.crossings
            for direction in ("west", "east")
        }
        self.crossings = {spec.code: spec for spec in scenario.crossings}
        self.yard = YardSpace(base.yard, self.params.yard_working_fill)
        self.appointments = AppointmentBook(base.gate)
        self.seasons = Seasons(scenario.demand)
        self.desks = {route.code: RouteDesk(route.code) for route in scenario.routes}
        self.wagons_1435 = WagonPool(engine, "wagons_1435", base.rail.wagons_1435)
        self.wagons_1520 = {
            spec.code: WagonPool(engine, f"wagons_1520_{spec.code}", spec.wagons_1520) for spec in scenario.crossings
        }
        self.border_1435_sets = dict.fromkeys(self.crossings, 0)
        self.silo_stock_t = initial_state.silo_stock_t if initial_state else 0.0
        self.grain_ship_pending = False
        self._next_box_id = 0
        self._apply_disruptions(disruptions)
        self._resources = [
            self.gate,
            self.stackers,
            self.rmgs,
            self.tracks,
            self.staging,
            self.berths,
            self.grain_berth,
            *(lane.interchange for lane in self.lanes.values()),
        ]
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
                for direction in ("west", "east"):
                    if disruption.direction in (direction, "both"):
                        self.lanes[(disruption.target, direction)].close(begin_h, end_h)
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
        for pool in (self.wagons_1435, *self.wagons_1520.values()):
            pool.reset_statistics()
        self.records.gate_waits_h.clear()

    def _new_box(self, teu: int, empty: bool, category: Category, leaves_by: str = "rail") -> Box:
        self._next_box_id += 1
        return Box(self._next_box_id, teu, empty, category, leaves_by)

    def _emit(self, kind: str, **fields: Any) -> None:
        if self.trace is not None:
            self.trace.emit(self.engine.now_h, kind, **fields)

    def _box_fields(self, box: Box) -> dict[str, Any]:
        return {
            "box": box.box_id,
            "container": container_number(box.box_id),
            "teu": box.teu,
            "empty": box.empty,
            "category": box.category,
        }

    # ----------------------------------------------------------------- planning of flows
    def _departures(self, direction: str, first_h: float, last_h: float) -> list[tuple[float, DepartureSpec]]:
        """Timetable times in [first_h, last_h) for one direction, sorted."""
        found: list[tuple[float, DepartureSpec]] = []
        offset_h = self.clock_offset_h
        first_week = math.floor((first_h + offset_h) / HOURS_PER_WEEK) - 1
        last_week = math.ceil((last_h + offset_h) / HOURS_PER_WEEK) + 1
        for spec in self.scenario.timetable:
            if spec.direction != direction:
                continue
            hour, minute = (int(part) for part in spec.time.split(":"))
            for week in range(first_week, last_week + 1):
                if week % spec.every_weeks:
                    continue
                for day in spec.days:
                    at_h = week * HOURS_PER_WEEK + WEEKDAY_INDEX[day] * HOURS_PER_DAY + hour + minute / 60 - offset_h
                    if first_h <= at_h < last_h:
                        found.append((at_h, spec))
        found.sort(key=lambda item: (item[0], item[1].route))
        return found

    def _slots_per_week(self, direction: str) -> dict[str, float]:
        slots: dict[str, float] = {}
        for spec in self.scenario.timetable:
            if spec.direction == direction:
                slots[spec.route] = slots.get(spec.route, 0.0) + len(spec.days) / spec.every_weeks
        return slots

    def _calls_per_year(self) -> float:
        return self.scenario.port.vessel_calls_per_week * DAYS_PER_YEAR / 7

    def _mean_teu_per_box(self) -> float:
        share_20 = self.scenario.flows.share_20ft
        return share_20 + 2 * (1 - share_20)

    def _draw_teu(self) -> int:
        return 1 if self.streams["boxes"].random() < self.scenario.flows.share_20ft else 2

    def _plan_ships(self) -> list[ShipCall]:
        port = self.scenario.port
        rng = self.streams["ships"]
        mean_gap_h = HOURS_PER_WEEK / port.vessel_calls_per_week
        k = port.interarrival_erlang_k
        ships: list[ShipCall] = []
        at_h = self.start_h
        # announced calls first; the random stream takes over after the last one
        for vessel in self.initial_state.vessels if self.initial_state else ():
            moves = max(1, round(lognormal_with_mean(rng, self.params.port_moves_per_call, self.params.port_moves_cv)))
            ships.append(ShipCall(len(ships) + 1, vessel.arrival_h, moves))
            at_h = max(at_h, vessel.arrival_h)
        end_h = self.horizon_h + 60 * HOURS_PER_DAY
        while True:
            at_h += rng.gammavariate(k, mean_gap_h / k)
            if at_h >= end_h:
                break
            moves = max(1, round(lognormal_with_mean(rng, self.params.port_moves_per_call, self.params.port_moves_cv)))
            ships.append(ShipCall(len(ships) + 1, at_h, moves))
        return ships

    def plan_and_start(self) -> None:
        """Plan ships, bookings, trains and depot traffic; schedule their processes."""
        scenario = self.scenario
        engine = self.engine
        self.ships = self._plan_ships()
        self.ship_arrivals_h = [ship.arrival_h for ship in self.ships]
        for ship in self.ships:
            engine.start(self._ship(ship), ship.arrival_h)
        self.records.ships = self.ships

        capacity = self.train_type.teu
        load = scenario.flows.train_load_factor
        self.west_bookings = weekly_bookings_teu(scenario, "west", capacity, load)
        self.east_bookings = weekly_bookings_teu(scenario, "east", capacity, load)
        west_teu_year = sum(self.west_bookings.values()) * DAYS_PER_YEAR / 7
        self.p_sea_west = min(1.0, scenario.port.base_teu_per_call_discharge * self._calls_per_year() / west_teu_year)
        east_teu_year = max(sum(self.east_bookings.values()) * DAYS_PER_YEAR / 7 - self._grain_teu_per_year(), 1.0)
        self.p_sea_east = min(1.0, scenario.port.base_teu_per_call_load * self._calls_per_year() / east_teu_year)

        self._start_initial_state()
        begin_h = max(self.start_h, engine.now_h)
        for route_code, teu_per_week in sorted(self.west_bookings.items()):
            self._plan_west_bookings(route_code, teu_per_week, begin_h)
        for lane in self.lanes.values():
            engine.start(
                lane.background(self.streams[f"background_{lane.code}_{lane.direction}"], begin_h, self.horizon_h)
            )

        announced = self.initial_state.trains if self.initial_state else ()
        west = [
            (at_h, spec.route, f"W{index:04d}-{spec.route}")
            for index, (at_h, spec) in enumerate(self._departures("west", begin_h, self.horizon_h))
        ]
        for train in announced:
            if train.direction != "west":
                continue
            # an announced westbound train takes its route's next slot (not before its own time)
            slot = next(
                (i for i, (at_h, route, _) in enumerate(west) if route == train.route and at_h >= train.time_h), None
            )
            if slot is not None and west[slot][0] - train.time_h <= 8 * HOURS_PER_DAY:
                west[slot] = (west[slot][0], train.route, train.train_id)
            else:
                west.append((train.time_h, train.route, train.train_id))
        west.sort()
        for at_h, route, train_id in west:
            record = TrainRecord(train_id, "west", route, scenario.route(route).crossing, at_h)
            self.records.trains.append(record)
            engine.start(self._west_train(record), at_h - self.params.load_lead_h)

        longest_h = max(route.transit_days_p90 for route in scenario.routes) * HOURS_PER_DAY
        east_from_h = self.start_h - longest_h if self.initial_state is None else 0.0
        slots = self._slots_per_week("east")
        for index, (at_h, spec) in enumerate(self._departures("east", east_from_h, self.horizon_h)):
            per_train = self.east_bookings.get(spec.route, 0.0) / slots[spec.route]
            self._plan_east_train(f"E{index:04d}-{spec.route}", scenario.route(spec.route), at_h, spec.cargo, per_train)
        for train in announced:
            if train.direction == "east":
                self._announced_east_train(
                    train.train_id, scenario.route(train.route), train.time_h, train.teu, train.boxes
                )

        self._plan_depot(begin_h)
        engine.start(self._sample_border_queues(), 0.0)

    def _sample_border_queues(self) -> Process:
        series = self.records.border_queue
        for key in self.lanes:
            series[key] = []
        step_h = self.params.yard_sample_h
        while self.engine.now_h <= self.horizon_h:
            for key, lane in self.lanes.items():
                series[key].append(lane.queue_length)
            yield step_h

    # ---- grain
    def _grain_trains_per_year(self) -> float:
        per_week = sum(
            len(spec.days) / spec.every_weeks
            for spec in self.scenario.timetable
            if spec.direction == "east" and spec.cargo == "grain"
        )
        return per_week * DAYS_PER_YEAR / 7

    def _grain_teu_per_year(self) -> float:
        if not self._grain_trains_per_year():
            return 0.0
        return self.scenario.grain.transit_t_per_year / self.scenario.grain.box_payload_t

    def harvest_factor(self, at_h: float) -> float:
        """Seasonal multiplier of grain flow; the year's mean stays 1 (day 0 = 1 January)."""
        grain = self.scenario.grain
        season_days = DAYS_PER_YEAR / 2
        day = ((at_h + self.clock_offset_h) / HOURS_PER_DAY) % DAYS_PER_YEAR
        in_season = (day - (grain.harvest_start_day_of_year - 1)) % DAYS_PER_YEAR < season_days
        if in_season:
            return grain.harvest_multiplier
        return max(0.0, 2.0 - grain.harvest_multiplier)

    # ---- westbound demand
    def _plan_west_bookings(self, route_code: str, teu_per_week: float, begin_h: float) -> None:
        """Bookings for one destination: sea boxes ride a ship call; road boxes book at their time."""
        rng = self.streams[f"bookings_{route_code}"]
        week_cv = self.scenario.demand.week_to_week_cv if self.scenario.demand else 0.0
        times = booking_times(
            rng,
            teu_per_week,
            self._mean_teu_per_box(),
            self.seasons,
            "west",
            week_cv,
            begin_h,
            self.horizon_h,
            self.clock_offset_h,
        )
        flows = self.scenario.flows
        road: list[tuple[float, Box]] = []
        for at_h in times:
            empty = rng.random() < flows.empty_share_west
            teu = self._draw_teu()
            if rng.random() < self.p_sea_west:
                ship = self._ship_before(at_h)
                if ship is None:
                    continue
                box = self._new_box(teu, empty, "sea_to_rail")
                box.route = route_code
                ship.discharge.append(box)
                self.records.bookings.append((at_h, teu, route_code))
            else:
                box = self._new_box(teu, empty, "road_to_rail")
                box.route = route_code
                road.append((at_h, box))
        if road:
            self.engine.start(self._road_bookings(route_code, road), road[0][0])

    def _road_bookings(self, route_code: str, bookings: list[tuple[float, Box]]) -> Process:
        """Take road bookings in time order; refuse them when two trains' worth already wait."""
        engine = self.engine
        desk = self.desks[route_code]
        limit_teu = self.params.max_backlog_trains * self.train_type.teu
        rng = self.streams["appointments"]
        for at_h, box in bookings:
            if at_h > engine.now_h:
                yield at_h - engine.now_h
            if desk.waiting_teu + desk.pending_teu + box.teu > limit_teu:
                self.records.bookings_refused.append((at_h, box.teu, route_code))
                continue
            self.records.bookings.append((at_h, box.teu, route_code))
            desk.pending_teu += box.teu
            engine.start(self._truck_in(box, "road"), self.appointments.book(rng, at_h))

    def _ship_before(self, at_h: float) -> ShipCall | None:
        index = bisect_right(self.ship_arrivals_h, at_h) - 1
        if index < 0 or self.ships[index].arrival_h < self.engine.now_h:
            return None
        return self.ships[index]

    def _box_in_yard(self, box: Box) -> None:
        """A box is now stacked: westbound ones queue for their destination's next train."""
        if box.route is not None and box.leaves_by == "rail":
            desk = self.desks[box.route]
            desk.waiting.append(box)
            desk.waiting_teu += box.teu

    # ---- westbound trains
    def _west_train(self, record: TrainRecord) -> Process:
        """Form, load, hold or cancel, wait for the line, depart.

        The rule: a train is formed ``load_lead_h`` before its slot on a free loading track with a
        free wagon set; if none is free by the end of the hold (slot + ``max_hold_h``) it is not
        formed (cancelled: no_track / no_wagons). It takes the boxes waiting for its destination,
        oldest first, up to its TEU. It leaves at its slot when at least ``min_load_share`` of its
        TEU is loaded (F3); otherwise it waits for more boxes until the hold ends and leaves as
        soon as it reaches the share. At the end of the hold it leaves if at least
        ``cancel_below_share`` is loaded and is cancelled otherwise (few_boxes): its boxes go back
        to wait for the next train. Boxes that were waiting when it was formed but did not fit are
        left behind.
        """
        engine = self.engine
        params = self.params
        capacity = self.train_type.teu
        wagons = self.train_type.wagons
        deadline_h = record.scheduled_h + params.max_hold_h
        ready_h = engine.now_h
        track: str | None = None
        while True:
            if self.wagons_1435.can_take(wagons):
                track = self.tracks.try_acquire()
                if track is not None:
                    break
            if engine.now_h >= deadline_h:
                record.cancelled = "no_track" if self.wagons_1435.can_take(wagons) else "no_wagons"
                self._emit("train_cancelled", train=record.train_id, route=record.route, reason=record.cancelled, teu=0)
                return
            yield params.poll_h
        self.wagons_1435.take(wagons)
        record.formed_h = engine.now_h
        record.formation_wait_h = engine.now_h - ready_h
        self._emit("train_formed", train=record.train_id, route=record.route, direction="west", track=track)
        desk = self.desks[record.route]
        boxes: list[Box] = []
        loaded_teu = self._take_boxes(desk, boxes, capacity, record)
        cranes = []
        for _ in range(params.rmg_per_train):
            cranes.append((yield self.rmgs))
        rate = self.scenario.base.rail.rail_mounted_gantries.moves_per_h
        yield len(boxes) / (len(cranes) * rate) if boxes else 0.0
        for crane in cranes:
            self.rmgs.release(crane)
        if engine.now_h < record.scheduled_h:
            yield record.scheduled_h - engine.now_h
        loaded_teu += self._take_boxes(desk, boxes, capacity - loaded_teu, record)
        hold_from_h = engine.now_h
        while loaded_teu < params.min_load_share * capacity and engine.now_h < deadline_h:
            yield min(params.poll_h, deadline_h - engine.now_h)
            loaded_teu += self._take_boxes(desk, boxes, capacity - loaded_teu, record)
        record.hold_for_boxes_h = engine.now_h - hold_from_h
        if loaded_teu < params.min_load_share * capacity and loaded_teu < params.cancel_below_share * capacity:
            self._cancel_loaded(record, desk, boxes, track, wagons)
            return
        for box in desk.waiting:
            if box.yard_in_h is not None and box.yard_in_h <= record.formed_h and not box.left_behind:
                box.left_behind = True
                self.records.left_behind.append((engine.now_h, box.teu, record.route))
        route = self.scenario.route(record.route)
        staged: str | None = None
        blocked_from_h = engine.now_h
        while True:
            lane, extra_h, extra_km = self._choose_crossing(route)
            if not lane.approach_full():
                break
            if staged is None and self.has_staging:
                staged = self.staging.try_acquire()
                if staged is not None and track is not None:
                    self.tracks.release(track)
                    track = None
            yield params.poll_h
        record.held_at_base_h = engine.now_h - blocked_from_h
        if track is not None:
            self.tracks.release(track)
        if staged is not None:
            self.staging.release(staged)
        record.crossing = lane.code
        record.rerouted = lane.code != route.crossing
        record.extra_km = extra_km
        record.base_h = engine.now_h
        record.boxes = len(boxes)
        record.teu = loaded_teu
        self._emit(
            "train_departed",
            train=record.train_id,
            route=record.route,
            crossing=lane.code,
            teu=loaded_teu,
            boxes=len(boxes),
            rerouted=record.rerouted,
        )
        yield from self._ride_west(record, route, lane, extra_h, wagons)

    def _take_boxes(self, desk: RouteDesk, boxes: list[Box], room_teu: int, record: TrainRecord) -> int:
        """Load waiting boxes, oldest first, while they fit; returns the TEU loaded."""
        loaded = 0
        now = self.engine.now_h
        waiting = desk.waiting
        while waiting and waiting[0].teu <= room_teu - loaded:
            box = waiting.popleft()
            desk.waiting_teu -= box.teu
            loaded += box.teu
            boxes.append(box)
            box.yard_out_h = now
            self.yard.take(box.teu, box.empty)
            if (
                box.category == "sea_to_rail"
                and box.yard_in_h is not None
                and now - box.yard_in_h <= (self.params.direct_window_h)
            ):
                self.records.direct_teu.append((now, box.teu))
            self.records.boxes.append(box)
            if self.trace is not None:
                self._emit("yard_out", **self._box_fields(box))
                self._emit("box_loaded", train=record.train_id, **self._box_fields(box))
        return loaded

    def _cancel_loaded(self, record: TrainRecord, desk: RouteDesk, boxes: list[Box], track: str, wagons: int) -> None:
        """Unload a cancelled train back to the yard; its boxes wait (first in line) for the next one."""
        record.cancelled = "few_boxes"
        self._emit(
            "train_cancelled",
            train=record.train_id,
            route=record.route,
            reason="few_boxes",
            teu=sum(b.teu for b in boxes),
        )
        for box in reversed(boxes):
            self.records.boxes.remove(box)
            box.yard_out_h = None
            if self.trace is not None:
                self._emit("box_unloaded", train=record.train_id, **self._box_fields(box))
                self._emit("yard_in", **self._box_fields(box))
            self.yard.put(box.teu, box.empty)
            desk.waiting.appendleft(box)
            desk.waiting_teu += box.teu
        self.tracks.release(track)
        self.wagons_1435.give(wagons)

    def _border_eta_h(self, route: RouteSpec) -> float:
        return min(self.params.days_base_to_border, 0.8 * route.transit_days) * HOURS_PER_DAY

    def _choose_crossing(self, route: RouteSpec) -> tuple[CrossingLane, float, float]:
        """The route's own crossing, or its alternative when the expected wait passes the threshold."""
        own = self.lanes[(route.crossing, "west")]
        now = self.engine.now_h
        eta_h = now + self._border_eta_h(route)
        own_wait_h = own.expected_wait_h(now, eta_h)
        if route.alternative_crossing is None or own_wait_h <= self.params.reroute_threshold_h:
            return own, 0.0, 0.0
        other = self.lanes[(route.alternative_crossing, "west")]
        extra_h = route.alternative_extra_days * HOURS_PER_DAY
        other_wait_h = other.expected_wait_h(now, eta_h)
        if other_wait_h + extra_h < own_wait_h and not other.approach_full():
            return other, extra_h, route.alternative_extra_km
        return own, 0.0, 0.0

    def _ride_west(
        self, record: TrainRecord, route: RouteSpec, lane: CrossingLane, extra_h: float, wagons: int
    ) -> Process:
        engine = self.engine
        rng = self.streams["corridor"]
        factor = split_lognormal_factor(rng, route.transit_days_p10, route.transit_days, route.transit_days_p90)
        total_h = route.transit_days * HOURS_PER_DAY * factor + extra_h
        to_border_h = self._border_eta_h(route) * factor
        record.planned_transit_h = route.transit_days * HOURS_PER_DAY + extra_h
        lane.base_en_route += 1
        yield to_border_h
        lane.base_en_route -= 1
        record.border_arrival_h = engine.now_h
        self._emit("border_arrived", train=record.train_id, crossing=lane.code, direction="west")
        wait_h = yield from lane.pass_interchange(base_train=True)
        record.border_wait_h = wait_h
        method, gauge_h = lane.gauge_change_h(wagons, rng.random())
        record.gauge_method, record.gauge_change_h = method, gauge_h
        yield gauge_h
        self._emit(
            "gauge_changed", train=record.train_id, crossing=lane.code, direction="west", method=method, wait_h=wait_h
        )
        beyond_h = max(0.0, total_h - to_border_h - gauge_h)
        if method == "container_transshipment":
            self._return_1435_set(lane.code, wagons)
            pool = self.wagons_1520[lane.code]
            waited_from = engine.now_h
            while not pool.can_take(wagons):
                yield self.params.poll_h
            record.wagon_wait_h = engine.now_h - waited_from
            if record.wagon_wait_h > 0:
                pool.shortage_waits_h.append(record.wagon_wait_h)
            pool.take(wagons)
            engine.call_at(engine.now_h + 2 * beyond_h, _bind_int(pool.give, wagons))
        else:
            # bogie exchange: the base's 1435 wagons ride on to the destination and come back on their own bogies
            engine.call_at(engine.now_h + 2 * beyond_h + to_border_h, _bind_int(self.wagons_1435.give, wagons))
        yield beyond_h
        record.end_h = engine.now_h
        self._emit(
            "train_arrived",
            train=record.train_id,
            route=record.route,
            direction="west",
            teu=record.teu,
            boxes=record.boxes,
        )

    def _return_1435_set(self, crossing: str, wagons: int) -> None:
        """After transshipment a set stays at the border for an eastbound train, or runs home empty."""
        if self.border_1435_sets[crossing] < self.params.border_reserve_sets:
            self.border_1435_sets[crossing] += 1
            return
        back_h = self.params.days_base_to_border * HOURS_PER_DAY
        self.engine.call_at(self.engine.now_h + back_h, _bind_int(self.wagons_1435.give, wagons))

    # ---- eastbound
    def _plan_east_train(
        self, train_id: str, route: RouteSpec, depart_h: float, cargo: str, per_train_teu: float
    ) -> None:
        """An eastbound train from its origin, loaded by that week's bookings (cancelled when too few)."""
        flows = self.scenario.flows
        grain = self.scenario.grain
        rng = self.streams["east"]
        capacity = self.train_type.teu
        week_cv = self.scenario.demand.week_to_week_cv if self.scenario.demand else 0.0
        season = self.seasons.factor("east", depart_h + self.clock_offset_h)
        booked = gamma_with_mean(rng, per_train_teu * season, week_cv)
        target = min(capacity, round(booked))
        record = TrainRecord(train_id, "east", route.code, route.crossing, depart_h)
        self.records.trains.append(record)
        if target < self.params.cancel_below_share * capacity:
            record.cancelled = "few_bookings"
            return
        boxes: list[Box] = []
        loaded = 0
        if cargo == "grain" and self._grain_trains_per_year() > 0:
            tonnes = grain.transit_t_per_year / self._grain_trains_per_year() * self.harvest_factor(depart_h)
            count = min(target, round(tonnes / grain.box_payload_t))
            boxes = [self._new_box(1, False, "grain", "road") for _ in range(count)]
            loaded = count
            record.grain_t = count * grain.box_payload_t
        while loaded < target:
            teu = self._draw_teu()
            if loaded + teu > capacity:
                break
            loaded += teu
            empty = rng.random() < flows.empty_share_east
            by_sea = rng.random() < self.p_sea_east
            category: Category = "rail_to_sea" if by_sea else "rail_to_road"
            boxes.append(self._new_box(teu, empty, category, "sea" if by_sea else "road"))
        self.engine.start(self._east_train(record, route, boxes), depart_h)

    def _announced_east_train(self, train_id: str, route: RouteSpec, arrival_h: float, teu: int, count: int) -> None:
        forty = max(0, min(count, teu - count))
        boxes = [self._new_box(2 if index < forty else 1, False, "rail_to_road", "road") for index in range(count)]
        record = TrainRecord(train_id, "east", route.code, route.crossing, arrival_h)
        self.records.trains.append(record)
        self.engine.start(self._east_at_base(record, boxes, 0), max(arrival_h, 0.0))

    def _east_train(self, record: TrainRecord, route: RouteSpec, boxes: list[Box]) -> Process:
        engine = self.engine
        rng = self.streams["corridor"]
        factor = split_lognormal_factor(rng, route.transit_days_p10, route.transit_days, route.transit_days_p90)
        total_h = route.transit_days * HOURS_PER_DAY * factor
        lane = self.lanes[(route.crossing, "east")]
        border_to_base_h = self._border_eta_h(route) * factor
        record.planned_transit_h = route.transit_days * HOURS_PER_DAY
        wagons = self.train_type.wagons
        yield max(0.0, total_h - border_to_base_h - lane.spec.train_handling_h)
        record.border_arrival_h = engine.now_h
        self._emit("border_arrived", train=record.train_id, crossing=lane.code, direction="east")
        wait_h = yield from lane.pass_interchange(base_train=True)
        record.border_wait_h = wait_h
        method, gauge_h = lane.gauge_change_h(wagons, rng.random())
        record.gauge_method, record.gauge_change_h = method, gauge_h
        yield gauge_h
        self._emit(
            "gauge_changed", train=record.train_id, crossing=lane.code, direction="east", method=method, wait_h=wait_h
        )
        # a 1435 set for the run to the base: one left at the border, else an empty one sent from the base
        waited_from = engine.now_h
        sets_taken = 0
        if self.wagons_1435.modelled:
            while True:
                if self.border_1435_sets[lane.code] > 0:
                    self.border_1435_sets[lane.code] -= 1
                    break
                if self.wagons_1435.can_take(wagons):
                    self.wagons_1435.take(wagons)
                    yield self.params.days_base_to_border * HOURS_PER_DAY
                    break
                yield self.params.poll_h
            sets_taken = wagons
            record.wagon_wait_h = engine.now_h - waited_from
            if record.wagon_wait_h > 0:
                self.wagons_1435.shortage_waits_h.append(record.wagon_wait_h)
        yield border_to_base_h
        yield from self._east_at_base(record, boxes, sets_taken)

    def _east_at_base(self, record: TrainRecord, boxes: list[Box], wagons: int) -> Process:
        engine = self.engine
        record.base_h = engine.now_h
        record.boxes = len(boxes)
        record.teu = sum(box.teu for box in boxes)
        self._emit(
            "train_arrived",
            train=record.train_id,
            route=record.route,
            direction="east",
            teu=record.teu,
            boxes=len(boxes),
        )
        track = yield self.tracks
        cranes = []
        for _ in range(self.params.rmg_per_train):
            cranes.append((yield self.rmgs))
        rate = self.scenario.base.rail.rail_mounted_gantries.moves_per_h
        yield len(boxes) / (len(cranes) * rate)
        for crane in cranes:
            self.rmgs.release(crane)
        self.tracks.release(track)
        if wagons:
            self.wagons_1435.give(wagons)
        now = engine.now_h
        record.end_h = now
        flows = self.scenario.flows
        rng = self.streams["east_dwell"]
        appointment_rng = self.streams["appointments"]
        for box in boxes:
            box.yard_in_h = now
            self.yard.put(box.teu, box.empty)
            self.records.boxes.append(box)
            if self.trace is not None:
                self._emit("box_unloaded", train=record.train_id, **self._box_fields(box))
                self._emit("yard_in", **self._box_fields(box))
            if box.category == "grain":
                self._tip_grain(now, record.train_id)
                box.empty = True
                self.yard.take(1, False)
                self.yard.put(1, True)
                ready_h = now + gamma_with_mean(rng, flows.dwell_days_empty, self.params.dwell_cv) * HOURS_PER_DAY
                engine.start(self._truck_out(box), self.appointments.book(appointment_rng, ready_h))
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
                    engine.start(self._truck_out(box, ship.call_id), ship.arrival_h - shuttle_h)
                    continue
            engine.start(self._truck_out(box), self.appointments.book(appointment_rng, ready_h))

    # ---- ships
    def _ship(self, ship: ShipCall) -> Process:
        engine = self.engine
        self._emit("vessel_arrived", call=ship.call_id, port_moves=ship.port_moves)
        berth = yield self.berths
        ship.berth = berth
        ship.start_h = engine.now_h
        self._emit("vessel_berthed", call=ship.call_id, berth=berth)
        moves = ship.port_moves + len(ship.discharge) + ship.load_boxes
        cranes = max(1, self.berth_cranes[berth])
        handling_h = moves / (cranes * self.scenario.port.sts_moves_per_h)
        shuttle_h = self.scenario.base.gate.truck_shuttle_to_quay_min / 60
        count = len(ship.discharge)
        for index, box in enumerate(ship.discharge):
            if self.trace is not None:
                self._emit("box_discharged", call=ship.call_id, route=box.route, **self._box_fields(box))
            engine.start(
                self._truck_in(box, "shuttle"), engine.now_h + handling_h * (index + 1) / (count + 1) + shuttle_h
            )
        yield handling_h
        ship.end_h = engine.now_h
        self.berths.release(berth)
        self._emit("vessel_departed", call=ship.call_id, berth=berth, loaded_boxes=ship.load_boxes)

    # ---- gate
    def _truck_in(self, box: Box, channel: str) -> Process:
        """A box arrives by road or quay shuttle: refused (road) or held at the quay (sea) when the yard is full."""
        engine = self.engine
        yard = self.yard
        if channel == "road" and box.route is not None:
            self.desks[box.route].pending_teu -= box.teu
        diverted = False
        while not yard.has_room(box.teu, box.empty):
            if channel == "road":
                self.records.gate_refused.append((engine.now_h, box.teu, box.category))
                if self.trace is not None:
                    self._emit("gate_refused", **self._box_fields(box))
                return
            if not diverted:
                diverted = True
                self.records.sea_diverted.append((engine.now_h, box.teu))
            yield self.params.sea_retry_h
        arrived = engine.now_h
        lane = yield self.gate
        self.records.gate_waits_h.append(engine.now_h - arrived)
        gate = self.scenario.base.gate
        yield lognormal_with_mean(self.streams["gate"], gate.service_min_mean, self.params.gate_service_cv) / 60
        self.gate.release(lane)
        stacker = yield self.stackers
        yield 1.0 / self.scenario.base.rail.reach_stackers.moves_per_h
        self.stackers.release(stacker)
        now = engine.now_h
        self.records.gate_moves.append((now, box.teu, True))
        box.yard_in_h = now
        yard.put(box.teu, box.empty)
        if self.trace is not None:
            self._emit("gate_in", lane=lane, **self._box_fields(box))
            self._emit("yard_in", **self._box_fields(box))
        self._box_in_yard(box)

    def _truck_out(self, box: Box, ship_call: int | None = None) -> Process:
        """A box leaves by road (or by quay shuttle to its ship)."""
        engine = self.engine
        arrived = engine.now_h
        lane = yield self.gate
        self.records.gate_waits_h.append(engine.now_h - arrived)
        gate = self.scenario.base.gate
        yield lognormal_with_mean(self.streams["gate"], gate.service_min_mean, self.params.gate_service_cv) / 60
        self.gate.release(lane)
        stacker = yield self.stackers
        yield 1.0 / self.scenario.base.rail.reach_stackers.moves_per_h
        self.stackers.release(stacker)
        now = engine.now_h
        self.records.gate_moves.append((now, box.teu, False))
        box.yard_out_h = now
        self.yard.take(box.teu, box.empty)
        if self.trace is not None:
            self._emit("yard_out", **self._box_fields(box))
            self._emit("gate_out", lane=lane, **self._box_fields(box))
            if ship_call is not None:
                self._emit(
                    "box_shipped", call=ship_call, box=box.box_id, container=container_number(box.box_id), teu=box.teu
                )

    # ---- depot (empties, CFS, storage): yard traffic that never touches a train
    def _depot_boxes_per_year(self) -> float:
        flows = self.scenario.flows
        if flows.depot_teu_per_year is not None:
            return flows.depot_teu_per_year / self._mean_teu_per_box()
        rail_teu = sum(self.west_bookings.values()) + sum(self.east_bookings.values())
        depot_teu = max(0.0, (flows.gate_teu_per_rail_teu - 1.0) * rail_teu * DAYS_PER_YEAR / 7)
        return depot_teu / 2 / self._mean_teu_per_box()

    def _plan_depot(self, begin_h: float) -> None:
        boxes_per_year = self._depot_boxes_per_year()
        if boxes_per_year <= 0:
            return
        rng = self.streams["depot"]
        gap_h = DAYS_PER_YEAR * HOURS_PER_DAY / boxes_per_year
        at_h = begin_h
        times: list[tuple[float, Box]] = []
        while True:
            at_h += rng.expovariate(1.0 / gap_h)
            if at_h >= self.horizon_h:
                break
            times.append((at_h, self._new_box(self._draw_teu(), True, "depot", "road")))
        if times:
            self.engine.start(self._depot(times), times[0][0])

    def _depot(self, bookings: list[tuple[float, Box]]) -> Process:
        engine = self.engine
        rng = self.streams["depot"]
        appointment_rng = self.streams["appointments"]
        dwell_days = self.scenario.flows.dwell_days_empty
        for at_h, box in bookings:
            if at_h > engine.now_h:
                yield at_h - engine.now_h
            self.records.boxes.append(box)
            arrive_h = self.appointments.book(appointment_rng, at_h)
            leave_h = arrive_h + gamma_with_mean(rng, dwell_days, self.params.dwell_cv) * HOURS_PER_DAY
            engine.start(self._depot_visit(box, leave_h), arrive_h)

    def _depot_visit(self, box: Box, leave_h: float) -> Process:
        yield from self._truck_in(box, "road")
        if box.yard_in_h is None:
            return  # refused at the gate
        ready_h = max(leave_h, self.engine.now_h)
        self.engine.start(self._truck_out(box), self.appointments.book(self.streams["appointments"], ready_h))

    # ---- grain silo
    def _tip_grain(self, now_h: float, train_id: str) -> None:
        payload = self.scenario.grain.box_payload_t
        self.silo_stock_t += payload
        self.records.grain_received.append((now_h, payload))
        self.records.silo_stock.append((now_h, self.silo_stock_t))
        self._emit("grain_tipped", train=train_id, tonnes=payload, silo_stock_t=round(self.silo_stock_t, 3))
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
        self._emit("grain_shipped", tonnes=tonnes, silo_stock_t=round(self.silo_stock_t, 3))

    # ---- initial state
    def _start_initial_state(self) -> None:
        """Put today's containers in the yard; westbound ones wait for their route's next train."""
        if self.initial_state is None:
            return
        rng = self.streams["initial"]
        flows = self.scenario.flows
        for container in self.initial_state.containers:
            box = self._new_box(container.teu, container.empty, "initial", container.leaves_by)
            box.yard_in_h = container.arrived_h
            self.yard.put(box.teu, box.empty)
            if container.direction == "west" and container.leaves_by == "rail" and container.route:
                self.scenario.route(container.route)  # raises StopIteration on unknown routes
                box.route = container.route
                self._box_in_yard(box)
                continue
            self.records.boxes.append(box)
            due_h = container.expected_departure_h
            if due_h is None:
                mean_days = flows.dwell_days_empty if container.empty else flows.dwell_days_rail_to_sea
                elapsed_h = -container.arrived_h
                due_h = max(0.0, gamma_with_mean(rng, mean_days, self.params.dwell_cv) * HOURS_PER_DAY - elapsed_h)
            self.engine.start(self._truck_out(box), max(0.0, due_h))

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
        """Busy share of in-service time of each base resource since day 0."""
        return {resource.name: resource.utilisation() for resource in self._resources[:7]}

    def resource_waits_h(self) -> dict[str, list[float]]:
        """Queue waits at each base resource since day 0."""
        return {resource.name: resource.waits_h for resource in self._resources[:7]}


def _bind(action: Callable[[str], None], unit: str) -> Callable[[], None]:
    return lambda: action(unit)


def _bind_int(action: Callable[[int], None], value: int) -> Callable[[], None]:
    return lambda: action(value)
