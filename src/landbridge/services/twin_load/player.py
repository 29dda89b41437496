"""Play a twin run through the operations services, as the base's operators would have entered it.

Every record of the twin's trace becomes the commands a real base issues for it — the same service
functions the API calls, one unit of work each, with ``occurred_at`` from the simulated clock:

==================  =========================================================================
twin record          commands (role)
==================  =========================================================================
vessel_arrived       announce the call (shipping line)
vessel_berthed       berth it; load the boxes waiting for it (planner)
box_discharged       register the box, discharge it into a yard slot (planner)
vessel_departed      load late boxes, then depart (planner)
gate_in + yard_in    register the box, truck in with it, place it, truck out (gate clerk, yard)
yard_out + gate_out  dig it free, truck in to pick it up, truck out with it
box_shipped          keep it in the yard for its call; loaded when the ship is alongside
train_formed         announce the westbound train on its track with 50 flat wagons (rail)
yard_out+box_loaded  dig it free, load it on the next free wagon slot
train_departed       depart
border_arrived       arrival at the crossing
gauge_changed        announce the 1520 mm train there, transfer every box, depart it
train_arrived (W)    arrival at the destination (the boxes are delivered)
train_cancelled      unload its boxes back into the yard
grain_shipped        a bulk carrier at the grain berth loads the oldest lots (line, yard)
==================  =========================================================================

Boxes are stacked by the yard planner (:mod:`.yard_planner`), which knows when each box will
leave; a box that must leave from under others is dug free by yard moves first (rehandles, as on
a real terminal, counted in the summary). The eastbound flows (trains arriving loaded, their boxes
and grain) wait for an operations command that receives a loaded train at the base; until then
they are skipped and counted, never faked.

A refused command (a domain error) is counted by command and field and the play goes on; a
correct run refuses nothing, which the tests check.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar

from stdnum import luhn

from landbridge.domain.containers import LoadState
from landbridge.domain.errors import DomainError
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.units import Direction
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.operations import gate, rail, vessel, yard
from landbridge.services.operations.rail import WagonSpec
from landbridge.services.twin_load.flows import FlowRecord, TwinRun, departures, grouped
from landbridge.services.twin_load.yard_planner import BlockShape, StackKey, YardPlanner, slot_text
from landbridge.store.unit_of_work import UnitOfWork

SOURCE = "twin-load"
PLANNER = Actor("twin-planner", "planner", source=SOURCE)
LINE = Actor("twin-line-agent", "shipping_line", source=SOURCE)
YARD = Actor("twin-yard-operator", "yard_operator", source=SOURCE)
RAIL = Actor("twin-rail-operator", "rail_operator", source=SOURCE)
GATE = Actor("twin-gate-clerk", "gate_clerk", source=SOURCE)

WEST_TRAIN_TYPE, WEST_WAGON_TYPE, WEST_WAGONS = "cn_1435", "cn_flat_40ft", 50
WIDE_TRAIN_TYPE, WIDE_WAGON_TYPE = "kz_1520", "kz_flat_80ft"  # two 40 ft slots per wagon
# Gross masses of laden boxes (assumed): light enough that a full 100 TEU train stays under the
# cn_1435 train's 1,300 t and two 20 ft boxes under a flat wagon's 50 t payload.
LADEN_20FT_KG = (8_000, 13_000)
LADEN_40FT_KG = (14_000, 25_000)
EASTBOUND_KINDS = frozenset({"box_unloaded", "grain_tipped"})


@dataclass
class Box:
    """What the loader knows about a box it has put into the hub."""

    number: str
    teu: int
    laden: bool
    place: str = "announced"  # yard, wagon, gone


@dataclass
class Train:
    """A train visit the loader announced: its wagons and how far they are filled."""

    reference: str
    route: str
    wagons: list[str]
    boxes: list[str] = field(default_factory=list)
    next_wagon: int = 0
    open_half: str | None = None  # a wagon with one 20 ft box on it, waiting for a second
    wide: str | None = None  # the 1520 mm train its boxes went on at the border


@dataclass
class LoadSummary:
    """What a load did: commands by kind, refusals by command and field, what was skipped."""

    days: float
    seed: int
    records: int = 0
    commands: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    rehandles: int = 0
    first_refusals: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    twin_s: float = 0.0

    @property
    def total_commands(self) -> int:
        """Commands issued through the services (refused ones included)."""
        return sum(self.commands.values())

    @property
    def commands_per_s(self) -> float:
        """Commands per wall-clock second of the play (the twin's own run excluded)."""
        play_s = self.wall_s - self.twin_s
        return self.total_commands / play_s if play_s > 0 else 0.0


class TwinPlayer:
    """Issues the commands for one twin run, in simulated-time order."""

    def __init__(self, url: str, run: TwinRun, blocks: list[BlockShape]) -> None:
        self.uow = UnitOfWork.for_url(url)
        self.run = run
        self.summary = LoadSummary(run.days, run.seed, records=len(run.records))
        self.planner = YardPlanner(blocks)
        self.leaves = departures(run.records)
        self.boxes: dict[str, Box] = {}
        self.trains: dict[str, Train] = {}
        self.calls: dict[int, str] = {}  # twin call id → vessel visit reference
        self.berthed: set[int] = set()
        self.waiting_for_call: dict[int, list[str]] = {}
        self.wagon_serial = 0
        self.truck_serial = 0
        self.blocked_tracks: set[str] = set()
        self.at: datetime = run.at(0.0)

    # ------------------------------------------------------------------ plumbing
    def _do(self, name: str, command: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Issue one command at the current simulated instant; count it; a refusal is counted, not raised."""
        self.summary.commands[name] += 1
        try:
            command(self.uow, *args, occurred_at=self.at, **kwargs)
        except DomainError as error:
            self.summary.refused[f"{name} ({error.field})"] += 1
            if len(self.summary.first_refusals) < 20:
                self.summary.first_refusals.append(f"{self.at:%Y-%m-%d %H:%M} {name}: {error.field}: {error.reason}")
            return False
        return True

    def _wagon_number(self, gauge_mm: int) -> str:
        self.wagon_serial += 1
        serial = f"{self.wagon_serial % 1_000_000:06d}"
        base = f"5{serial}" if gauge_mm == 1520 else f"31330{serial}"
        return base + luhn.calc_check_digit(base)

    def _truck(self) -> str:
        self.truck_serial += 1
        return f"TW{self.truck_serial:07d}"

    @staticmethod
    def _mass_kg(number: str, teu: int, laden: bool, seed: int) -> int | None:
        if not laden:
            return None
        low, high = LADEN_20FT_KG if teu == 1 else LADEN_40FT_KG
        return random.Random(f"{seed}:{number}").randrange(low, high + 1, 10)

    def _register(self, fields: dict[str, Any]) -> Box | None:
        number = str(fields["container"])
        if number in self.boxes:
            return self.boxes[number]
        teu, laden = int(fields["teu"]), not bool(fields["empty"])
        command = RegisterContainer(
            ContainerNumber(number),
            "22G1" if teu == 1 else "42G1",
            LoadState.FULL if laden else LoadState.EMPTY,
            self._mass_kg(number, teu, laden, self.run.seed),
            source_reference=SOURCE,
        )
        if not self._do("register container", _register_command, command):
            return None
        box = self.boxes[number] = Box(number, teu, laden)
        return box

    # ------------------------------------------------------------------ yard
    def _slot_for(self, box: Box, avoid: StackKey | None = None) -> tuple[StackKey, str]:
        key = self.planner.choose(box.teu == 2, box.laden, self.leaves.get(box.number), avoid)
        return key, slot_text(key, self.planner.tier_at(key))

    def _placed(self, box: Box, key: StackKey) -> None:
        self.planner.put(key, box.number, box.teu == 2, box.laden, self.leaves.get(box.number))
        box.place = "yard"

    def _dig_out(self, box: Box) -> bool:
        """Move every box standing on ``box`` to another stack (rehandles) so it can leave."""
        if box.number not in self.planner:
            return False
        for number in self.planner.above(box.number):
            on_top = self.boxes[number]
            origin = self.planner.where[number]
            key, slot = self._slot_for(on_top, avoid=origin)
            if not self._do("yard move (rehandle)", yard.place_container, YARD, container=number, slot=slot):
                return False
            self.planner.take(number)
            self._placed(on_top, key)
            self.summary.rehandles += 1
        return True

    def _leave_yard(self, box: Box) -> None:
        self.planner.take(box.number)

    # ------------------------------------------------------------------ gate
    def _gate_in(self, fields: dict[str, Any]) -> None:
        box = self._register(fields)
        if box is None or box.place != "announced":
            return
        truck = self._truck()
        if not self._do(
            "truck in", gate.truck_in, GATE, reference=truck, plate=truck, drop_off=[box.number], pick_up=[]
        ):
            return
        key, slot = self._slot_for(box)
        if self._do("yard move", yard.place_container, YARD, container=box.number, slot=slot):
            self._placed(box, key)
        self._do("truck out", gate.truck_out, GATE, reference=truck)

    def _gate_out(self, box: Box) -> None:
        if not self._dig_out(box):
            return
        truck = self._truck()
        if not self._do(
            "truck in", gate.truck_in, GATE, reference=truck, plate=truck, drop_off=[], pick_up=[box.number]
        ):
            return
        if self._do("truck out", gate.truck_out, GATE, reference=truck):
            self._leave_yard(box)
            box.place = "gone"

    # ------------------------------------------------------------------ ships
    def _vessel_arrived(self, fields: dict[str, Any]) -> None:
        call = int(fields["call"])
        reference = f"TW-V{call:05d}"
        if self._do(
            "announce vessel",
            vessel.announce_vessel,
            LINE,
            reference=reference,
            vessel_name=f"Twin {call}",
            eta=self.at,
        ):
            self.calls[call] = reference

    def _vessel_berthed(self, fields: dict[str, Any]) -> None:
        call = int(fields["call"])
        if call not in self.calls:
            return
        if self._do(
            "berth vessel",
            vessel.berth_vessel,
            PLANNER,
            reference=self.calls[call],
            berth_code=str(fields["berth"]),
            etb=self.at,
        ):
            self.berthed.add(call)
            for number in self.waiting_for_call.pop(call, []):
                self._ship(call, self.boxes[number])

    def _box_discharged(self, fields: dict[str, Any]) -> None:
        call = int(fields["call"])
        box = self._register(fields)
        if box is None or call not in self.berthed:
            return
        key, slot = self._slot_for(box)
        if self._do(
            "discharge",
            vessel.discharge_container,
            PLANNER,
            reference=self.calls[call],
            container=box.number,
            slot=slot,
        ):
            self._placed(box, key)

    def _ship(self, call: int, box: Box) -> None:
        if call not in self.berthed:
            self.waiting_for_call.setdefault(call, []).append(box.number)
            return
        if not self._dig_out(box):
            return
        if self._do(
            "load vessel", vessel.load_container_on_vessel, PLANNER, reference=self.calls[call], container=box.number
        ):
            self._leave_yard(box)
            box.place = "gone"

    def _vessel_departed(self, fields: dict[str, Any]) -> None:
        call = int(fields["call"])
        if call not in self.berthed:
            return
        for number in self.waiting_for_call.pop(call, []):
            self._ship(call, self.boxes[number])
        self._do("depart vessel", vessel.depart_vessel, PLANNER, reference=self.calls[call])
        self.berthed.discard(call)

    # ------------------------------------------------------------------ rail
    def _train_formed(self, fields: dict[str, Any]) -> None:
        if fields.get("direction") != "west":
            return
        reference = str(fields["train"])
        track = str(fields["track"]) if fields.get("track") else None
        wagons = [self._wagon_number(1435) for _ in range(WEST_WAGONS)]
        if self._do(
            "announce train",
            rail.announce_train,
            RAIL,
            reference=reference,
            direction=Direction.WEST,
            route_code=str(fields["route"]),
            gauge_mm=1435,
            train_type_code=WEST_TRAIN_TYPE,
            wagons=[WagonSpec(number, WEST_WAGON_TYPE) for number in wagons],
            track_code=None if track in self.blocked_tracks else track,
        ):
            self.trains[reference] = Train(reference, str(fields["route"]), wagons)

    def _wagon_slot(self, train: Train, box: Box) -> tuple[str, int]:
        """The wagon (slot 1 of a 40 ft flat) for the next box: 20 ft boxes in pairs."""
        if box.teu == 1 and train.open_half is not None:
            wagon, train.open_half = train.open_half, None
            return wagon, 1
        wagon = train.wagons[train.next_wagon]
        train.next_wagon += 1
        if box.teu == 1:
            train.open_half = wagon
        return wagon, 1

    def _box_loaded(self, fields: dict[str, Any], box: Box) -> None:
        train = self.trains.get(str(fields["train"]))
        if train is None or not self._dig_out(box):
            return
        wagon, slot = self._wagon_slot(train, box)
        if self._do(
            "load wagon",
            rail.load_on_wagon,
            RAIL,
            train=train.reference,
            container=box.number,
            wagon_number=wagon,
            slot=slot,
        ):
            self._leave_yard(box)
            box.place = "wagon"
            train.boxes.append(box.number)

    def _train_departed(self, fields: dict[str, Any]) -> None:
        train = self.trains.get(str(fields["train"]))
        if train is not None:
            self._do("depart train", rail.depart_train, RAIL, train=train.reference)

    def _train_cancelled(self, fields: dict[str, Any]) -> None:
        train = self.trains.get(str(fields["train"]))
        if train is None:
            return
        for number in list(train.boxes):
            box = self.boxes[number]
            key, slot = self._slot_for(box)
            if self._do(
                "unload wagon", rail.unload_from_wagon, RAIL, train=train.reference, container=number, slot=slot
            ):
                self._placed(box, key)
                train.boxes.remove(number)
        # No command cancels a visit yet: it keeps its track, so later trains are announced without one.
        self.summary.skipped["train cancelled: visit left announced (no cancel command)"] += 1

    def _border_arrived(self, fields: dict[str, Any]) -> None:
        train = self.trains.get(str(fields["train"]))
        if train is not None and fields.get("direction") == "west":
            self._do(
                "border arrival",
                rail.arrive_at_border,
                RAIL,
                train=train.reference,
                crossing_code=str(fields["crossing"]),
            )

    def _gauge_changed(self, fields: dict[str, Any]) -> None:
        train = self.trains.get(str(fields["train"]))
        if train is None or fields.get("direction") != "west":
            return
        wide = f"{train.reference}-1520"
        loads = [self.boxes[number] for number in train.boxes]
        teu = sum(box.teu for box in loads)
        wagons = [self._wagon_number(1520) for _ in range(max(1, -(-teu // 4)))]
        if not self._do(
            "announce train",
            rail.announce_train,
            RAIL,
            reference=wide,
            direction=Direction.WEST,
            route_code=train.route,
            gauge_mm=1520,
            train_type_code=WIDE_TRAIN_TYPE,
            wagons=[WagonSpec(number, WIDE_WAGON_TYPE) for number in wagons],
        ):
            return
        # Two 40 ft slots per 80 ft wagon; a 40 ft slot takes one 40 ft box or two 20 ft boxes.
        places = [(wagon, slot) for wagon in wagons for slot in (1, 2)]
        twenties = [box for box in loads if box.teu == 1]
        forties = [box for box in loads if box.teu == 2]
        plan = [(box, places.pop(0)) for box in forties]
        while twenties:
            place = places.pop(0)
            plan += [(box, place) for box in twenties[:2]]
            twenties = twenties[2:]
        for box, (wagon, slot) in plan:
            self._do(
                "gauge transfer",
                rail.gauge_transfer,
                RAIL,
                train=train.reference,
                container=box.number,
                to_train=wide,
                wagon_number=wagon,
                slot=slot,
            )
        train.wide = wide
        self._do("depart train", rail.depart_train, RAIL, train=wide)

    def _train_arrived(self, fields: dict[str, Any]) -> None:
        train = self.trains.get(str(fields["train"]))
        if train is None or fields.get("direction") != "west":
            return
        if self._do("train arrival", rail.arrive_at_destination, RAIL, train=train.wide or train.reference):
            for number in train.boxes:
                self.boxes[number].place = "gone"

    # ------------------------------------------------------------------ the play
    def play_instant(self, batch: list[FlowRecord]) -> None:
        """The commands for everything that happened at one simulated instant."""
        self.at = self.run.at(batch[0].time_h)
        shipped = {int(r.fields["box"]): int(r.fields["call"]) for r in batch if r.kind == "box_shipped"}
        loaded = {int(r.fields["box"]): r for r in batch if r.kind == "box_loaded"}
        for record in batch:
            kind, fields = record.kind, record.fields
            if kind in EASTBOUND_KINDS or (kind == "train_arrived" and fields.get("direction") == "east"):
                self.summary.skipped[f"{kind} (eastbound: no command receives a loaded train yet)"] += 1
                continue
            handler = self._handlers.get(kind)
            if handler is not None:
                handler(self, fields)
                continue
            if kind in ("yard_in", "box_shipped", "box_loaded", "gate_refused"):
                continue  # played with the record that moves the box (gate_in, discharge, yard_out)
            if kind in ("yard_out", "gate_out"):
                box = self.boxes.get(str(fields["container"]))
                if box is None or box.place != "yard":
                    if kind == "yard_out":
                        self.summary.skipped["yard_out of a box the load never received (eastbound)"] += 1
                    continue
                box_id = int(fields["box"])
                if kind == "yard_out" and box_id in loaded:
                    self._box_loaded(loaded[box_id].fields, box)
                elif kind == "yard_out" and box_id in shipped:
                    self._ship(shipped[box_id], box)
                elif kind == "gate_out" and box_id not in shipped:
                    self._gate_out(box)
                continue
            self.summary.skipped[f"{kind} (not played)"] += 1

    _handlers: ClassVar[dict[str, Callable[[TwinPlayer, dict[str, Any]], None]]] = {
        "gate_in": _gate_in,
        "vessel_arrived": _vessel_arrived,
        "vessel_berthed": _vessel_berthed,
        "box_discharged": _box_discharged,
        "vessel_departed": _vessel_departed,
        "train_formed": _train_formed,
        "train_departed": _train_departed,
        "train_cancelled": _train_cancelled,
        "border_arrived": _border_arrived,
        "gauge_changed": _gauge_changed,
        "train_arrived": _train_arrived,
    }

    def play(self, progress: Callable[[int, datetime], None] | None = None) -> LoadSummary:
        """Play every record; ``progress`` gets the records done and the simulated instant."""
        started = time.perf_counter()
        done = 0
        for batch in grouped(self.run.records):
            self.play_instant(batch)
            done += len(batch)
            if progress is not None:
                progress(done, self.at)
        self.summary.wall_s += time.perf_counter() - started
        return self.summary


def _register_command(uow: UnitOfWork, command: RegisterContainer, occurred_at: datetime) -> None:
    register_container(uow, replace(command, occurred_at=occurred_at), PLANNER)
