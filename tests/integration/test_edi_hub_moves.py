"""A partner's CODECO reporting a move at the hub itself drives the operations' gate, with its own time and rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from landbridge.domain.containers import LoadState
from landbridge.domain.events import as_utc, utc_now
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ListKind, ManifestEntry, VisitKind
from landbridge.domain.units import Direction, PartyRole
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.interchange.defaults import seed_partners
from landbridge.services.interchange.importer import import_edifact
from landbridge.services.operations import gate, holds, manifests, parties, rail, yard
from landbridge.store.unit_of_work import UnitOfWork
from tests.support import seed, uic_wagon

ACTOR = Actor(name="edi-test", role="admin")
SHANGHAI, ALMATY = ZoneInfo("Asia/Shanghai"), ZoneInfo("Asia/Almaty")
IN_BOX, OUT_BOX = "CSQU3054383", "TGHU1000018"


def _codeco(
    reference: str,
    document_code: str,
    box: str,
    when: datetime,
    plate: str,
    booking: str = "",
    sender: str = "DEPOTLYG",
) -> str:
    """A partner's CODECO of one box at the hub (``LOC+165+CNLYG``), time in the sender's zone."""
    zone = ALMATY if sender == "KTZEXPRESS" else SHANGHAI
    stamp = when.astimezone(zone).strftime("%Y%m%d%H%M")
    transport = f"TDT+1+{plate}+2+25'" if sender == "KTZEXPRESS" else f"TDT+1++3+31++++{plate}'"
    rff = f"RFF+BN:{booking}'" if booking else ""
    segments = [
        "UNH+1+CODECO:D:00B:UN:SMDG21'",
        f"BGM+{document_code}+DOC-{reference}+9'",
        f"DTM+137:{stamp}:203'",
        f"NAD+MS+{sender}:160:ZZZ'",
        f"EQD+CN+{box}+45G1:102:5+2+2+5'",
        *([rff] if rff else []),
        f"DTM+7:{stamp}:203'",
        "LOC+165+CNLYG:139:6+LPCT:TER:ZZZ'",
        "MEA+AAE+G+KGM:21900'",
        transport,
        "CNT+16:1'",
    ]
    body = "".join(segments) + f"UNT+{len(segments) + 1}+1'"
    return f"UNA:+.? 'UNB+UNOC:3+{sender}:ZZZ+CNLYGLPCT:ZZZ+261206:1030+{reference}'{body}UNZ+1+{reference}'"


def _import(url: str, text: str):  # type: ignore[no-untyped-def]
    [outcome] = list(import_edifact(UnitOfWork.for_url(url), text, ACTOR, source_name="test"))
    return outcome


def _position(url: str, box: str) -> tuple[str, str | None]:
    with UnitOfWork.for_url(url) as uow:
        row = uow.containers.rows([box])[box]
        return row.position_kind, row.position_reference


def _prepare(url: str, start: datetime) -> None:
    seed(url)
    seed_partners(UnitOfWork.for_url(url))
    parties.create_party(
        UnitOfWork.for_url(url), ACTOR, code="KZGRAIN01", name="Kazakh Grain", role=PartyRole.SHIPPER, occurred_at=start
    )
    parties.create_consignment(
        UnitOfWork.for_url(url),
        ACTOR,
        booking_reference="BK-HUB-1",
        shipper_code="KZGRAIN01",
        consignee_code=None,
        origin="CNLYG",
        destination="KZALA",
        goods=[],
        occurred_at=start,
    )
    for box in (IN_BOX, OUT_BOX):
        register_container(
            UnitOfWork.for_url(url),
            RegisterContainer(ContainerNumber(box), "45G1", LoadState.FULL, 21_900, occurred_at=start),
            ACTOR,
        )


def _into_yard(url: str, box: str, start: datetime) -> None:
    """The box came in by truck (its booking assigned) and was put in the yard; the truck left."""
    parties.assign_container(
        UnitOfWork.for_url(url), ACTOR, booking_reference="BK-HUB-1", container=box, occurred_at=start
    )
    gate.truck_in(
        UnitOfWork.for_url(url),
        ACTOR,
        reference="TR-IN",
        plate="SU11111",
        drop_off=[box],
        pick_up=[],
        override_reason="test",
        occurred_at=start,
    )
    yard.place_container(UnitOfWork.for_url(url), ACTOR, container=box, slot=None, occurred_at=start)
    gate.truck_out(UnitOfWork.for_url(url), ACTOR, reference="TR-IN", occurred_at=start)


def test_a_depot_s_gate_in_at_the_hub_is_a_truck_visit_through_the_gate(database_url: str) -> None:
    start = (utc_now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    _prepare(database_url, start)
    when = start + timedelta(minutes=30)
    outcome = _import(database_url, _codeco("HUB0001", "34", IN_BOX, when, "SU12345", booking="BK-HUB-1"))
    assert outcome.status == "accepted", outcome.report()
    [move] = outcome.messages[0].summary["hub_moves"]
    assert move["move"] == "gate_in" and move["truck_visit"] == f"DEPOTLYG-DOC-HUB0001-{IN_BOX}"
    assert _position(database_url, IN_BOX) == ("truck", move["truck_visit"])
    with UnitOfWork.for_url(database_url) as uow:
        events = uow.events.for_subject("container", IN_BOX)
        truck = uow.gate.truck(move["truck_visit"])
        assert truck is not None and truck.plate == "SU12345"
        assert truck.override_reason == "gate-in reported by DEPOTLYG in CODECO DOC-HUB0001"
    gate_in = events[-1]
    assert gate_in.event_type.value == "container.gate_in" and as_utc(gate_in.occurred_at) == when
    assert "container.reported" not in [event.event_type.value for event in events]

    # the same move reported again (another interchange): a confirmation, nothing changes
    again = _import(database_url, _codeco("HUB0002", "34", IN_BOX, when, "SU12345"))
    assert again.status == "accepted", again.report()
    assert again.messages[0].summary["hub_moves"][0]["confirmed"] is True
    assert "already recorded by the hub" in str(again.messages[0].summary["notes"])


def test_a_gate_out_at_the_hub_goes_through_holds_and_the_truck_that_came_for_the_box(database_url: str) -> None:
    start = (utc_now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    _prepare(database_url, start)
    # the box is in the yard (brought in earlier), released by a delivery order; a truck came in for it with the PIN
    _into_yard(database_url, OUT_BOX, start)
    issued = gate.issue_delivery_order(
        UnitOfWork.for_url(database_url),
        ACTOR,
        reference="DO-HUB-1",
        containers=[OUT_BOX],
        valid_from=start,
        valid_to=start + timedelta(days=1),
        occurred_at=start + timedelta(minutes=2),
    ).body
    # nobody has come for it yet: the gate-out is refused, naming the EQD
    early = _import(database_url, _codeco("HUB0003", "36", OUT_BOX, start + timedelta(minutes=5), "SU22222"))
    assert early.status == "rejected"
    problem = early.messages[0].problems[-1]
    assert (problem.segment_tag, problem.element) == ("EQD", 2) and "no truck in the hub" in problem.reason
    assert "UCS+5'UCD+12+2:1'" in (early.contrl or "").replace("\n", "")
    gate.truck_in(
        UnitOfWork.for_url(database_url),
        ACTOR,
        reference="TR-OUT",
        plate="SU22222",
        drop_off=[],
        pick_up=[OUT_BOX],
        delivery_order="DO-HUB-1",
        pin=issued["pin"],
        override_reason="test",
        occurred_at=start + timedelta(minutes=10),
    )
    hold = holds.place_hold(
        UnitOfWork.for_url(database_url),
        ACTOR,
        container=OUT_BOX,
        reason="inspection",
        occurred_at=start + timedelta(minutes=11),
    ).body
    held = _import(database_url, _codeco("HUB0004", "36", OUT_BOX, start + timedelta(minutes=20), "SU22222"))
    assert held.status == "rejected"
    refusal = held.messages[0].problems[-1]
    assert (refusal.segment_tag, refusal.segment_position, refusal.element) == ("EQD", 5, 2)
    assert "pick_up" in refusal.reason and "hold" in refusal.reason
    assert "UCS+5'UCD+12+2:1'" in (held.contrl or "").replace("\n", "")
    assert _position(database_url, OUT_BOX)[0] == "yard"
    holds.release_hold(
        UnitOfWork.for_url(database_url), ACTOR, hold_id=hold["id"], occurred_at=start + timedelta(minutes=21)
    )
    left = start + timedelta(minutes=30)
    done = _import(database_url, _codeco("HUB0005", "36", OUT_BOX, left, "SU22222"))
    assert done.status == "accepted", done.report()
    assert done.messages[0].summary["hub_moves"][0]["truck_visit"] == "TR-OUT"
    assert _position(database_url, OUT_BOX)[0] == "delivered"
    with UnitOfWork.for_url(database_url) as uow:
        last = uow.events.for_subject("container", OUT_BOX)[-1]
    assert last.event_type.value == "container.gate_out" and as_utc(last.occurred_at) == left


def test_a_rail_operator_s_rail_in_at_the_hub_unloads_the_box_and_its_rail_out_confirms(database_url: str) -> None:
    start = (utc_now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    _prepare(database_url, start)
    _into_yard(database_url, OUT_BOX, start)
    wagon = uic_wagon(1)
    rail.announce_train(
        UnitOfWork.for_url(database_url),
        ACTOR,
        reference="T-KZ1",
        direction=Direction.WEST,
        route_code="almaty",
        gauge_mm=1435,
        train_type_code="cn_1435",
        track_code="T2",
        wagons=[rail.WagonSpec(wagon, "cn_flat_40ft")],
        occurred_at=start,
    )
    manifests.set_list(
        UnitOfWork.for_url(database_url),
        ACTOR,
        visit_kind=VisitKind.TRAIN,
        visit="T-KZ1",
        list_kind=ListKind.LOAD,
        entries=[ManifestEntry(OUT_BOX)],
        occurred_at=start,
    )
    # a rail-out of a box the train does not carry is refused: loading names a wagon and slot
    refused = _import(
        database_url, _codeco("KZ0001", "36", IN_BOX, start + timedelta(minutes=5), "T-KZ1", sender="KTZEXPRESS")
    )
    assert refused.status == "rejected"
    assert (refused.messages[0].problems[-1].segment_tag, refused.messages[0].problems[-1].element) == ("EQD", 2)
    unknown = _import(
        database_url, _codeco("KZ0002", "34", OUT_BOX, start + timedelta(minutes=5), "T-XX", sender="KTZEXPRESS")
    )
    assert unknown.status == "rejected"
    problem = unknown.messages[0].problems[-1]
    assert (problem.segment_tag, problem.element) == ("TDT", 2) and "no train visit 'T-XX'" in problem.reason
    rail.load_on_wagon(
        UnitOfWork.for_url(database_url),
        ACTOR,
        train="T-KZ1",
        container=OUT_BOX,
        wagon_number=wagon,
        slot=1,
        occurred_at=start + timedelta(minutes=10),
    )
    confirmed = _import(
        database_url, _codeco("KZ0003", "36", OUT_BOX, start + timedelta(minutes=10), "T-KZ1", sender="KTZEXPRESS")
    )
    assert confirmed.status == "accepted", confirmed.report()
    assert confirmed.messages[0].summary["hub_moves"][0]["confirmed"] is True
    # the rail operator reports the box taken off the train at the hub: unloaded into the yard at its time
    when = start + timedelta(minutes=40)
    unloaded = _import(database_url, _codeco("KZ0004", "34", OUT_BOX, when, "T-KZ1", sender="KTZEXPRESS"))
    assert unloaded.status == "accepted", unloaded.report()
    assert unloaded.messages[0].summary["hub_moves"][0]["move"] == "rail_in"
    assert _position(database_url, OUT_BOX)[0] == "yard"
    with UnitOfWork.for_url(database_url) as uow:
        last = uow.events.for_subject("container", OUT_BOX)[-1]
    assert last.event_type.value == "container.unloaded_wagon" and as_utc(last.occurred_at) == when
