"""Random command sequences against the real services on SQLite and PostgreSQL.

After every step: each container is in exactly one place; no yard stack, wagon or silo is over its
limit; TEU and grain mass are conserved; replaying the event log rebuilds the same state. Commands
the hub refuses (a domain error) must leave all of that intact too.
"""

from __future__ import annotations

import itertools
import shutil
import uuid
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from landbridge.domain.containers import LoadState
from landbridge.domain.errors import DomainError
from landbridge.domain.grain import HopperWagon
from landbridge.domain.holds import HoldKind
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.iso_types import size_type
from landbridge.domain.manifests import ListKind, ManifestEntry, VisitKind
from landbridge.domain.units import Direction, PartyRole
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.operations import corrections, gate, grain, holds, manifests, parties, rail, vessel, vgm, yard
from landbridge.services.operations.rail import WagonSpec, box_mass_kg
from landbridge.services.operations.replay import current_state, replay_log
from landbridge.store.database import engine_for, is_sqlite
from landbridge.store.repositories import EVERYTHING
from landbridge.store.unit_of_work import UnitOfWork
from tests.support import container_number, seed, uic_wagon, wagon_1520

ACTOR = Actor("machine", "admin")
OWNERS = ("OWNA", "OWNB")
SILOS = ("SB01", "SB02", "SB03")
SLOTS = st.builds(
    lambda block, bay, row, tier: f"{block}-{bay:02d}-{row:02d}-{tier}",
    st.sampled_from("AR"),
    st.integers(1, 4),
    st.integers(1, 2),
    st.integers(1, 3),
)
WAGONS = [uic_wagon(i) for i in range(1, 5)]
SHIP_LISTS = (ListKind.DISCHARGE, ListKind.LOAD)
EXITS = ("container.gate_out", "vessel.departed", "train.departed")  # per-container events of a box leaving


