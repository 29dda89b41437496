"""A demo operating day at the base, played through the same operations services the API calls.

Why it exists: a fresh ``make run`` should open on a living base, not on empty screens. The
browser tests' fixture writes rows straight into tables, which bypasses the rules and leaves no
audit trail; this module instead issues every command as a named operator in its role (planner,
yard operator, rail operator, gate clerk, customs officer), so each change is checked by the
same rules and recorded as the same events as if people had done it — replay and the DCSA
projection see an ordinary day.

What the day holds: parties and bookings, a container ship discharged into the yard, housekeeping
moves, a truck dropping off export boxes and one picking up an import, customs holds, four
westbound block trains (one changes gauge at Khorgos and reaches Almaty, one waits at the border,
one is on its way to Duisburg, one is loading), Chinese hopper wagons of Kazakh grain unloaded
into the silos, a grain transfer and a bulk carrier loading at berth 32.

The services stamp events with the wall clock, so every event is dated the moment the demo runs
("today" on the dashboard); ``at`` sets only the planned times the commands take as input (vessel
ETA/ETB, gate windows) and the dates in visit references. The same ``seed`` and ``at`` give the
same boxes, wagons, slots and masses.

Each command is one transaction; a refused command raises :class:`DemoStepFailed` naming the
step, and what earlier steps did stays recorded (as it would for operators).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select

from landbridge.demo.numbers import Numbers
from landbridge.demo.yard_plan import YardLayout, YardPlan
from landbridge.domain.containers import LoadState
from landbridge.domain.errors import DomainError
from landbridge.domain.grain import HopperWagon
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.iso_types import size_type
from landbridge.domain.manifests import ManifestEntry
from landbridge.domain.units import Direction, PartyRole
from landbridge.scenarios import Scenario, current_scenario
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.event_time import occurring_at
from landbridge.services.operations import gate, grain, holds, manifests, parties, rail, vessel, yard
from landbridge.services.operations.gate import hour_of
from landbridge.services.operations.parties import GoodsLineSpec
from landbridge.services.operations.rail import WagonSpec
from landbridge.store import tables
from landbridge.store.repositories import EVERYTHING
from landbridge.store.unit_of_work import UnitOfWork

SOURCE = "demo-day"

# The operators of the day; each command is issued in the role the policy table gives that action.
PLANNER = Actor("demo-planner", "planner", source=SOURCE)
LINE = Actor("demo-cosco-agent", "shipping_line", party="COSCO", source=SOURCE)
YARD = Actor("demo-yard-operator", "yard_operator", source=SOURCE)
RAIL = Actor("demo-rail-operator", "rail_operator", source=SOURCE)
GATE = Actor("demo-gate-clerk", "gate_clerk", source=SOURCE)
CUSTOMS = Actor("demo-customs-officer", "customs_officer", source=SOURCE)

# Tables whose rows mean somebody already operates on this database (master data excluded).
OPERATIONAL_TABLES = (
    tables.PartyRow,
    tables.ContainerRow,
    tables.VesselVisitRow,
    tables.TrainVisitRow,
    tables.GrainLotRow,
    tables.TruckVisitRow,
)


class DemoStepFailed(Exception):
    """A step of the demo day was refused; names the step so the operator knows where it stopped."""

    def __init__(self, step: str, error: Exception) -> None:
        reason = f"{error.field}: {error.reason}" if isinstance(error, DomainError) else str(error)
        super().__init__(f"step {step!r} failed: {reason}")
        self.step = step
        self.reason = reason


@dataclass(frozen=True)
class Booking:
    """A consignment of the day and where its boxes go."""

    reference: str
    shipper: str
    consignee: str | None
    destination: str  # UN/LOCODE
    goods: tuple[GoodsLineSpec, ...]


@dataclass
class DemoSummary:
    """What the day created: the figures the command prints and the tests check against the tables."""

    seed: int
    at: datetime
    parties: int = 0
    consignments: int = 0
    containers: int = 0
    containers_by_place: dict[str, int] = field(default_factory=dict)
    vessel_visits: dict[str, str] = field(default_factory=dict)  # reference -> status
    trains: dict[str, str] = field(default_factory=dict)  # reference -> status
    wagons: int = 0
    yard_moves: int = 0
    appointments: int = 0
    truck_visits: int = 0
    holds_open: list[str] = field(default_factory=list)
    holds_released: int = 0
    grain_lots: int = 0
    grain_received_kg: int = 0
    grain_shipped_kg: int = 0
    grain_in_stock_kg: int = 0
    events: int = 0
    tracked_box: str | None = None  # a box on a departed train: its shipper sees an ETA


@contextmanager
def _step(name: str) -> Iterator[None]:
    """Name the step in any refusal, so a failed demo says where it stopped."""
    try:
        yield
    except DemoStepFailed:
        raise
    except Exception as error:
        raise DemoStepFailed(name, error) from error


def has_operational_data(uow: UnitOfWork) -> bool:
    """Whether parties, boxes, visits, trucks or grain lots already exist (master data does not count)."""
    with uow:
        return any(uow.session.scalar(select(func.count()).select_from(row)) for row in OPERATIONAL_TABLES)


def is_seeded(uow: UnitOfWork) -> bool:
    """Whether the scenario's master data (berths, blocks, routes…) is in place."""
    from landbridge.services.seeding import is_seeded as seeded

    return seeded(uow)


