"""The daily commands the dashboard's forms perform: one table, each row calling the same service the API calls.

A row names the action of the role policy it needs (``services/authz.POLICY``; a form is shown only
to roles that have it), the screen it belongs on, its fields, and how the parsed fields become a call
of a ``services/operations`` function. Nothing here decides anything about the hub: every rule is in
the service, every change goes through ``operations.common.execute`` (one transaction, the
idempotency record, ``occurred_at``), and a refusal comes back as the service's domain error naming a
field — which the form shows next to that field.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from landbridge.domain.containers import LoadState
from landbridge.domain.errors import DomainError, InvalidIdentifier, RuleViolation
from landbridge.domain.grain import HopperWagon
from landbridge.domain.holds import HoldKind
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ListKind, ManifestEntry, VisitKind
from landbridge.domain.units import Direction
from landbridge.services.actor import Actor
from landbridge.services.authz import Action
from landbridge.services.containers import RegisterContainer, add_registered_container
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations import cfs, corrections, gate, grain, holds, manifests, rail, vessel, vgm, yard
from landbridge.services.operations.common import execute
from landbridge.store.repositories import Scope
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.auth import Viewer
from landbridge.web.readmodels.common import hub_zone


def _(message: str) -> str:
    """Mark a message for extraction; it is translated when rendered."""
    return message


TEXT, INT, NUMBER, WHEN, CHOICE, LIST, LINES = "text", "int", "number", "datetime", "choice", "list", "lines"
MAX_TEXT = 200


@dataclass(frozen=True)
class Field:
    """One input of a form: its name is the service's keyword, so a refusal naming it lands next to it."""

    name: str
    label: str
    kind: str = TEXT
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for CHOICE
    hint: str = ""
    whole_second: bool = False  # LINES: the second word of each line is a whole number (a mass in kg)


@dataclass(frozen=True)
class Call:
    """What a command's service function gets besides its own fields."""

    uow: UnitOfWork
    actor: Actor
    scope: Scope
    values: Mapping[str, Any]
    occurred_at: datetime | None
    idempotency: IdempotencyKey

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)


@dataclass(frozen=True)
class Command:
    """A form on a screen: the policy action it needs, its fields and the service call it makes."""

    name: str
    label: str
    action: Action
    screen: str
    fields: tuple[Field, ...]
    run: Callable[[Call], Outcome] = field(repr=False)
    danger: bool = False  # shown with a warning colour (departures, releases)


def _f(name: str, label: str, kind: str = TEXT, required: bool = True, **more: Any) -> Field:
    return Field(name, label, kind, required, **more)


CONTAINER = _f("container", _("Container"), hint=_("e.g. MSKU 123456 5"))
VISIT = _f("reference", _("Vessel visit"))
TRAIN = _f("train", _("Train visit"))
LOT = _f("lot", _("Grain lot"))
GRAIN_OF_LOT = (  # what a receipt says of its grain: received at once, or ordered for the grain gear
    _f("owner_code", _("Owner (party code)")),
    _f("crop", _("Crop")),
    _f("grain_class", _("Class")),
    _f("mass_kg", _("Mass (kg)"), INT),
    _f("moisture_pct", _("Moisture (%)"), NUMBER),
)
HOPPER_WAGONS = _f(
    "wagons", _("Hopper wagons"), LINES, hint=_("one per line: wagon number and mass in kg"), whole_second=True
)
REASON = _f("reason", _("Reason"))
HOLD_KINDS = (
    (HoldKind.CUSTOMS.value, _("customs hold")),
    (HoldKind.LINE.value, _("line hold")),
    (HoldKind.TERMINAL.value, _("terminal hold")),
    (HoldKind.DAMAGE.value, _("damage hold")),
)  # vgm_missing holds are placed and lifted by the hub itself
SLOT = _f("slot", _("Wagon slot"), INT, required=False, hint="1–4")


def _slot(value: Any) -> int:
    return 1 if value is None else int(value)


def _register(c: Call) -> Outcome:
    """Registration has no service keyword API; its in-transaction step runs through execute like every command."""
    try:
        number = ContainerNumber("".join(str(c["number"]).split()).upper())
    except InvalidIdentifier as error:
        raise RuleViolation("number", error.reason) from None
    command = RegisterContainer(
        number,
        c["iso_type"],
        LoadState(c["load_state"]),
        c["gross_mass_kg"],
        source_reference=c.actor.source,
        occurred_at=c.occurred_at,
    )

    def work(uow: UnitOfWork) -> dict[str, str]:
        return {"number": str(add_registered_container(uow, command, c.actor).number)}

    return execute(c.uow, c.actor, work, status_code=201, idempotency=c.idempotency, occurred_at=c.occurred_at)