def _split(mass_kg: int, per_wagon_kg: int) -> list[int]:
    """A lot's mass shared over as few wagons as carry it."""
    count = -(-mass_kg // per_wagon_kg)
    parts = [mass_kg // count] * count
    parts[-1] += mass_kg - sum(parts)
    return parts


def _prepare(url: str) -> None:
    seed(url)
    for code in OWNERS:
        parties.create_party(UnitOfWork.for_url(url), ACTOR, code=code, name=code, role=PartyRole.SHIPPER)
    vessel.announce_vessel(
        UnitOfWork.for_url(url), ACTOR, reference="V1", vessel_name="Prop", eta=datetime(2026, 11, 28, tzinfo=UTC)
    )
    vessel.berth_vessel(
        UnitOfWork.for_url(url), ACTOR, reference="V1", berth_code="29", etb=datetime(2026, 11, 28, 1, tzinfo=UTC)
    )
    rail.announce_train(
        UnitOfWork.for_url(url),
        ACTOR,
        reference="T1",
        direction=Direction.WEST,
        route_code="almaty",
        gauge_mm=1435,
        train_type_code="cn_1435",
        wagons=[WagonSpec(n, "cn_flat_40ft") for n in WAGONS],
    )


def _clone(template_url: str) -> str:
    """A fresh copy of the prepared database, so every example starts from the same state."""
    if is_sqlite(template_url):
        source = make_url(template_url).database
        assert source is not None
        target = f"{source}.{uuid.uuid4().hex[:8]}"
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    name = f"lb_prop_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(template_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template_url).database}"'))
    admin.dispose()
    return make_url(template_url).set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    engine_for(url).dispose()
    if is_sqlite(url):
        return
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


class HubMachine(RuleBasedStateMachine):
    """The model keeps only what the hub must conserve: the boxes registered and grain received per owner."""

    template_url: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.url = _clone(self.template_url)
        self.serials = itertools.count(5000)
        self.uow = UnitOfWork.for_url(self.url)
        with self.uow:
            self.known = {row.number: size_type(row.iso_type).teu for row in self.uow.containers.all_rows()}
            ledger = self.uow.grain.ledger()
        self.received_kg: dict[str, int] = defaultdict(int, {o: v["received_kg"] for o, v in ledger.items()})
        self.lots: list[str] = [lot for lot in self._lot_references()]
        self.vessel, self.train = "V1", "T1"  # the call and the train now at the base (each replaced on departure)

    def _lot_references(self) -> list[str]:
        with self.uow:
            return [lot.reference for lot in self.uow.grain.lots()]

    def _at(self, kinds: tuple[str, ...]) -> list[str]:
        """Boxes now at one of these kinds of place (commands on them are the interesting ones)."""
        with self.uow:
            return [r.number for r in self.uow.containers.all_rows() if r.position_kind in kinds]

    def _try(self, command: object, *args: object, **kwargs: object) -> bool:
        try:
            command(self.uow, ACTOR, *args, **kwargs)  # type: ignore[operator]
        except DomainError:
            return False
        return True

    @initialize(isos=st.lists(st.sampled_from(["22G1", "42G1", "L5G1", "22R1"]), min_size=2, max_size=4))
    def stock_the_yard(self, isos: list[str]) -> None:
        for index, iso in enumerate(isos):  # half of them come with their VGM, so a ship can load them
            self.discharge(iso, laden=True, mass=12_000, slot=None, weighed=index % 2 == 0)

    @rule(
        iso=st.sampled_from(["22G1", "42G1", "L5G1", "22R1"]),
        laden=st.booleans(),
        mass=st.integers(3_000, 30_000),
        slot=st.none() | SLOTS,
        weighed=st.booleans(),
    )
    def discharge(self, iso: str, laden: bool, mass: int, slot: str | None, weighed: bool) -> None:
        number = container_number(next(self.serials))
        command = RegisterContainer(
            ContainerNumber(number),
            iso,
            load_state=LoadState.FULL if laden else LoadState.EMPTY,
            gross_mass_kg=mass if laden else None,
        )
        register_container(self.uow, command, ACTOR)
        self.known[number] = size_type(iso).teu
        if laden and weighed:  # its VGM known before it is listed: no vgm_missing hold
            when = datetime(2026, 11, 28, tzinfo=UTC)
            vgm.declare_vgm(
                self.uow, ACTOR, EVERYTHING, container=number, mass_kg=mass, method=1, verified_by="p", verified_at=when
            )
        lists = [(VisitKind.VESSEL, self.vessel, kind) for kind in SHIP_LISTS] + [
            (VisitKind.TRAIN, self.train, ListKind.LOAD)
        ]
        for visit_kind, visit, list_kind in lists:  # declared on the ship's lists and the train's planned boxes
            entries = [ManifestEntry(number)]
            manifests.add_to_list(
                self.uow, ACTOR, visit_kind=visit_kind, visit=visit, list_kind=list_kind, entries=entries, reason="x"
            )
        self._try(vessel.discharge_container, reference=self.vessel, container=number, slot=slot)

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data(), slot=SLOTS)
    def move(self, data: st.DataObject, slot: str) -> None:
        if self.known:
            number = data.draw(st.sampled_from(self._at(("yard",)) or sorted(self.known)))
            self._try(yard.place_container, container=number, slot=slot)

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data(), wagon=st.sampled_from(WAGONS), slot=st.integers(1, 2))
    def load_wagon(self, data: st.DataObject, wagon: str, slot: int) -> None:
        if self.known:
            number = data.draw(st.sampled_from(self._at(("yard",)) or sorted(self.known)))
            self._try(rail.load_on_wagon, train=self.train, container=number, wagon_number=wagon, slot=slot)

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data(), slot=st.none() | SLOTS)
    def unload_wagon(self, data: st.DataObject, slot: str | None) -> None:
        if self.known:
            number = data.draw(st.sampled_from(self._at(("wagon",)) or sorted(self.known)))
            self._try(rail.unload_from_wagon, train=self.train, container=number, slot=slot)

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data(), held_aboard=st.booleans())
    def load_vessel(self, data: st.DataObject, held_aboard: bool) -> None:
        """Load a box; half the time customs holds it once aboard and the ship tries to sail (it must wait)."""
        if self.known:
            number = data.draw(st.sampled_from(self._at(("yard",)) or sorted(self.known)))
            loaded = self._try(vessel.load_container_on_vessel, reference=self.vessel, container=number)
            if loaded and held_aboard and self._try(holds.place_hold, container=number, reason="x-ray"):
                self.depart_vessel()

    @rule(
        owner=st.sampled_from(OWNERS),
        crop=st.sampled_from(["wheat", "barley"]),
        silo=st.sampled_from(SILOS),
        mass=st.integers(1, 200_000),
    )
    def receive_grain(self, owner: str, crop: str, silo: str, mass: int) -> None:
        reference = f"P{next(self.serials)}-{next(self.serials)}"
        if self._try(
            grain.receive_grain,
            reference=reference,
            owner_code=owner,
            crop=crop,
            grain_class="3",
            mass_kg=mass,
            moisture_pct=12.0,
            silo_code=silo,
            source_kind="hopper_wagons",
            wagons=[HopperWagon(wagon_1520(7 + i), part) for i, part in enumerate(_split(mass, 70_000))],
        ):
            self.received_kg[owner] += mass
            self.lots.append(reference)

    @precondition(lambda self: bool(self.lots))
    @rule(data=st.data(), silo=st.sampled_from(SILOS), part=st.floats(0.1, 1.0))
    def transfer_grain(self, data: st.DataObject, silo: str, part: float) -> None:
        if self.lots:
            lot = data.draw(st.sampled_from(self.lots))
            with self.uow:
                row = self.uow.grain.lot(lot)
                mass = 0 if row is None else row.mass_kg
            moved = max(1, int(mass * part))
            new_reference = f"{lot}/{next(self.serials)}"
            if self._try(grain.transfer_grain, lot=lot, to_silo=silo, mass_kg=moved, new_reference=new_reference):
                self.lots = self._lot_references()

    @precondition(lambda self: bool(self.lots))
    @rule(data=st.data(), part=st.floats(0.1, 1.0))
    def ship_grain(self, data: st.DataObject, part: float) -> None:
        if self.lots:
            lot = data.draw(st.sampled_from(self.lots))
            with self.uow:
                row = self.uow.grain.lot(lot)
                mass = 0 if row is None else row.mass_kg
            self._try(grain.ship_grain, lot=lot, mass_kg=max(1, int(mass * part)), vessel_visit=self.vessel)

    # --- holds, releases, corrections, VGMs and the gate (issue #16) ------------------------------------

    @precondition(lambda self: bool(self.known))
    @rule(
        data=st.data(),
        kind=st.sampled_from([HoldKind.CUSTOMS, HoldKind.DAMAGE, HoldKind.TERMINAL]),
        aboard_first=st.booleans(),
    )
    def hold(self, data: st.DataObject, kind: HoldKind, aboard_first: bool) -> None:
        """Hold a box, then try to take it out anyway: a truck comes for it in the yard, its ship or its train
        tries to leave with it aboard (each must keep it)."""
        if self.known:
            aboard = self._at(("vessel", "wagon")) if aboard_first else []
            number = data.draw(st.sampled_from(aboard or self._at(("yard", "vessel", "wagon")) or sorted(self.known)))
            held = self._try(holds.place_hold, container=number, reason="property test", kind=kind)
            if held and number in self._at(("yard",)):
                self._collect(number)
            elif held and number in self._at(("vessel",)):
                self.depart_vessel()
            elif held and number in self._at(("wagon",)):
                self.depart_train()

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        with self.uow:
            open_ids = [h.id for h in self.uow.customs.listed(EVERYTHING, open_only=True)]
        if open_ids:
            self._try(holds.release_hold, hold_id=data.draw(st.sampled_from(open_ids)), reason="cleared")

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data(), mass=st.integers(3_000, 30_000), laden=st.booleans())
    def correct(self, data: st.DataObject, mass: int, laden: bool) -> None:
        if self.known:
            number = data.draw(st.sampled_from(sorted(self.known)))
            changes = {"gross_mass_kg": mass, "load_state": "full" if laden else "empty"}
            self._try(corrections.correct_container, container=number, changes=changes, reason="tally")

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data(), off_pct=st.integers(-8, 8))
    def vgm(self, data: st.DataObject, off_pct: int) -> None:
        if self.known:
            number = data.draw(st.sampled_from(sorted(self.known)))
            with self.uow:
                row = self.uow.containers.rows([number]).get(number)
                declared = 0 if row is None or row.gross_mass_kg is None else row.gross_mass_kg
            mass = max(1, declared + declared * off_pct // 100) if declared else 5_000
            self._try(
                vgm.declare_vgm,
                EVERYTHING,
                container=number,
                mass_kg=mass,
                method=1,
                verified_by="prop",
                verified_at=datetime(2026, 11, 28, tzinfo=UTC),
            )

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data(), held_first=st.booleans())
    def gate_out(self, data: st.DataObject, held_first: bool) -> None:
        """A truck picks a yard box up on a delivery order (the clerk lets it in without an appointment);
        half the time it comes for a held box, which must stay."""
        if self.known:
            yard = self._at(("yard",))
            with self.uow:
                held = sorted({h.container_number for h in self.uow.customs.listed(EVERYTHING, open_only=True)})
            candidates = [n for n in yard if n in held] if held_first else []
            self._collect(data.draw(st.sampled_from(candidates or yard or sorted(self.known))))

    @precondition(lambda self: bool(self._at(("wagon",))))
    @rule()
    def depart_train(self) -> None:
        """The train leaves (refused while a box aboard is held); the next one comes onto the track."""
        if self._try(rail.depart_train, train=self.train):
            self.train = f"T{next(self.serials)}"
            rail.announce_train(
                self.uow,
                ACTOR,
                reference=self.train,
                direction=Direction.WEST,
                route_code="almaty",
                gauge_mm=1435,
                train_type_code="cn_1435",
                wagons=[WagonSpec(n, "cn_flat_40ft") for n in WAGONS],
            )
            self._declare(VisitKind.TRAIN, self.train, (ListKind.LOAD,))

    @precondition(lambda self: bool(self._at(("vessel",))))
    @rule()
    def depart_vessel(self) -> None:
        """The ship sails with what is aboard (refused while a box aboard is held); the next one berths."""
        if self._try(vessel.depart_vessel, reference=self.vessel):
            self.vessel = f"V{next(self.serials)}"
            at = datetime(2026, 11, 28, 2, tzinfo=UTC)
            vessel.announce_vessel(self.uow, ACTOR, reference=self.vessel, vessel_name="Prop", eta=at)
            vessel.berth_vessel(self.uow, ACTOR, reference=self.vessel, berth_code="29", etb=at)
            self._declare(VisitKind.VESSEL, self.vessel, (ListKind.LOAD,))

    def _declare(self, visit_kind: VisitKind, visit: str, kinds: tuple[ListKind, ...]) -> None:
        """Put every box in the yard on the new visit's lists, so it can be loaded there."""
        entries = [ManifestEntry(n) for n in self._at(("yard",))]
        for list_kind in kinds:
            if entries:
                manifests.add_to_list(
                    self.uow,
                    ACTOR,
                    visit_kind=visit_kind,
                    visit=visit,
                    list_kind=list_kind,
                    entries=entries,
                    reason="x",
                )

    def _collect(self, number: str) -> None:
        """Issue a delivery order for the box, let a truck in for it and try to take it out."""
        serial = next(self.serials)
        order, truck = f"DO{serial}", f"TV{serial}"
        valid = {"valid_from": datetime(2026, 1, 1, tzinfo=UTC), "valid_to": datetime(2030, 1, 1, tzinfo=UTC)}
        if not self._try(gate.issue_delivery_order, reference=order, containers=[number], pin="4711", **valid):
            return
        admitted = self._try(
            gate.truck_in,
            reference=truck,
            plate="P",
            drop_off=[],
            pick_up=[number],
            delivery_order=order,
            pin="4711",
            override_reason="property test",
        )
        if admitted:
            self._try(gate.truck_out, reference=truck)

    def teardown(self) -> None:
        _drop(self.url)

    @invariant()
    def no_box_with_an_open_hold_has_left(self) -> None:
        with self.uow:
            held = {h.container_number for h in self.uow.customs.listed(EVERYTHING, open_only=True)}
            left = {
                row.number for row in self.uow.containers.all_rows() if row.position_kind in ("departed", "delivered")
            }
            assert not held & left, held & left
            # ... and none left while a hold was open: each exit event follows the release of every hold placed
            # before it (the log is replayed in the order the events happened).
            open_holds: dict[str, set[int]] = defaultdict(set)
            for event in self.uow.events.all_rows():
                hold = (event.after or {}).get("hold")
                if event.event_type in ("customs.hold_placed", "hold.placed") and isinstance(hold, dict):
                    open_holds[event.subject_id].add(int(hold["id"]))
                elif event.event_type in ("customs.hold_released", "hold.released") and isinstance(hold, dict):
                    open_holds[event.subject_id].discard(int(hold["id"]))
                elif event.event_type in EXITS and event.subject_type == "container":
                    assert not open_holds[event.subject_id], (event.subject_id, event.event_type)

    @invariant()
    def each_container_in_exactly_one_place(self) -> None:
        with self.uow:  # attributes are read inside: the unit of work expires its rows on exit
            repo = self.uow.yard
            slot_of = {s.container_number: f"{s.block}-{s.bay:02d}-{s.row:02d}-{s.tier}" for s in repo.all_slots()}
            assert len(slot_of) == len(repo.all_slots())
            cells_of: dict[str, int] = defaultdict(int)
            for cell in repo.all_cells():
                cells_of[cell.container_number] += 1
            on_wagon: dict[str, int] = defaultdict(int)
            for wagon_cell, _ in self.uow.rail.all_cells():
                on_wagon[wagon_cell.container_number] += 1
            for row in self.uow.containers.all_rows():
                covers = 2 if size_type(row.iso_type).length_ft >= 40 else 1
                in_yard, on_train = row.position_kind == "yard", row.position_kind == "wagon"
                assert (row.number in slot_of) == in_yard, row.number
                assert cells_of.get(row.number, 0) == (covers if in_yard else 0), row.number
                assert on_wagon.get(row.number, 0) == (covers if on_train else 0), row.number
                if in_yard:
                    assert row.position_reference == slot_of[row.number]

    @invariant()
    def nothing_over_capacity(self) -> None:
        with self.uow:
            blocks = {b.code: b for b in self.uow.yard.blocks()}
            rows = {r.number: r for r in self.uow.containers.all_rows()}
            stacks: dict[tuple[str, int, int], list[str]] = defaultdict(list)
            for cell in self.uow.yard.all_cells():
                stacks[(cell.block, cell.bay, cell.row)].append(cell.container_number)
            for (block, _, _), boxes in stacks.items():
                laden = any(rows[n].load_state == "full" for n in boxes)
                limit = blocks[block].max_tiers_full if laden else blocks[block].max_tiers_empty
                assert len(boxes) <= limit
            wagon_types = self.uow.rail.wagon_types()
            per_wagon: dict[int, set[str]] = defaultdict(set)
            types: dict[int, str] = {}
            for wagon_cell, wagon in self.uow.rail.all_cells():
                per_wagon[wagon.id].add(wagon_cell.container_number)
                types[wagon.id] = wagon.wagon_type_code
            for wagon_id, boxes in per_wagon.items():
                assert sum(box_mass_kg(rows[n]) for n in boxes) <= wagon_types[types[wagon_id]].payload_kg
            grain_repo = self.uow.grain
            for silo in grain_repo.silos():
                assert sum(lot.mass_kg for lot in grain_repo.lots_in(silo.code)) <= silo.capacity_kg

    @invariant()
    def teu_and_grain_conserved(self) -> None:
        by_place: dict[str, float] = defaultdict(float)
        with self.uow:
            for row in self.uow.containers.all_rows():
                by_place[row.position_kind] += size_type(row.iso_type).teu
            ledger = self.uow.grain.ledger()
        assert abs(sum(by_place.values()) - sum(self.known.values())) < 1e-9
        for owner, received in self.received_kg.items():
            entry = ledger.get(owner, {"received_kg": 0, "shipped_kg": 0, "in_stock_kg": 0})
            assert entry["received_kg"] == received
            assert entry["received_kg"] == entry["in_stock_kg"] + entry["shipped_kg"]

    @invariant()
    def replay_rebuilds_the_state(self) -> None:
        assert replay_log(self.uow) == current_state(self.uow)


@pytest.mark.slow
def test_random_operations_keep_the_hub_consistent(database_url: str) -> None:
    _prepare(database_url)
    engine_for(database_url).dispose()  # PostgreSQL clones a template only while nobody is connected to it
    HubMachine.template_url = database_url
    run_state_machine_as_test(
        HubMachine,
        settings=settings(
            max_examples=8,
            stateful_step_count=15,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
