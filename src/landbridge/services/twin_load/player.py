"""Play a twin run through the operations services, as the base's operators would have entered it.

Every record of the twin's trace becomes the commands a real base issues for it — the same service
functions the API calls, one unit of work each, with ``occurred_at`` from the simulated clock:

==================  =========================================================================
twin record          commands (role)
==================  =========================================================================
(start)              the twin's line (owner code LBT), forwarder and grain owner as parties
a box appears        register it, book it (a consignment per destination and day: the rail
                     route's city, the base itself for the gate, a sea port), and for a
                     laden box that leaves by ship its shipper's VGM (forwarder)
vessel_arrived       announce the call (shipping line)
vessel_berthed       berth it; the line declares its discharge and load lists; load the boxes
                     waiting for it (planner)
box_discharged       register the box, discharge it into a yard slot (planner)
vessel_departed      load late boxes, then depart (planner)
gate_in + yard_in    register the box, book a drop-off appointment in the current window
                     (a full window: the clerk's audited override), truck in with it, place
                     it, truck out (gate clerk, yard)
yard_out + gate_out  dig it free; the line issues a delivery order with a PIN, a pick-up
                     appointment, truck in quoting order and PIN, truck out with the box
box_shipped          keep it in the yard for its call; loaded when the ship is alongside
train_formed         announce the westbound train on its track with 50 flat wagons and its
                     planned boxes (rail, planner)
yard_out+box_loaded  dig it free, load it on the next free wagon slot
train_departed       depart
border_arrived       arrival at the crossing
gauge_changed        announce the 1520 mm train there, transfer every box, release the
                     emptied 1435 mm train, depart the 1520 mm one
train_arrived (W)    arrival at the destination (the boxes are delivered); release the train
train_cancelled      unload its boxes back into the yard, cancel the visit (its track is free)
train_arrived (E)    register its boxes (from its wagon list: the box_unloaded records ahead),
                     announce the 1435 mm train with the flat wagons they need (a 40 ft box per
                     wagon, 20 ft boxes paired within the payload), receive it with every box on
                     its wagon slot (rail)
box_unloaded (E)     unload the box into a yard slot; release the train when it is empty (rail)
grain_tipped         receive a lot from that grain box (emptied where it stands) into the first
                     silo bin with room, in the scenario's order (yard operator; owner
                     TWINGRAIN, wheat: the twin keeps one silo stock, the base has bins)
grain_shipped        a bulk call at the grain berth, alongside from the start of loading (the
                     twin's loader rate), ships the oldest lots first, departs (line, planner,
                     yard operator)
==================  =========================================================================

Boxes are stacked by the yard planner (:mod:`.yard_planner`), which knows when each box will
leave; a box that must leave from under others is dug free by yard moves first (rehandles, as on
a real terminal, counted in the summary). An eastbound box its train cannot carry on the scenario's
wagons (the twin's 50-wagon set takes 100 TEU whatever they weigh; two 29 t grain boxes overload a
50 t flat) is received by road at the gate instead, counted under "skipped", never faked.

A refused command (a domain error) is counted by command and field and the play goes on; a
correct run refuses nothing, which the tests check.
"""

from __future__ import annotations

import copy
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, ClassVar

from stdnum import luhn

from landbridge.domain.containers import LoadState, mass_or_tare_kg
from landbridge.domain.errors import Conflict, DomainError
from landbridge.domain.gate import hour_of
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ManifestEntry
from landbridge.domain.units import Direction, PartyRole
from landbridge.scenarios.model import Scenario
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.operations import gate, grain, manifests, parties, rail, vessel, vgm, yard
from landbridge.services.operations.parties import GoodsLineSpec
from landbridge.services.operations.rail import ArrivingBox, WagonSpec
from landbridge.services.twin_load.flows import FlowRecord, TwinRun, grouped, lookahead
from landbridge.services.twin_load.yard_planner import BlockShape, StackKey, YardPlanner, slot_text
from landbridge.simulation.params import TwinParameters
from landbridge.store.batched_unit_of_work import BatchedUnitOfWork
from landbridge.store.repositories import EVERYTHING
from landbridge.store.unit_of_work import UnitOfWork