def event_count(uow: UnitOfWork) -> int:
    """Rows in the audit trail."""
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(tables.EventRow)) or 0)


@dataclass
class _Box:
    """A box of the day as the demo plans it (the services keep the truth)."""

    number: str
    iso_type: str
    gross_mass_kg: int
    booking: str
    group: str  # which train or truck takes it

    @property
    def length_ft(self) -> int:
        return size_type(self.iso_type).length_ft


# The line whose agent announces the ships: it owns the boxes with these ISO 6346 owner codes.
LINE_PARTY = ("COSCO", "COSCO Shipping Lines", ("COS", "CSN", "CXR"))

# The bookings of the day: a Chinese forwarder sends manufactured goods west; Kazakh traders own the grain.
PARTIES = (
    ("JSFWD", "Jiangsu Lianyun Forwarding Co.", PartyRole.FORWARDER, "CN"),
    ("ALMATRADE", "Almaty Trade LLP", PartyRole.CONSIGNEE, "KZ"),
    ("TASHTEKS", "Tashkent Teks Import", PartyRole.CONSIGNEE, "UZ"),
    ("RHEINLOG", "Rhein-Ruhr Logistik GmbH", PartyRole.CONSIGNEE, "DE"),
    ("BISHKOM", "Bishkek Commerce", PartyRole.CONSIGNEE, "KG"),
    ("LYGIMPORT", "Lianyungang Import Trading", PartyRole.CONSIGNEE, "CN"),
    ("KAZGRAIN", "KazGrain Export JSC", PartyRole.SHIPPER, "KZ"),
    ("ALTYNAGRO", "Altyn Agro Trading LLP", PartyRole.SHIPPER, "KZ"),
)


def _bookings(day: str, base_locode: str) -> dict[str, Booking]:
    def line(hs: str, text: str, packages: int, mass_kg: int) -> GoodsLineSpec:
        return GoodsLineSpec(hs_code=hs, description=text, packages=packages, mass_kg=mass_kg)

    return {
        "almaty": Booking(
            f"BK-{day}-ALA",
            "JSFWD",
            "ALMATRADE",
            "KZALA",
            (line("847130", "portable computers", 1200, 180_000), line("080810", "fresh apples", 2400, 40_000)),
        ),
        "tashkent": Booking(
            f"BK-{day}-TAS", "JSFWD", "TASHTEKS", "UZTAS", (line("845140", "washing machines", 900, 260_000),)
        ),
        "duisburg": Booking(
            f"BK-{day}-DUI", "JSFWD", "RHEINLOG", "DEDUI", (line("870899", "motor vehicle parts", 3000, 240_000),)
        ),
        "bishkek": Booking(
            f"BK-{day}-FRU", "JSFWD", "BISHKOM", "KGFRU", (line("940360", "wooden furniture", 1500, 200_000),)
        ),
        "moscow": Booking(
            f"BK-{day}-MOW", "JSFWD", None, "RUMOW", (line("850440", "static converters", 800, 220_000),)
        ),
        "local": Booking(
            f"BK-{day}-LYG", "JSFWD", "LYGIMPORT", base_locode, (line("392690", "plastic articles", 600, 40_000),)
        ),
    }