def _add_to_list(visit_kind: VisitKind, list_kind: ListKind, visit_field: str) -> Callable[[Call], Outcome]:
    def run(c: Call) -> Outcome:
        return manifests.add_to_list(
            c.uow,
            c.actor,
            visit_kind=visit_kind,
            visit=c[visit_field],
            list_kind=list_kind,
            entries=[ManifestEntry(number) for number in c["containers"]],
            reason=c["reason"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        )

    return run


CONTAINERS = _f("containers", _("Containers"), LIST, hint=_("separated by spaces or commas"))
GOODS_LINE = _f("goods_line_id", _("Goods line"), INT)


def _changes(c: Call, names: tuple[str, ...]) -> dict[str, Any]:
    """The corrected fields: those the operator filled in (an empty field is left as it is)."""
    return {name: c[name] for name in names if c[name] not in (None, [], "")}


def _correct_vessel_visit(c: Call) -> Outcome:
    return corrections.correct_vessel_visit(
        c.uow,
        c.actor,
        reference=c["reference"],
        changes=_changes(c, ("eta", "etb", "etd", "vessel_name", "imo_number")),
        reason=c["reason"],
        scope=c.scope,
        occurred_at=c.occurred_at,
        idempotency=c.idempotency,
    )


def _correct_train_visit(c: Call) -> Outcome:
    return corrections.correct_train_visit(
        c.uow,
        c.actor,
        reference=c["train"],
        changes=_changes(c, ("route_code", "direction", "track_code")),
        reason=c["reason"],
        occurred_at=c.occurred_at,
        idempotency=c.idempotency,
    )


COMMANDS: tuple[Command, ...] = (
    # ---- ship calls
    Command(
        "vessel-announce",
        _("Announce a vessel call"),
        Action.VESSEL_PLAN,
        "/berths",
        (
            _f("reference", _("Vessel visit")),
            _f("vessel_name", _("Vessel name")),
            _f("eta", _("ETA"), WHEN),
            _f("imo_number", _("IMO number"), required=False),
            _f("operator_code", _("Operator (party code)"), required=False),
        ),
        lambda c: vessel.announce_vessel(
            c.uow,
            c.actor,
            reference=c["reference"],
            vessel_name=c["vessel_name"],
            eta=c["eta"],
            imo_number=c["imo_number"],
            operator_code=c["operator_code"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "discharge-list-add",
        _("Add to the discharge list"),
        Action.VESSEL_PLAN,
        "/berths",
        (VISIT, CONTAINERS, REASON),
        _add_to_list(VisitKind.VESSEL, ListKind.DISCHARGE, "reference"),
    ),
    Command(
        "load-list-add",
        _("Add to the load list"),
        Action.VESSEL_PLAN,
        "/berths",
        (VISIT, CONTAINERS, REASON),
        _add_to_list(VisitKind.VESSEL, ListKind.LOAD, "reference"),
    ),
    Command(
        "vessel-berth",
        _("Berth a vessel"),
        Action.VESSEL_PLAN,
        "/berths",
        (VISIT, _f("berth_code", _("Berth")), _f("etb", _("ETB"), WHEN)),
        lambda c: vessel.berth_vessel(
            c.uow,
            c.actor,
            reference=c["reference"],
            berth_code=c["berth_code"],
            etb=c["etb"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "vessel-discharge",
        _("Discharge a container"),
        Action.VESSEL_HANDLE,
        "/berths",
        (VISIT, CONTAINER, _f("slot", _("Yard slot"), required=False, hint=_("empty: the proposed slot"))),
        lambda c: vessel.discharge_container(
            c.uow,
            c.actor,
            reference=c["reference"],
            container=c["container"],
            slot=c["slot"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "vessel-load",
        _("Load a container on the vessel"),
        Action.VESSEL_HANDLE,
        "/berths",
        (VISIT, CONTAINER),
        lambda c: vessel.load_container_on_vessel(
            c.uow,
            c.actor,
            reference=c["reference"],
            container=c["container"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "vessel-depart",
        _("Vessel departs"),
        Action.VESSEL_PLAN,
        "/berths",
        (VISIT,),
        lambda c: vessel.depart_vessel(
            c.uow, c.actor, reference=c["reference"], occurred_at=c.occurred_at, idempotency=c.idempotency
        ),
        danger=True,
    ),
    Command(
        "vessel-correct",
        _("Correct a vessel call"),
        Action.VESSEL_PLAN,
        "/berths",
        (
            VISIT,
            _f("eta", _("ETA"), WHEN, required=False),
            _f("etb", _("ETB"), WHEN, required=False),
            _f("etd", _("ETD"), WHEN, required=False),
            _f("vessel_name", _("Vessel name"), required=False, hint=_("only while the call is announced")),
            _f("imo_number", _("IMO number"), required=False, hint=_("only while the call is announced")),
            REASON,
        ),
        _correct_vessel_visit,
    ),
    # ---- yard
    Command(
        "yard-move",
        _("Move a container in the yard"),
        Action.YARD_WRITE,
        "/yard",
        (CONTAINER, _f("slot", _("Yard slot"), required=False, hint=_("empty: the proposed slot"))),
        lambda c: yard.place_container(
            c.uow,
            c.actor,
            container=c["container"],
            slot=c["slot"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "cfs-receive",
        _("Bring a container into the CFS"),
        Action.CFS_WRITE,
        "/yard",
        (CONTAINER,),
        lambda c: cfs.receive_into_cfs(
            c.uow, c.actor, container=c["container"], occurred_at=c.occurred_at, idempotency=c.idempotency
        ),
    ),
    Command(
        "cfs-stuff",
        _("Stuff a goods line into a container (CFS)"),
        Action.CFS_WRITE,
        "/yard",
        (CONTAINER, GOODS_LINE),
        lambda c: cfs.stuff(
            c.uow,
            c.actor,
            container=c["container"],
            goods_line_id=c["goods_line_id"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "cfs-strip",
        _("Strip a goods line out of a container (CFS)"),
        Action.CFS_WRITE,
        "/yard",
        (CONTAINER, GOODS_LINE),
        lambda c: cfs.strip(
            c.uow,
            c.actor,
            container=c["container"],
            goods_line_id=c["goods_line_id"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    # ---- holds
    Command(
        "hold-place",
        _("Place a hold"),
        Action.HOLD_WRITE,
        "/customs",
        (CONTAINER, _f("kind", _("Kind of hold"), CHOICE, choices=HOLD_KINDS), REASON),
        lambda c: holds.place_hold(
            c.uow,
            c.actor,
            container=c["container"],
            reason=c["reason"],
            kind=HoldKind(c["kind"]),
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "hold-release",
        _("Release a hold"),
        Action.HOLD_WRITE,
        "/customs",
        (_f("hold_id", _("Hold"), INT), _f("reason", _("Reason"), required=False)),
        lambda c: holds.release_hold(
            c.uow,
            c.actor,
            hold_id=c["hold_id"],
            reason=c["reason"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
        danger=True,
    ),
    # ---- gate
    Command(
        "appointment-book",
        _("Book a gate appointment"),
        Action.GATE_BOOK,
        "/gate",
        (
            _f("reference", _("Appointment")),
            _f("hour_start", _("Hour"), WHEN),
            _f("plate", _("Truck plate")),
            _f("kind", _("Kind"), CHOICE, choices=(("pick_up", _("pick-up")), ("drop_off", _("drop-off")))),
            _f("container", _("Container"), required=False),
            _f("booking_reference", _("Booking"), required=False),
        ),
        lambda c: gate.book_appointment(
            c.uow,
            c.actor,
            c.scope,
            reference=c["reference"],
            hour_start=c["hour_start"],
            plate=c["plate"],
            kind=c["kind"],
            container=c["container"],
            booking_reference=c["booking_reference"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "delivery-order-issue",
        _("Issue a delivery order"),
        Action.RELEASE_WRITE,
        "/gate",
        (
            _f("reference", _("Delivery order")),
            CONTAINERS,
            _f("valid_from", _("Valid from"), WHEN),
            _f("valid_to", _("Valid until"), WHEN),
            _f("pin", _("PIN"), required=False, hint=_("empty: one is made up and shown once")),
        ),
        lambda c: gate.issue_delivery_order(
            c.uow,
            c.actor,
            reference=c["reference"],
            containers=c["containers"],
            valid_from=c["valid_from"],
            valid_to=c["valid_to"],
            pin=c["pin"],
            scope=c.scope,
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "appointment-cancel",
        _("Cancel a gate appointment"),
        Action.GATE_BOOK,
        "/gate",
        (_f("reference", _("Appointment")),),
        lambda c: gate.cancel_appointment(
            c.uow, c.actor, c.scope, reference=c["reference"], occurred_at=c.occurred_at, idempotency=c.idempotency
        ),
        danger=True,
    ),
    Command(
        "delivery-order-cancel",
        _("Withdraw a delivery order"),
        Action.RELEASE_WRITE,
        "/gate",
        (_f("reference", _("Delivery order")),),
        lambda c: gate.cancel_delivery_order(
            c.uow,
            c.actor,
            reference=c["reference"],
            scope=c.scope,
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
        danger=True,
    ),
    Command(
        "truck-in",
        _("Truck in"),
        Action.GATE_WRITE,
        "/gate",
        (
            _f("reference", _("Truck visit")),
            _f("plate", _("Truck plate")),
            _f("appointment_reference", _("Appointment"), required=False),
            _f("drop_off", _("Drop-off containers"), LIST, required=False),
            _f("pick_up", _("Pick-up containers"), LIST, required=False),
            _f("delivery_order", _("Delivery order"), required=False),
            _f("pin", _("PIN"), required=False),
            _f("override_reason", _("Override reason"), required=False),
        ),
        lambda c: gate.truck_in(
            c.uow,
            c.actor,
            reference=c["reference"],
            plate=c["plate"],
            drop_off=c["drop_off"] or [],
            pick_up=c["pick_up"] or [],
            appointment_reference=c["appointment_reference"],
            delivery_order=c["delivery_order"],
            pin=c["pin"],
            override_reason=c["override_reason"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "truck-out",
        _("Truck out"),
        Action.GATE_WRITE,
        "/gate",
        (_f("reference", _("Truck visit")),),
        lambda c: gate.truck_out(
            c.uow, c.actor, reference=c["reference"], occurred_at=c.occurred_at, idempotency=c.idempotency
        ),
    ),
    # ---- rail
    Command(
        "train-announce",
        _("Announce a train"),
        Action.RAIL_PLAN,
        "/rail",
        (
            _f("reference", _("Train visit")),
            _f("direction", _("Direction"), CHOICE, choices=(("west", _("westbound")), ("east", _("eastbound")))),
            _f("route_code", _("Route")),
            _f("gauge_mm", _("Gauge (mm)"), CHOICE, choices=(("1435", "1435"), ("1520", "1520"))),
            _f("train_type_code", _("Train type")),
            _f("wagons", _("Wagons"), LINES, hint=_("one per line: wagon number and wagon type")),
            _f("track_code", _("Track"), required=False),
        ),
        lambda c: rail.announce_train(
            c.uow,
            c.actor,
            reference=c["reference"],
            direction=Direction(c["direction"]),
            route_code=c["route_code"],
            gauge_mm=int(c["gauge_mm"]),
            train_type_code=c["train_type_code"],
            wagons=[rail.WagonSpec(number, kind) for number, kind in c["wagons"]],
            track_code=c["track_code"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "planned-boxes-add",
        _("Add to the train's planned boxes"),
        Action.RAIL_PLAN,
        "/rail",
        (TRAIN, CONTAINERS, REASON),
        _add_to_list(VisitKind.TRAIN, ListKind.LOAD, "train"),
    ),
    Command(
        "train-load",
        _("Load a container on a wagon"),
        Action.RAIL_HANDLE,
        "/rail",
        (TRAIN, CONTAINER, _f("wagon_number", _("Wagon")), SLOT),
        lambda c: rail.load_on_wagon(
            c.uow,
            c.actor,
            train=c["train"],
            container=c["container"],
            wagon_number=c["wagon_number"],
            slot=_slot(c["slot"]),
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "train-unload",
        _("Unload a container from a wagon"),
        Action.RAIL_HANDLE,
        "/rail",
        (TRAIN, CONTAINER, _f("slot", _("Yard slot"), required=False, hint=_("empty: the proposed slot"))),
        lambda c: rail.unload_from_wagon(
            c.uow,
            c.actor,
            train=c["train"],
            container=c["container"],
            slot=c["slot"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "train-correct",
        _("Correct a train visit"),
        Action.RAIL_PLAN,
        "/rail",
        (
            TRAIN,
            _f("route_code", _("Route"), required=False),
            _f(
                "direction",
                _("Direction"),
                CHOICE,
                required=False,
                choices=(("west", _("westbound")), ("east", _("eastbound"))),
            ),
            _f("track_code", _("Track"), required=False),
            REASON,
        ),
        _correct_train_visit,
    ),
    Command(
        "train-depart",
        _("Train departs"),
        Action.RAIL_HANDLE,
        "/rail",
        (TRAIN,),
        lambda c: rail.depart_train(
            c.uow, c.actor, train=c["train"], occurred_at=c.occurred_at, idempotency=c.idempotency
        ),
        danger=True,
    ),
    Command(
        "train-border",
        _("Train at the border"),
        Action.RAIL_HANDLE,
        "/rail",
        (TRAIN, _f("crossing_code", _("Border crossing"), required=False)),
        lambda c: rail.arrive_at_border(
            c.uow,
            c.actor,
            train=c["train"],
            crossing_code=c["crossing_code"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "train-gauge",
        _("Gauge transfer"),
        Action.RAIL_HANDLE,
        "/rail",
        (TRAIN, CONTAINER, _f("to_train", _("To train")), _f("wagon_number", _("Wagon")), SLOT),
        lambda c: rail.gauge_transfer(
            c.uow,
            c.actor,
            train=c["train"],
            container=c["container"],
            to_train=c["to_train"],
            wagon_number=c["wagon_number"],
            slot=_slot(c["slot"]),
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "train-arrive",
        _("Train arrives"),
        Action.RAIL_HANDLE,
        "/rail",
        (TRAIN,),
        lambda c: rail.arrive_at_destination(
            c.uow, c.actor, train=c["train"], occurred_at=c.occurred_at, idempotency=c.idempotency
        ),
    ),
    Command(
        "train-release",
        _("Release the train's wagons"),
        Action.RAIL_HANDLE,
        "/rail",
        (TRAIN,),
        lambda c: rail.release_train(
            c.uow, c.actor, train=c["train"], occurred_at=c.occurred_at, idempotency=c.idempotency
        ),
    ),
    Command(
        "wagons-return-empty",
        _("Return the empty wagons"),
        Action.RAIL_PLAN,
        "/rail",
        (TRAIN, _f("reference", _("Empty-return train visit"))),
        lambda c: rail.return_empty_wagons(
            c.uow,
            c.actor,
            train=c["train"],
            reference=c["reference"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    # ---- grain
    Command(
        "grain-receive",
        _("Receive grain"),
        Action.GRAIN_WRITE,
        "/grain",
        (
            _f("reference", _("Grain lot")),
            *GRAIN_OF_LOT,
            _f("silo_code", _("Silo")),
            HOPPER_WAGONS,
        ),
        lambda c: grain.receive_grain(
            c.uow,
            c.actor,
            reference=c["reference"],
            owner_code=c["owner_code"],
            crop=c["crop"],
            grain_class=c["grain_class"],
            mass_kg=c["mass_kg"],
            moisture_pct=c["moisture_pct"],
            silo_code=c["silo_code"],
            source_kind="hopper_wagons",
            sources=[],
            wagons=[HopperWagon(number, mass) for number, mass in c["wagons"]],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "grain-order-receive",
        _("Order grain in for the grain gear"),
        Action.WORK_PLAN,
        "/grain",
        (
            LOT,
            *GRAIN_OF_LOT,
            _f("silo_code", _("Silo"), required=False, hint=_("empty: where the silo planner puts it")),
            HOPPER_WAGONS,
        ),
        lambda c: _grain_receipt_order(c),  # defined below the table
    ),
    Command(
        "grain-transfer",
        _("Transfer grain to another silo"),
        Action.GRAIN_WRITE,
        "/grain",
        (
            LOT,
            _f("to_silo", _("To silo")),
            _f("mass_kg", _("Mass (kg)"), INT, required=False, hint=_("empty: the whole lot")),
            _f("new_reference", _("New lot"), required=False),
        ),
        lambda c: grain.transfer_grain(
            c.uow,
            c.actor,
            lot=c["lot"],
            to_silo=c["to_silo"],
            mass_kg=c["mass_kg"],
            new_reference=c["new_reference"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "grain-ship",
        _("Ship grain to a vessel"),
        Action.GRAIN_WRITE,
        "/grain",
        (LOT, _f("mass_kg", _("Mass (kg)"), INT), _f("vessel_visit", _("Vessel visit"))),
        lambda c: grain.ship_grain(
            c.uow,
            c.actor,
            lot=c["lot"],
            mass_kg=c["mass_kg"],
            vessel_visit=c["vessel_visit"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    # ---- one container
    Command(
        "container-register",
        _("Register a container"),
        Action.CONTAINER_REGISTER,
        "/container",
        (
            _f("number", _("Container"), hint=_("e.g. MSKU 123456 5")),
            _f("iso_type", _("ISO type"), hint=_("e.g. 42G1")),
            _f("load_state", _("Full or empty"), CHOICE, choices=(("empty", _("empty")), ("full", _("full")))),
            _f("gross_mass_kg", _("Gross mass (kg)"), INT, required=False),
        ),
        lambda c: _register(c),
    ),
    Command(
        "vgm-declare",
        _("Declare the VGM"),
        Action.VGM_WRITE,
        "/container",
        (
            CONTAINER,
            _f("mass_kg", _("Verified gross mass (kg)"), INT),
            _f(
                "method",
                _("Method"),
                CHOICE,
                choices=(("1", _("1: packed box weighed")), ("2", _("2: contents + tare"))),
            ),
            _f("verified_by", _("Verified by")),
            _f("verified_at", _("Verified at"), WHEN),
        ),
        lambda c: vgm.declare_vgm(
            c.uow,
            c.actor,
            c.scope,
            container=c["container"],
            mass_kg=c["mass_kg"],
            method=int(c["method"]),
            verified_by=c["verified_by"],
            verified_at=c["verified_at"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
    Command(
        "container-correct",
        _("Correct the container"),
        Action.CONTAINER_CORRECT,
        "/container",
        (
            CONTAINER,
            _f("gross_mass_kg", _("Gross mass (kg)"), INT, required=False),
            _f(
                "load_state",
                _("Full or empty"),
                CHOICE,
                required=False,
                choices=(("full", _("full")), ("empty", _("empty"))),
            ),
            _f("iso_type", _("ISO type"), required=False),
            _f("seals", _("Seals"), LIST, required=False),
            _f("booking_reference", _("Booking"), required=False),
            REASON,
        ),
        lambda c: corrections.correct_container(
            c.uow,
            c.actor,
            container=c["container"],
            changes={
                name: c[name]
                for name in ("gross_mass_kg", "load_state", "iso_type", "seals", "booking_reference")
                if c[name] not in (None, [])
            },
            reason=c["reason"],
            occurred_at=c.occurred_at,
            idempotency=c.idempotency,
        ),
    ),
)
BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}


@dataclass(frozen=True)
class Done:
    """What a screen says was done by a form that is not one of ``COMMANDS`` (its own router)."""

    label: str


TRAIN_PLAN_FIELDS = (  # the load plan's ask form (web/train_plan.py), shown on /rail to whoever may plan
    Field("train", _("Train visit")),
    Field("containers", _("Containers"), LIST, required=False, hint=_("empty: every yard box booked to the route")),
    Field("time_limit_s", _("Time limit (s)"), NUMBER, required=False, hint=_("at most 60; default 5")),
    Field("seed", _("Seed"), INT, required=False),
)
OTHER_DONE: dict[str, Done] = {
    "train-plan-apply": Done(_("Apply the load plan")),
}
OCCURRED_AT = Field("occurred_at", _("When it happened"), WHEN, required=False, hint=_("empty: now"))


def new_form_token() -> str:
    """A fresh idempotency key for one rendered form (a double click sends the same one twice)."""
    return uuid.uuid4().hex


def commands_on(screen: str) -> list[Command]:
    """The commands whose forms belong on a screen (before the viewer's policy is applied)."""
    return [command for command in COMMANDS if command.screen == screen]


# ------------------------------------------------------------------ parsing


def parse_when(text: str, zone: ZoneInfo, name: str) -> datetime:
    """A date-time typed by an operator: ISO 8601; without an offset it is hub time (the zone shown on the form)."""
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise RuleViolation(name, "not a date and time; write e.g. 2026-12-07T14:30+08:00") from None
    # Handed on as UTC: the services and the store keep instants in UTC (an offset kept to the store could be
    # read back as UTC wall-clock on SQLite before the UTC column type of #17).
    return (value if value.tzinfo is not None else value.replace(tzinfo=zone)).astimezone(UTC)


def _parse_lines(text: str, spec: Field) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").replace(";", " ").split()
        if not parts:
            continue
        if len(parts) != 2 or (spec.whole_second and not parts[1].isdigit()):
            raise RuleViolation(
                spec.name, f"line {number}: {'a wagon number and its mass in kg' if spec.whole_second else 'two words'}"
            )
        pairs.append((parts[0], int(parts[1]) if spec.whole_second else parts[1]))
    return pairs


def parse_value(spec: Field, raw: str, zone: ZoneInfo) -> Any:
    """One field's typed value (None when left empty); a malformed entry is refused naming the field."""
    text = raw.strip()
    if len(text) > (4000 if spec.kind == LINES else MAX_TEXT):
        raise RuleViolation(spec.name, "too long")
    if not text:
        if spec.required:
            raise RuleViolation(spec.name, "required")
        return [] if spec.kind in (LIST, LINES) else None
    if spec.kind == INT:
        try:
            return int(text)
        except ValueError:
            raise RuleViolation(spec.name, "not a whole number") from None
    if spec.kind == NUMBER:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise RuleViolation(spec.name, "not a number") from None
    if spec.kind == WHEN:
        return parse_when(text, zone, spec.name)
    if spec.kind == CHOICE and text not in {value for value, _label in spec.choices}:
        raise RuleViolation(spec.name, f"choose one of {', '.join(value for value, _label in spec.choices)}")
    if spec.kind == LIST:
        return [part for part in text.replace(",", " ").split() if part]
    if spec.kind == LINES:
        return _parse_lines(text, spec)
    return text


def parse_form(command: Command, form: Mapping[str, str], zone: ZoneInfo) -> tuple[dict[str, Any], dict[str, str]]:
    """The command's typed values and, per field, what is wrong with it (empty when all is well)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in (*command.fields, OCCURRED_AT):
        try:
            values[spec.name] = parse_value(spec, form.get(spec.name, ""), zone)
        except RuleViolation as error:
            errors[spec.name] = error.reason
    return values, errors


def _grain_receipt_order(c: Call) -> Outcome:
    """A grain receipt as a job for the grain gear (``POST /api/v1/work/instructions/generate {"grain"}``);
    without a silo it goes where the silo planner allocates it. Its refusals name ``grain.<field>``:
    shown beside the form's field of that name."""
    from landbridge.services.work.generate import for_grain
    from landbridge.services.work.grain_work import GrainOrder, GrainStep

    order = GrainOrder(
        step=GrainStep.RECEIVE,
        lot=c["lot"],
        mass_kg=c["mass_kg"],
        silo_code=c["silo_code"],
        owner_code=c["owner_code"],
        crop=c["crop"],
        grain_class=c["grain_class"],
        moisture_pct=c["moisture_pct"],
        source_kind="hopper_wagons",
        wagons=tuple(HopperWagon(number, mass) for number, mass in c["wagons"]),
    )
    try:
        return for_grain(c.uow, c.actor, order=order, occurred_at=c.occurred_at, idempotency=c.idempotency)
    except DomainError as error:
        raise type(error)(error.field.removeprefix("grain."), error.reason) from error


def field_of(error_field: str, command: Command) -> str | None:
    """Which input a domain error's field names (``pick_up[1]`` → ``pick_up``), or None for the whole form."""
    name = error_field.split("[")[0].split(".")[0]
    names = {spec.name for spec in (*command.fields, OCCURRED_AT)}
    if name in names:
        return name
    aliases = {"number": ("container",), "reference": ("train", "lot"), "train": ("reference",), "hold": ("hold_id",)}
    return next((alias for alias in aliases.get(name, ()) if alias in names), None)


def forms_for(viewer: Viewer | None, path: str) -> list[Command]:
    """The forms a screen shows this viewer: its commands the role policy grants (none in open mode)."""
    if viewer is None or viewer.open_mode:
        return []
    screen = "/container" if path.startswith("/container/") else path
    return [command for command in commands_on(screen) if viewer.may(command.action)]


def hub_now_text() -> str:
    """Now in hub time with its offset, to the minute: what an empty "when" field means."""
    return datetime.now(UTC).astimezone(hub_zone()).isoformat(timespec="minutes")