SOURCE = "twin-load"
LINE_PARTY, FORWARDER_PARTY, GRAIN_PARTY = "TWINLINE", "TWINFWD", "TWINGRAIN"
TWIN_OWNER_CODE = "LBT"  # ISO 6346 owner code of the twin's boxes (LBTU…)
PLANNER = Actor("twin-planner", "planner", source=SOURCE)
LINE = Actor("twin-line-agent", "shipping_line", party=LINE_PARTY, source=SOURCE)
FORWARDER = Actor("twin-forwarder", "forwarder", party=FORWARDER_PARTY, source=SOURCE)
YARD = Actor("twin-yard-operator", "yard_operator", source=SOURCE)
RAIL = Actor("twin-rail-operator", "rail_operator", source=SOURCE)
GATE = Actor("twin-gate-clerk", "gate_clerk", source=SOURCE)
# The twin's grain: one Kazakh exporter's milling wheat in transit (G1, G2: wheat is the bulk of it;
# the class and moisture are assumed, the twin does not model them).
GRAIN_CROP, GRAIN_CLASS, GRAIN_MOISTURE_PCT = "wheat", "3rd class", 13.5

WEST_TRAIN_TYPE, WEST_WAGON_TYPE, WEST_WAGONS = "cn_1435", "cn_flat_40ft", 50
WIDE_TRAIN_TYPE, WIDE_WAGON_TYPE = "kz_1520", "kz_flat_80ft"  # two 40 ft slots per wagon
# Gross masses of laden boxes (assumed): light enough that a full 100 TEU train stays under the
# cn_1435 train's 1,300 t and two 20 ft boxes under a flat wagon's 50 t payload.
LADEN_20FT_KG = (8_000, 13_000)
LADEN_40FT_KG = (14_000, 25_000)
SEA_DESTINATION = "KRPUS"  # assumed: the eastbound boxes' port of discharge (Busan) in their bookings
PIN = "2468"  # the twin's delivery orders all carry one PIN (stored hashed, like any other)
WINDOW_FULL = "appointment window full; let in by the gate clerk (twin load)"
BATCH_COMMANDS = 500  # commands per transaction (each in its own savepoint; see store/batched_unit_of_work.py)


@dataclass
class Box:
    """What the loader knows about a box it has put into the hub."""

    number: str
    teu: int
    laden: bool
    mass_kg: int | None
    place: str = "announced"  # yard, wagon, gone

    @property
    def iso_type(self) -> str:
        return "22G1" if self.teu == 1 else "42G1"