# How many boxes each group gets: tens of boxes, so the day plays in seconds.
# "moscow" boxes wait in the yard for next week's train, so the yard screen is not empty.
SEA_BOXES = {"almaty": 14, "tashkent": 10, "duisburg": 10, "bishkek": 12, "local": 3, "moscow": 16}
REEFERS_TO_ALMATY = 2
GATE_DROP_OFFS = 4  # export boxes trucked in for the Bishkek train
OWNERS = ("CSN", "COS", "TGH", "FCI", "JSF")


def _draw_boxes(draw: random.Random, numbers: Numbers, bookings: dict[str, Booking]) -> list[_Box]:
    """The ship's boxes: three in four 40 ft (half of those high cube), the rest 20 ft, 12-26 t gross."""
    boxes: list[_Box] = []
    for group, count in SEA_BOXES.items():
        for _ in range(count):
            roll = draw.random()
            iso_type = "22G1" if roll < 0.25 else ("45G1" if roll < 0.6 else "42G1")
            mass_kg = draw.randrange(12_000, 24_001, 100) if iso_type == "22G1" else draw.randrange(14_000, 26_001, 100)
            boxes.append(
                _Box(numbers.container(draw.choice(OWNERS)), iso_type, mass_kg, bookings[group].reference, group)
            )
    for _ in range(REEFERS_TO_ALMATY):
        boxes.append(
            _Box(
                numbers.container("CXR"),
                "45R1",
                draw.randrange(24_000, 28_001, 100),
                bookings["almaty"].reference,
                "almaty",
            )
        )
    return boxes


def _wagon_loads(boxes: list[_Box]) -> list[list[_Box]]:
    """Boxes per 40 ft platform: one 40/45 ft box, or two 20 ft boxes side by side, in the given order."""
    loads: list[list[_Box]] = []
    half_open: list[_Box] | None = None
    for box in boxes:
        if box.length_ft >= 40:
            loads.append([box])
        elif half_open is not None:
            half_open.append(box)
            half_open = None
        else:
            half_open = [box]
            loads.append(half_open)
    return loads


HOPPERS_PER_LOT = 3
DAY_SPAN = timedelta(hours=10)  # the day starts this long before --at ...
TICK = timedelta(seconds=30)  # ... and each command takes this long, so the whole day ends before --at
GATE_STEP_SPAN = 40 * TICK  # the gate step's commands, from the first booking to the last truck out
T = TypeVar("T")
WIDE_WAGON_CARGO_KG = 60_000  # kz_flat_80ft: 72 t payload, but (26 t tare + cargo) / 4 axles <= 23.5 t


def _wide_wagon_plan(loads: list[list[_Box]]) -> list[list[list[_Box]]]:
    """Platform loads paired onto 80 ft wagons (two 40 ft slots) while the wagon stays under its axle limit."""
    wagons: list[list[list[_Box]]] = []
    for load in loads:
        mass_kg = sum(b.gross_mass_kg for b in load)
        last = wagons[-1] if wagons else None
        if (
            last is not None
            and len(last) < 2
            and sum(b.gross_mass_kg for s in last for b in s) + mass_kg <= (WIDE_WAGON_CARGO_KG)
        ):
            last.append(load)
        else:
            wagons.append([load])
    return wagons