@dataclass
class Train:
    """A train visit the loader announced: its wagons and how far they are filled."""

    reference: str
    route: str
    wagons: list[str]
    track: str | None
    boxes: list[str] = field(default_factory=list)
    next_wagon: int = 0
    open_half: str | None = None  # a wagon with one 20 ft box on it, waiting for a second
    wide: str | None = None  # the 1520 mm train its boxes went on at the border
    eastbound: bool = False  # arrived loaded at the base: unloaded there, then released


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
    overrides: int = 0
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

    def __init__(
        self,
        url: str,
        run: TwinRun,
        blocks: list[BlockShape],
        scenario: Scenario,
        *,
        batch_commands: int = BATCH_COMMANDS,
        savepoints: bool = False,
    ) -> None:
        self.uow = BatchedUnitOfWork.for_url(url, savepoints=savepoints)
        self.batch_commands = batch_commands
        self.run = run
        self.summary = LoadSummary(run.days, run.seed, records=len(run.records))
        self.planner = YardPlanner(blocks)
        self.ahead = lookahead(run.records)
        self.leaves = self.ahead.leaves_h
        self.hub_locode = scenario.base.locode
        self.route_locode = {route.code: route.locode for route in scenario.routes}
        flat = next(w for w in scenario.wagon_types if w.code == WEST_WAGON_TYPE)
        self.flat_payload_kg = round(flat.payload_t * 1000)
        self.set_wagons = next(t for t in scenario.train_types if t.code == WEST_TRAIN_TYPE).wagons
        self.grain_box_kg = round(scenario.grain.box_payload_t * 1000)
        self.grain_berth = scenario.grain.berth
        self.grain_loader_t_per_h = TwinParameters().grain_loader_t_per_h
        # The twin keeps one silo stock; the base has bins. A tipped box becomes a lot in the first
        # bin (scenario order) with room for it; a ship takes the oldest lots first.
        self.silo_room_kg = {
            code: round(group.capacity_t * 1000) for group in scenario.grain.silo_groups for code in group.bin_codes()
        }
        self.grain_lots: deque[list[Any]] = deque()  # [lot reference, kg left], oldest first
        self.untipped: dict[str, list[str]] = {}  # eastbound train → its grain boxes not yet tipped
        self.grain_ships = 0
        self.boxes: dict[str, Box] = {}
        self.trains: dict[str, Train] = {}
        self.calls: dict[int, str] = {}  # twin call id → vessel visit reference
        self.berthed: set[int] = set()
        self.waiting_for_call: dict[int, list[str]] = {}
        self.bookings: set[str] = set()
        self.wagon_serial = 0
        self.truck_serial = 0
        self.at: datetime = run.at(run.records[0].time_h if run.records else 0.0)

    # ------------------------------------------------------------------ plumbing
    def _do(self, what: str, command: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any | None:
        """Issue one command at the current simulated instant; count it; a refusal is counted, not raised.

        Returns the command's answer (``Outcome``), or None when it was refused.
        """
        self.summary.commands[what] += 1
        try:
            outcome = self._run(command, *args, occurred_at=self.at, **kwargs)
        except DomainError as error:
            self.summary.refused[f"{what} ({error.field})"] += 1
            if len(self.summary.first_refusals) < 20:
                self.summary.first_refusals.append(f"{self.at:%Y-%m-%d %H:%M} {what}: {error.field}: {error.reason}")
            return None
        return outcome if outcome is not None else True

    def _run(self, command: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """``command(uow, *args, **kwargs)`` through the batch, which journals it with a copy of its arguments
        (a batch replayed after a refusal must issue exactly what it issued the first time)."""
        frozen_args, frozen_kwargs = _frozen(args), _frozen(kwargs)
        return self.uow.run(lambda uow: command(uow, *frozen_args, **frozen_kwargs))

    def _wagon_number(self, gauge_mm: int) -> str:
        self.wagon_serial += 1
        serial = f"{self.wagon_serial % 1_000_000:06d}"
        base = f"4{serial}" if gauge_mm == 1520 else f"31330{serial}"
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

    def _entry(self, number: str) -> ManifestEntry:
        """A manifest line for a box (known already, or as the loader will register it)."""
        box = self.boxes.get(number)
        if box is not None:
            return ManifestEntry(number, box.iso_type, box.mass_kg)
        return ManifestEntry(number)

    # ------------------------------------------------------------------ parties, bookings, VGM
    def _parties(self) -> None:
        """The twin's shipping line (it owns the LBTU boxes) and the forwarder that books them."""
        self._do(
            "create party",
            parties.create_party,
            PLANNER,
            code=LINE_PARTY,
            name="Twin Line",
            role=PartyRole.SHIPPING_LINE,
            owner_codes=(TWIN_OWNER_CODE,),
        )
        self._do(
            "create party",
            parties.create_party,
            PLANNER,
            code=FORWARDER_PARTY,
            name="Twin Forwarding",
            role=PartyRole.FORWARDER,
        )
        self._do(
            "create party", parties.create_party, PLANNER, code=GRAIN_PARTY, name="Twin Grain", role=PartyRole.SHIPPER
        )

    def _destination(self, number: str, category: str, route: str | None) -> str:
        """Where a box is booked to: the way it leaves in the run, else what its flow says."""
        exit_route = self.ahead.exit_route.get(number, route)
        if number in self.ahead.shipped or (exit_route is None and category == "rail_to_sea"):
            return SEA_DESTINATION
        if exit_route is not None and number not in self.ahead.gated_out:
            return self.route_locode.get(exit_route, self.hub_locode)
        if number in self.ahead.gated_out or category in ("depot", "rail_to_road", "grain", "initial"):
            return self.hub_locode
        return next(iter(self.route_locode.values()), self.hub_locode)  # leaves by rail after the run

    def _book(self, box: Box, category: str, route: str | None) -> None:
        """Attach the box to its booking: one consignment per destination and day."""
        destination = self._destination(box.number, category, route)
        booking = f"TW-{destination}-{self.at:%Y%m%d}"
        if booking not in self.bookings:
            goods = GoodsLineSpec(hs_code="847130", description="consolidated cargo (twin)", packages=1, mass_kg=1)
            self._do(
                "create consignment",
                parties.create_consignment,
                FORWARDER,
                booking_reference=booking,
                shipper_code=FORWARDER_PARTY,
                consignee_code=None,
                origin=self.hub_locode,
                destination=destination,
                goods=[goods],
            )
            self.bookings.add(booking)
        self._do(
            "assign to booking", parties.assign_container, FORWARDER, booking_reference=booking, container=box.number
        )
        if box.laden and box.number in self.ahead.shipped and box.mass_kg is not None:
            self._do(
                "declare VGM",
                vgm.declare_vgm,
                FORWARDER,
                EVERYTHING,
                container=box.number,
                mass_kg=box.mass_kg,
                method=2,
                verified_by="Twin Forwarding (shipper)",
                verified_at=self.at,
            )

    def _register(self, fields: dict[str, Any], route: str | None = None) -> Box | None:
        number = str(fields["container"])
        if number in self.boxes:
            return self.boxes[number]
        teu, laden = int(fields["teu"]), not bool(fields["empty"])
        mass_kg = self._mass_kg(number, teu, laden, self.run.seed)
        if laden and fields.get("category") == "grain":  # a bulk box of grain: tare + the twin's payload
            mass_kg = mass_or_tare_kg(None, "22G1" if teu == 1 else "42G1") + self.grain_box_kg
        box = Box(number, teu, laden, mass_kg)
        command = RegisterContainer(
            ContainerNumber(number),
            box.iso_type,
            LoadState.FULL if laden else LoadState.EMPTY,
            box.mass_kg,
            source_reference=SOURCE,
        )
        if not self._do("register container", _register_command, command):
            return None
        self.boxes[number] = box
        self._book(box, str(fields.get("category", "")), route)
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
    def _appointment(self, kind: str, truck: str, box: Box) -> str | None:
        """Book the truck into the current window; a full window leaves it to the clerk's override."""
        reference = f"AP-{truck}"
        self.summary.commands["book appointment"] += 1
        try:
            self._run(
                gate.book_appointment,
                GATE,
                EVERYTHING,
                reference=reference,
                hour_start=hour_of(self.at),
                plate=truck,
                kind=kind,
                container=box.number,
                occurred_at=self.at,
            )
        except Conflict as error:
            if error.field != "hour_start":
                raise
            self.summary.overrides += 1
            return None
        return reference

    def _truck_in(self, box: Box, *, drop_off: bool, order: str | None = None) -> str | None:
        truck = self._truck()
        appointment = self._appointment("drop_off" if drop_off else "pick_up", truck, box)
        entered = self._do(
            "truck in",
            gate.truck_in,
            GATE,
            reference=truck,
            plate=truck,
            drop_off=[box.number] if drop_off else [],
            pick_up=[] if drop_off else [box.number],
            appointment_reference=appointment,
            delivery_order=order,
            pin=None if order is None else PIN,
            override_reason=WINDOW_FULL if appointment is None else None,
        )
        return truck if entered else None

    def _gate_in(self, fields: dict[str, Any]) -> None:
        box = self._register(fields)
        if box is None or box.place != "announced":
            return
        truck = self._truck_in(box, drop_off=True)
        if truck is None:
            return
        key, slot = self._slot_for(box)
        if self._do("yard move", yard.place_container, YARD, container=box.number, slot=slot):
            self._placed(box, key)
        self._do("truck out", gate.truck_out, GATE, reference=truck)

    def _gate_out(self, box: Box) -> None:
        if not self._dig_out(box):
            return
        order = f"DO-{box.number}"
        if not self._do(
            "issue delivery order",
            gate.issue_delivery_order,
            LINE,
            reference=order,
            containers=[box.number],
            valid_from=self.at - timedelta(hours=1),
            valid_to=self.at + timedelta(days=3),
            pin=PIN,
        ):
            return
        truck = self._truck_in(box, drop_off=False, order=order)
        if truck is not None and self._do("truck out", gate.truck_out, GATE, reference=truck):
            self._leave_yard(box)
            box.place = "gone"

    def _received_by_road(self, fields: dict[str, Any]) -> None:
        """An eastbound box its train could not carry (see :func:`east_wagons`): it comes in by the gate."""
        self.summary.skipped["box_unloaded (eastbound): beyond its train's wagons, received by road instead"] += 1
        self._gate_in(fields)

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
        reference = self.calls[call]
        if not self._do(
            "berth vessel",
            vessel.berth_vessel,
            PLANNER,
            reference=reference,
            berth_code=str(fields["berth"]),
            etb=self.at,
        ):
            return
        self.berthed.add(call)
        if call in self.ahead.discharge:
            entries = [self._entry(number) for number in self.ahead.discharge[call]]
            self._do("declare discharge list", manifests.set_discharge_list, LINE, visit=reference, entries=entries)
        if call in self.ahead.ship:
            entries = [self._entry(number) for number in self.ahead.ship[call]]
            self._do("declare load list", manifests.set_load_list, LINE, visit=reference, entries=entries)
        for number in self.waiting_for_call.pop(call, []):
            self._ship(call, self.boxes[number])

    def _box_discharged(self, fields: dict[str, Any]) -> None:
        call = int(fields["call"])
        if call not in self.berthed:
            return
        box = self._register(fields, route=fields.get("route"))
        if box is None:
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
    def _announce_1435(
        self, reference: str, direction: Direction, route: str, wagons: list[str], track: str | None = None
    ) -> bool:
        """Announce a 1435 mm train of the scenario's flat wagons (either direction); False if refused."""
        return bool(
            self._do(
                "announce train",
                rail.announce_train,
                RAIL,
                reference=reference,
                direction=direction,
                route_code=route,
                gauge_mm=1435,
                train_type_code=WEST_TRAIN_TYPE,
                wagons=[WagonSpec(number, WEST_WAGON_TYPE) for number in wagons],
                track_code=track,
            )
        )

    def _train_formed(self, fields: dict[str, Any]) -> None:
        if fields.get("direction") != "west":
            return
        reference = str(fields["train"])
        track = str(fields["track"]) if fields.get("track") else None
        wagons = [self._wagon_number(1435) for _ in range(WEST_WAGONS)]
        if not self._announce_1435(reference, Direction.WEST, str(fields["route"]), wagons, track):
            return
        self.trains[reference] = Train(reference, str(fields["route"]), wagons, track)
        planned = self.ahead.planned.get(reference)
        if planned:
            entries = [self._entry(number) for number in planned]
            self._do("declare planned boxes", manifests.set_planned_boxes, PLANNER, train=reference, entries=entries)

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
            return  # never formed (no track or no wagons): nothing was announced
        for number in list(train.boxes):
            box = self.boxes[number]
            key, slot = self._slot_for(box)
            if self._do(
                "unload wagon", rail.unload_from_wagon, RAIL, train=train.reference, container=number, slot=slot
            ):
                self._placed(box, key)
                train.boxes.remove(number)
        reason = f"twin: {fields.get('reason') or 'cancelled'}"
        self._do("cancel train", rail.cancel_train_visit, RAIL, train=train.reference, reason=reason)

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
        self._do("release train", rail.release_train, RAIL, train=train.reference)
        self._do("depart train", rail.depart_train, RAIL, train=wide)

    def _train_arrived(self, fields: dict[str, Any]) -> None:
        if fields.get("direction") == "east":
            self._east_train_arrived(fields)
            return
        train = self.trains.get(str(fields["train"]))
        if train is None or fields.get("direction") != "west":
            return
        arrived = train.wide or train.reference
        if self._do("train arrival", rail.arrive_at_destination, RAIL, train=arrived):
            for number in train.boxes:
                self.boxes[number].place = "gone"
            self._do("release train", rail.release_train, RAIL, train=arrived)

    def _east_train_arrived(self, fields: dict[str, Any]) -> None:
        """An eastbound train at the base: announce it with its wagons, receive it with its boxes on them."""
        reference, route = str(fields["train"]), str(fields["route"])
        arriving = [self._register(box_fields) for box_fields in self.ahead.arriving.get(reference, [])]
        boxes = [box for box in arriving if box is not None and box.place in ("announced", "gone")]
        groups, _beyond = east_wagons(boxes, self.flat_payload_kg, self.set_wagons)
        wagons = [self._wagon_number(1435) for _ in groups]
        if not self._announce_1435(reference, Direction.EAST, route, wagons or [self._wagon_number(1435)]):
            return
        on_board = [
            ArrivingBox(box.number, wagon) for wagon, group in zip(wagons, groups, strict=True) for box in group
        ]
        if self._do("receive train", rail.receive_train, RAIL, train=reference, boxes=on_board):
            train = Train(reference, route, wagons, None, [box.container for box in on_board], eastbound=True)
            self.trains[reference] = train
            for box in on_board:
                self.boxes[box.container].place = "wagon"
            if not train.boxes:
                self._do("release train", rail.release_train, RAIL, train=reference)

    def _box_unloaded(self, fields: dict[str, Any]) -> None:
        train = self.trains.get(str(fields["train"]))
        if train is not None and not train.eastbound:
            return  # a cancelled westbound train's box: unloaded with its train_cancelled record
        number = str(fields["container"])
        if fields.get("category") == "grain" and not fields.get("empty"):
            self.untipped.setdefault(str(fields["train"]), []).append(number)
        box = self.boxes.get(number)
        if train is None or box is None or number not in train.boxes:
            self._received_by_road(fields)
            return
        key, slot = self._slot_for(box)
        if self._do("unload wagon", rail.unload_from_wagon, RAIL, train=train.reference, container=number, slot=slot):
            self._placed(box, key)
            train.boxes.remove(number)
            if not train.boxes:
                self._do("release train", rail.release_train, RAIL, train=train.reference)

    # ------------------------------------------------------------------ grain
    def _grain_tipped(self, fields: dict[str, Any]) -> None:
        """A grain box of an eastbound train emptied into the silo: a lot received from that container."""
        waiting = self.untipped.get(str(fields["train"]))
        if not waiting:
            self.summary.skipped["grain_tipped: no grain box of its train at the base"] += 1
            return
        number = waiting.pop(0)
        mass_kg = round(float(fields["tonnes"]) * 1000)
        silo = next((code for code, room in self.silo_room_kg.items() if room >= mass_kg), None)
        if silo is None:
            self.summary.skipped["grain_tipped: every silo bin full"] += 1
            return
        reference = f"TW-G-{number}"
        if self._do(
            "receive grain",
            grain.receive_grain,
            YARD,
            reference=reference,
            owner_code=GRAIN_PARTY,
            crop=GRAIN_CROP,
            grain_class=GRAIN_CLASS,
            mass_kg=mass_kg,
            moisture_pct=GRAIN_MOISTURE_PCT,
            silo_code=silo,
            source_kind="containers",
            sources=[number],
        ):
            self.silo_room_kg[silo] -= mass_kg
            self.grain_lots.append([reference, silo, mass_kg])
            box = self.boxes[number]
            box.laden, box.mass_kg = False, None  # emptied where it stands

    def _grain_shipped(self, fields: dict[str, Any]) -> None:
        """A bulk ship loaded at the grain berth: its call, the oldest lots first, its departure."""
        wanted_kg = round(float(fields["tonnes"]) * 1000)
        self.grain_ships += 1
        reference = f"TW-GV{self.grain_ships:04d}"
        loaded_at = self.at
        # The twin reports the ship when loaded; it came alongside when loading began (the silo's rate).
        self.at = loaded_at - timedelta(hours=float(fields["tonnes"]) / self.grain_loader_t_per_h)
        try:
            announced = self._do(
                "announce vessel",
                vessel.announce_vessel,
                LINE,
                reference=reference,
                vessel_name="Twin bulk",
                eta=self.at,
            )
            berthed = announced and self._do(
                "berth vessel",
                vessel.berth_vessel,
                PLANNER,
                reference=reference,
                berth_code=self.grain_berth,
                etb=self.at,
            )
        finally:
            self.at = loaded_at
        if not berthed:
            return
        while wanted_kg > 0 and self.grain_lots:
            lot = self.grain_lots[0]
            taken = min(wanted_kg, lot[2])
            if not self._do("ship grain", grain.ship_grain, YARD, lot=lot[0], mass_kg=taken, vessel_visit=reference):
                break
            wanted_kg -= taken
            lot[2] -= taken
            self.silo_room_kg[lot[1]] += taken
            if lot[2] == 0:
                self.grain_lots.popleft()
        self._do("depart vessel", vessel.depart_vessel, PLANNER, reference=reference)

    # ------------------------------------------------------------------ the play
    def play_instant(self, batch: list[FlowRecord]) -> None:
        """The commands for everything that happened at one simulated instant."""
        self.at = self.run.at(batch[0].time_h)
        shipped = {int(r.fields["box"]): int(r.fields["call"]) for r in batch if r.kind == "box_shipped"}
        loaded = {int(r.fields["box"]): r for r in batch if r.kind == "box_loaded"}
        for record in batch:
            kind, fields = record.kind, record.fields
            handler = self._handlers.get(kind)
            if handler is not None:
                handler(self, fields)
                continue
            if kind in ("yard_in", "box_shipped", "box_loaded", "gate_refused"):
                continue  # played with the record that moves the box (gate_in, discharge, yard_out)
            if kind in ("yard_out", "gate_out"):
                box = self.boxes.get(str(fields["container"]))
                if box is None or box.place != "yard":
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
        "box_unloaded": _box_unloaded,
        "grain_tipped": _grain_tipped,
        "grain_shipped": _grain_shipped,
    }

    def play(self, progress: Callable[[int, datetime], None] | None = None) -> LoadSummary:
        """Play every record; ``progress`` gets the records done and the simulated instant."""
        started = time.perf_counter()
        try:
            self._parties()
            done = 0
            for batch in grouped(self.run.records):
                self.play_instant(batch)
                done += len(batch)
                if self.uow.pending >= self.batch_commands:
                    self.uow.commit_batch()
                if progress is not None:
                    progress(done, self.at)
            self.uow.commit_batch()
        finally:
            self.uow.close()
        self.summary.wall_s += time.perf_counter() - started
        return self.summary


_IMMUTABLE = (str, int, float, bool, type(None), datetime, timedelta, Enum)


def _frozen(value: Any) -> Any:
    """A copy of a command's arguments that later changes by the player cannot reach (a batch replay
    issues exactly what it issued the first time): containers copied, immutable values and frozen
    dataclasses kept as they are, anything else deep-copied. ``copy.deepcopy`` of every argument
    was 6 % of the loader's CPU (profile, issue #19)."""
    if isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, list):
        return [_frozen(item) for item in value]
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return type(value)(_frozen(item) for item in value)
    parameters = getattr(type(value), "__dataclass_params__", None)
    if parameters is not None and parameters.frozen:
        return value  # its fields cannot be reassigned; the player builds them from immutable values
    return copy.deepcopy(value)