@dataclass(frozen=True)
class _Places:
    """The berths, tracks and silos of the scenario the day uses."""

    base_locode: str
    container_berth: str
    grain_berth: str
    tracks: tuple[str, ...]
    silos: tuple[str, ...]  # bins of the first (large) silo group
    small_silo: str  # a bin of the last group (star bins), for a small lot

    @classmethod
    def of(cls, scenario: Scenario) -> _Places:
        """The mainline ship takes the deepest container berth (the first of equals); grain its own berth."""
        container_berths = [b for b in scenario.port.berths if b.purpose == "container"]
        deepest = max(container_berths, key=lambda b: b.depth_m)
        groups = scenario.grain.silo_groups
        return cls(
            base_locode=scenario.base.locode,
            container_berth=deepest.code,
            grain_berth=scenario.grain.berth,
            tracks=tuple(t.code for t in scenario.base.rail.loading_tracks),
            silos=tuple(groups[0].bin_codes()),
            small_silo=groups[-1].bin_codes()[0],
        )


class _Day:
    """The state the demo threads from step to step."""

    def __init__(self, uow: UnitOfWork, seed: int, at: datetime, scenario: Scenario) -> None:
        self.uow = uow
        self.at = at
        self.draw = random.Random(seed)
        self.numbers = Numbers(self.draw)
        self.yard = YardPlan(self.draw, YardLayout.of(scenario.base.yard))
        self.places = _Places.of(scenario)
        self.day = at.strftime("%m%d")
        self.bookings = _bookings(self.day, self.places.base_locode)
        self.boxes: dict[str, _Box] = {}
        self.summary = DemoSummary(seed=seed, at=at)
        self.clock = at - DAY_SPAN  # the day's own clock: every command happens at its tick

    def do(self, command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one command at the next tick of the day's clock (its events carry that ``occurred_at``)."""
        self.clock += TICK
        with occurring_at(self.clock):
            return command(*args, **kwargs)

    def group(self, name: str) -> list[_Box]:
        return [b for b in self.boxes.values() if b.group == name]

    # --- parties, bookings, boxes -------------------------------------------------------------------

    def parties_and_bookings(self) -> None:
        with _step("parties"):
            code, name, owner_codes = LINE_PARTY
            parties.create_party(
                self.uow,
                PLANNER,
                code=code,
                name=name,
                role=PartyRole.SHIPPING_LINE,
                country="CN",
                owner_codes=owner_codes,
            )
            self.summary.parties += 1
            for code, name, role, country in PARTIES:
                self.do(parties.create_party, self.uow, PLANNER, code=code, name=name, role=role, country=country)
                self.summary.parties += 1
        with _step("consignments"):
            for booking in self.bookings.values():
                self.do(
                    parties.create_consignment,
                    self.uow,
                    PLANNER,
                    booking_reference=booking.reference,
                    shipper_code=booking.shipper,
                    consignee_code=booking.consignee,
                    origin=self.places.base_locode,
                    destination=booking.destination,
                    goods=list(booking.goods),
                )
                self.summary.consignments += 1

    def register(self, boxes: list[_Box]) -> None:
        with _step("register containers"):
            for box in boxes:
                reefer = size_type(box.iso_type).is_reefer
                self.do(
                    register_container,
                    self.uow,
                    RegisterContainer(
                        number=ContainerNumber(box.number),
                        iso_type=box.iso_type,
                        load_state=LoadState.FULL,
                        gross_mass_kg=box.gross_mass_kg,
                        seals=(f"SL{self.draw.randrange(10**7):07d}",),
                        reefer_setpoint_c=2.0 if reefer else None,
                        source_reference=SOURCE,
                    ),
                    YARD,
                )
                self.do(
                    parties.assign_container, self.uow, PLANNER, booking_reference=box.booking, container=box.number
                )
                self.boxes[box.number] = box
                self.summary.containers += 1

    # --- the container ship -------------------------------------------------------------------------

    def container_ship(self) -> None:
        reference = f"V-COSCO-{self.day}"
        with _step("announce and berth the container ship"):
            self.do(
                vessel.announce_vessel,
                self.uow,
                LINE,
                reference=reference,
                vessel_name="COSCO Lianyungang",
                eta=self.at - timedelta(hours=10),
                imo_number=self.numbers.imo(),
            )
            self.do(
                vessel.berth_vessel,
                self.uow,
                LINE,
                reference=reference,
                berth_code=self.places.container_berth,
                etb=self.at - timedelta(hours=8),
            )
        boxes = _draw_boxes(self.draw, self.numbers, self.bookings)
        self.register(boxes)
        with _step("the line declares the ship's discharge list"):
            self.do(
                manifests.set_discharge_list,
                self.uow,
                LINE,
                visit=reference,
                entries=[ManifestEntry(b.number, b.iso_type, b.gross_mass_kg) for b in boxes],
            )
        with _step("discharge the container ship into the yard"):
            for box in boxes:
                self.do(
                    vessel.discharge_container,
                    self.uow,
                    YARD,
                    reference=reference,
                    container=box.number,
                    slot=self.yard.slot_for(box),
                )
        self.summary.vessel_visits[reference] = "berthed"

    def housekeeping(self) -> None:
        """Yard housekeeping: the Bishkek boxes (their train loads tomorrow) are regrouped onto fresh stacks."""
        with _step("yard housekeeping moves"):
            bishkek = [b.number for b in self.group("bishkek")]
            for number in self.yard.load_order(bishkek)[:6]:
                box = self.boxes[number]
                self.yard.take(number)
                slot = self.yard.slot_for(box, stacks_of="bishkek-regrouped")  # fresh stacks, away from the old
                self.do(yard.place_container, self.uow, YARD, container=number, slot=slot)
                self.summary.yard_moves += 1

    # --- the gate -----------------------------------------------------------------------------------

    def gate_day(self) -> None:
        """Export boxes trucked in on appointments; an import box picked up on its delivery order and PIN."""
        drop_offs = [
            _Box(
                self.numbers.container(self.draw.choice(OWNERS)),
                "42G1",
                self.draw.randrange(15_000, 24_001, 100),
                self.bookings["bishkek"].reference,
                "bishkek",
            )
            for _ in range(GATE_DROP_OFFS)
        ]
        self.register(drop_offs)
        local = self.group("local")
        # The trucks come in the window of the first booking's tick; a gate step that would straddle
        # the hour (bookings in one window, trucks in the next, or the first booking in a window just
        # over) starts at the top of the next hour instead. The clock only moves forward.
        if hour_of(self.clock + GATE_STEP_SPAN) != hour_of(self.clock):
            self.clock = hour_of(self.clock) + timedelta(hours=1)
        window = hour_of(self.clock + TICK)
        with _step("gate appointments"):
            for index in range(2):
                self.do(
                    gate.book_appointment,
                    self.uow,
                    GATE,
                    EVERYTHING,
                    reference=f"AP-{self.day}-{index + 1:03d}",
                    hour_start=window,
                    plate=f"苏G{71230 + index}",
                    kind="drop_off",
                    container=drop_offs[2 * index].number,
                )
            pick, *later = self.yard.load_order([b.number for b in local])
            self.do(
                gate.book_appointment,
                self.uow,
                GATE,
                EVERYTHING,
                reference=f"AP-{self.day}-003",
                hour_start=window,
                plate="苏G80415",
                kind="pick_up",
                container=pick,
            )
            for index, number in enumerate(later):  # the other import boxes are collected later today
                self.do(
                    gate.book_appointment,
                    self.uow,
                    GATE,
                    EVERYTHING,
                    reference=f"AP-{self.day}-{index + 4:03d}",
                    hour_start=window + timedelta(hours=index + 1),
                    plate=f"苏G9{index}512",
                    kind="pick_up",
                    container=number,
                )
            self.summary.appointments = 3 + len(later)
        # The import boxes are owned by several lines (OWNERS), not only the one whose agent works here, and a
        # line may release only its own boxes; so the hub's planner issues the order on the consignee's release.
        with _step("the planner releases the import boxes (delivery order)"):
            order = f"DO-{self.day}-001"
            issued = self.do(
                gate.issue_delivery_order,
                self.uow,
                PLANNER,
                reference=order,
                containers=[pick, *later],
                valid_from=self.clock - timedelta(hours=1),
                valid_to=self.at + timedelta(days=2),
            )
            pin = str(issued.body["pin"])
        with _step("trucks drop off export boxes"):
            for index in range(2):
                truck = f"TV-{self.day}-{index + 1:03d}"
                pair = drop_offs[2 * index : 2 * index + 2]
                self.do(
                    gate.truck_in,
                    self.uow,
                    GATE,
                    reference=truck,
                    plate=f"苏G{71230 + index}",
                    drop_off=[b.number for b in pair],
                    pick_up=[],
                    appointment_reference=f"AP-{self.day}-{index + 1:03d}",
                )
                for box in pair:
                    slot = self.yard.slot_for(box, stacks_of="bishkek-gate")
                    self.do(yard.place_container, self.uow, YARD, container=box.number, slot=slot)
                self.do(gate.truck_out, self.uow, GATE, reference=truck)
                self.summary.truck_visits += 1
        with _step("truck picks up an import box"):
            truck = f"TV-{self.day}-003"
            self.do(
                gate.truck_in,
                self.uow,
                GATE,
                reference=truck,
                plate="苏G80415",
                drop_off=[],
                pick_up=[pick],
                appointment_reference=f"AP-{self.day}-003",
                delivery_order=order,
                pin=pin,
            )
            self.yard.take(pick)
            self.do(gate.truck_out, self.uow, GATE, reference=truck)
            self.summary.truck_visits += 1

    # --- customs ------------------------------------------------------------------------------------

    def customs_checks(self) -> None:
        """One box of the loading Bishkek train stays held; one Almaty box is checked and released."""
        with _step("customs holds"):
            held = self.yard.load_order([b.number for b in self.group("bishkek")])[0]
            self.do(
                holds.place_hold,
                self.uow,
                CUSTOMS,
                container=held,
                reason="documents check: declared HS code 940360 against the packing list",
            )
            self.summary.holds_open.append(held)
            checked = self.group("almaty")[0].number
            outcome = self.do(holds.place_hold, self.uow, CUSTOMS, container=checked, reason="random X-ray inspection")
            self.do(holds.release_hold, self.uow, CUSTOMS, hold_id=int(outcome.body["id"]))
            self.summary.holds_released += 1

    # --- westbound block trains ---------------------------------------------------------------------

    def _announce(
        self, reference: str, route: str, track: str | None, wagon_count: int, gauge_mm: int = 1435
    ) -> list[str]:
        if gauge_mm == 1435:
            wagons = [self.numbers.uic_wagon("31") for _ in range(wagon_count)]
            specs = [WagonSpec(n, "cn_flat_40ft") for n in wagons]
            train_type = "cn_1435"
        else:
            wagons = [self.numbers.wagon_1520("4") for _ in range(wagon_count)]
            specs = [WagonSpec(n, "kz_flat_80ft") for n in wagons]
            train_type = "kz_1520"
        self.do(
            rail.announce_train,
            self.uow,
            RAIL,
            reference=reference,
            direction=Direction.WEST,
            route_code=route,
            gauge_mm=gauge_mm,
            train_type_code=train_type,
            wagons=specs,
            track_code=track,
        )
        self.summary.trains[reference] = "announced"
        self.summary.wagons += len(wagons)
        return wagons

    def _load(self, reference: str, wagons: list[str], boxes: list[_Box]) -> None:
        planned = [ManifestEntry(b.number, b.iso_type, b.gross_mass_kg) for b in boxes]
        self.do(manifests.set_planned_boxes, self.uow, PLANNER, train=reference, entries=planned)
        order = self.yard.load_order([b.number for b in boxes])
        for wagon, load in zip(wagons, _wagon_loads([self.boxes[n] for n in order]), strict=False):
            for box in load:
                self.yard.take(box.number)
                self.do(
                    rail.load_on_wagon,
                    self.uow,
                    RAIL,
                    train=reference,
                    container=box.number,
                    wagon_number=wagon,
                    slot=1,
                )
        self.summary.trains[reference] = "loading"

    def trains(self) -> None:
        almaty, tashkent = f"TR-ALA-{self.day}", f"TR-TAS-{self.day}"
        duisburg, bishkek = f"TR-DUI-{self.day}", f"TR-FRU-{self.day}"
        wide = f"KZ-ALA-{self.day}"
        with _step(f"train {almaty}: load, depart, Khorgos, gauge change, Almaty"):
            boxes = self.group("almaty")
            wagons = self._announce(almaty, "almaty", self.places.tracks[0], len(_wagon_loads(boxes)))
            self._load(almaty, wagons, boxes)
            self.do(rail.depart_train, self.uow, RAIL, train=almaty)
            self.do(rail.arrive_at_border, self.uow, RAIL, train=almaty)
            # At Altynkol the boxes are lifted onto 1520 mm wagons of two 40 ft slots each.
            plan = _wide_wagon_plan(_wagon_loads(boxes))
            wide_wagons = self._announce(wide, "almaty", None, len(plan), gauge_mm=1520)
            for wagon, slots in zip(wide_wagons, plan, strict=True):
                for slot, load in enumerate(slots, start=1):
                    for box in load:
                        self.do(
                            rail.gauge_transfer,
                            self.uow,
                            RAIL,
                            train=almaty,
                            container=box.number,
                            to_train=wide,
                            wagon_number=wagon,
                            slot=slot,
                        )
            self.do(rail.release_train, self.uow, RAIL, train=almaty)  # the emptied Chinese train
            self.do(rail.depart_train, self.uow, RAIL, train=wide)
            self.do(rail.arrive_at_destination, self.uow, RAIL, train=wide)
            # Emptied at Almaty, the 1520 mm wagons go back to the border station for the next train.
            self.do(rail.release_train, self.uow, RAIL, train=wide)
            empties = f"KZ-RET-{self.day}"
            self.do(rail.return_empty_wagons, self.uow, PLANNER, train=wide, reference=empties)
            self.summary.trains[almaty] = "released"
            self.summary.trains[wide] = "released"
            self.summary.trains[empties] = "departed"
        with _step(f"train {tashkent}: load, depart, wait at Khorgos"):
            boxes = self.group("tashkent")
            self._load(
                tashkent, self._announce(tashkent, "tashkent", self.places.tracks[1], len(_wagon_loads(boxes))), boxes
            )
            self.do(rail.depart_train, self.uow, RAIL, train=tashkent)
            self.do(rail.arrive_at_border, self.uow, RAIL, train=tashkent)
            self.summary.trains[tashkent] = "at_border"
        with _step(f"train {duisburg}: load, depart for Alashankou and Europe"):
            boxes = self.group("duisburg")
            self._load(
                duisburg, self._announce(duisburg, "duisburg", self.places.tracks[2], len(_wagon_loads(boxes))), boxes
            )
            self.do(rail.depart_train, self.uow, RAIL, train=duisburg)
            self.summary.trains[duisburg] = "departed"
            self.summary.tracked_box = boxes[0].number
        with _step(f"train {bishkek}: loading (one box held by customs)"):
            boxes = self.group("bishkek")
            wagons = self._announce(bishkek, "bishkek", self.places.tracks[0], len(_wagon_loads(boxes)) + 4)
            first = self.yard.load_order([b.number for b in boxes])[: len(boxes) * 2 // 3]
            self._load(bishkek, wagons, [self.boxes[n] for n in first])

    # --- grain --------------------------------------------------------------------------------------

    def grain_day(self) -> None:
        """An eastbound train of Chinese hopper wagons brings Kazakh wheat and barley into the silos.

        Each lot is the grain of up to three wagons weighed together: ``receive_grain`` records its
        wagon list in a 64-character ledger field, which a longer list overflows on PostgreSQL.
        """
        silos, small = self.places.silos, self.places.small_silo
        cuts = (  # owner, crop, class, silo, wagons, moisture %
            ("KAZGRAIN", "wheat", "3", silos[0], 12, 12.5),
            ("KAZGRAIN", "wheat", "3", silos[1], 12, 13.1),
            ("ALTYNAGRO", "barley", "2", small, 5, 11.8),
        )
        received: list[str] = []
        with _step("grain train unloads into the silos"):
            for owner, crop, grade, silo, hoppers, moisture_pct in cuts:
                wagons = [self.numbers.uic_wagon("83") for _ in range(hoppers)]
                for start in range(0, hoppers, HOPPERS_PER_LOT):
                    group = wagons[start : start + HOPPERS_PER_LOT]
                    reference = f"GL-{self.day}-{len(received) + 1:02d}"
                    weighed = [HopperWagon(n, self.draw.randrange(60_000, 70_001, 10)) for n in group]
                    mass_kg = sum(w.mass_kg for w in weighed)
                    self.do(
                        grain.receive_grain,
                        self.uow,
                        YARD,
                        reference=reference,
                        owner_code=owner,
                        crop=crop,
                        grain_class=grade,
                        mass_kg=mass_kg,
                        moisture_pct=moisture_pct,
                        silo_code=silo,
                        source_kind="hopper_wagons",
                        wagons=weighed,
                    )
                    received.append(reference)
                    self.summary.grain_lots += 1
                    self.summary.grain_received_kg += mass_kg
        with _step("grain transfer between silos"):
            self.do(
                grain.transfer_grain,
                self.uow,
                YARD,
                lot=received[0],
                to_silo=silos[2],
                mass_kg=100_000,
                new_reference=f"GL-{self.day}-{len(received) + 1:02d}",
            )
            self.summary.grain_lots += 1
        bulk = f"V-BULK-{self.day}"
        with _step("bulk carrier at berth 32 loads wheat"):
            self.do(
                vessel.announce_vessel,
                self.uow,
                LINE,
                reference=bulk,
                vessel_name="Tian Fu Star",
                eta=self.at - timedelta(hours=6),
                imo_number=self.numbers.imo(),
            )
            self.do(
                vessel.berth_vessel,
                self.uow,
                LINE,
                reference=bulk,
                berth_code=self.places.grain_berth,
                etb=self.at - timedelta(hours=5),
            )
            for lot in received[4:6]:  # two of the lots in silo S02
                self.do(grain.ship_grain, self.uow, YARD, lot=lot, mass_kg=150_000, vessel_visit=bulk)
                self.summary.grain_shipped_kg += 150_000
            self.summary.vessel_visits[bulk] = "berthed"
        self.summary.grain_in_stock_kg = self.summary.grain_received_kg - self.summary.grain_shipped_kg


def _count_places(uow: UnitOfWork) -> dict[str, int]:
    with uow:
        return dict(Counter(row.position_kind for row in uow.containers.all_rows()))


def play_demo_day(uow: UnitOfWork, *, seed: int, at: datetime, scenario: Scenario | None = None) -> DemoSummary:
    """Play the demo day on a seeded database without operational data; returns what it created.

    ``scenario`` is the one the database was seeded with (default: the configured one), so the
    day's boxes go to that scenario's blocks, berths, tracks and silos.
    """
    day = _Day(uow, seed, at, scenario or current_scenario())
    before = event_count(uow)
    day.parties_and_bookings()
    day.container_ship()
    day.housekeeping()
    day.gate_day()
    day.customs_checks()
    day.trains()
    day.grain_day()
    day.summary.containers_by_place = _count_places(uow)
    day.summary.events = event_count(uow) - before
    return day.summary