def east_wagons(boxes: list[Box], payload_kg: int, wagons: int) -> tuple[list[list[Box]], list[Box]]:
    """The flat wagons of an arriving 1435 mm train, as the forming terminal would have loaded them.

    A 40 ft box takes a flat wagon; 20 ft boxes go in pairs, the heaviest with the lightest, as long
    as the pair stays within the wagon's ``payload_kg`` (two grain boxes do not). Boxes beyond the
    train type's ``wagons`` are returned apart: the twin's train carried them, the scenario's wagons
    cannot, and the loader does not fake it (they come in by road; counted).
    """

    def mass(box: Box) -> int:
        return mass_or_tare_kg(box.mass_kg, box.iso_type)

    groups: list[list[Box]] = [[box] for box in boxes if box.teu == 2]
    twenties = sorted((box for box in boxes if box.teu == 1), key=lambda box: (-mass(box), box.number))
    low, high = 0, len(twenties) - 1
    while low <= high:
        heavy = twenties[low]
        low += 1
        if low <= high and mass(heavy) + mass(twenties[high]) <= payload_kg:
            groups.append([heavy, twenties[high]])
            high -= 1
        else:
            groups.append([heavy])
    return groups[:wagons], [box for group in groups[wagons:] for box in group]


def _register_command(uow: UnitOfWork, command: RegisterContainer, occurred_at: datetime) -> Any:
    return register_container(uow, replace(command, occurred_at=occurred_at), PLANNER)
