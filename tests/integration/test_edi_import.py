"""Importing EDIFACT into the hub: idempotent per interchange, all or nothing per message, every fault answered."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from landbridge.services.containers import Actor
from landbridge.services.interchange.defaults import seed_partners
from landbridge.services.interchange.importer import import_edifact
from landbridge.services.interchange.queries import interchange, interchanges
from landbridge.services.operations import vessel
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"
ACTOR = Actor(name="edi-test", role="admin")


def _import(url: str, text: str):  # type: ignore[no-untyped-def]
    return list(import_edifact(UnitOfWork.for_url(url), text, ACTOR, source_name="test"))


def _count(url: str, model: type[tables.Base], *where: object) -> int:
    with UnitOfWork.for_url(url) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_rail_codeco_applies_once_and_a_repeat_is_a_duplicate(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    text = (FIXTURES / "codeco_d95b_rail.edi").read_text()
    [first] = _import(database_url, text)
    assert first.status == "accepted", first.report()
    with UnitOfWork.for_url(database_url) as uow:
        events = uow.events.for_subject("container", "KTZU6000067")
    assert [event.event_type.value for event in events] == ["container.registered", "container.reported"]
    reported = events[-1]
    occurred = reported.occurred_at if reported.occurred_at.tzinfo else reported.occurred_at.replace(tzinfo=UTC)
    assert occurred == datetime(2026, 12, 6, 8, 40, tzinfo=UTC)  # 13:40 in Almaty (UTC+5)
    assert reported.location == "KZDOS"
    assert reported.after is not None and reported.after["mode"] == "rail"
    assert "UCI+KTZ000451+KTZEXPRESS:ZZZ+CNLYGLPCT:ZZZ+7'" in (first.contrl or "")

    [again] = _import(database_url, text)
    assert again.status == "duplicate" and again.duplicate_of == first.id
    assert _count(database_url, tables.EventRow, tables.EventRow.subject_id == "KTZU6000067") == 2

    renumbered = text.replace("KTZ000451", "KTZ000452")
    [held] = _import(database_url, renumbered)
    assert held.status == "held"
    assert any(problem.code == "26" for problem in held.problems)
    assert _count(database_url, tables.EventRow, tables.EventRow.subject_id == "KTZU6000067") == 2


def test_untidy_depot_file_tolerated_and_a_bad_message_rejected_alone(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    outcomes = _import(database_url, (FIXTURES / "malformed" / "codeco_untidy_concatenated.edi").read_text())
    assert [outcome.status for outcome in outcomes] == ["accepted", "partially_accepted"]
    assert {problem.severity for problem in outcomes[0].problems} == {"warning"}  # empty recipient, extra UNZ element
    second = outcomes[1]
    assert [message.status for message in second.messages] == ["applied", "rejected"]
    assert second.messages[1].problems[0].segment_tag == "EQD"
    assert "UCM+2+CODECO:D:00B:UN:SMDG21+4+12'" in (second.contrl or "")
    assert "UCS+4+'" not in (second.contrl or "") and "UCD+12+2:1'" in (second.contrl or "")
    assert _count(database_url, tables.ContainerRow, tables.ContainerRow.number == "BMOU3333331") == 1
    assert _count(database_url, tables.ContainerRow, tables.ContainerRow.number == "CAIU4444448") == 0


def test_a_message_is_rolled_back_whole_when_a_later_container_breaks_a_rule(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    text = (FIXTURES / "codeco_d95b_rail.edi").read_text()
    second_box = "EQD+CN+TRHU7000070+99X9:102:5+1+3+4'\nDTM+7:202612061341:203'\n"
    broken = text.replace("TDT+1+KZ-TRAIN-7701", second_box + "TDT+1+KZ-TRAIN-7701").replace("CNT+16:1", "CNT+16:2")
    broken = broken.replace("UNT+12+451001", "UNT+14+451001").replace("KTZ000451", "KTZ000999")
    [outcome] = _import(database_url, broken)
    assert outcome.status == "rejected"
    problem = outcome.messages[0].problems[-1]
    assert (problem.segment_tag, problem.segment_position) == ("EQD", 10)
    assert "iso_type" in problem.reason
    assert _count(database_url, tables.ContainerRow) == 0  # the first box of the message was not kept either
    assert _count(database_url, tables.EventRow) == 0


def test_unknown_sender_is_rejected_with_code_23_and_recorded(database_url: str) -> None:
    [outcome] = _import(database_url, (FIXTURES / "codeco_d95b_rail.edi").read_text())
    assert outcome.status == "rejected"
    assert outcome.problems[0].code == "23"
    assert "UCI+KTZ000451+KTZEXPRESS:ZZZ+CNLYGLPCT:ZZZ+4+23+UNB'" in (outcome.contrl or "")
    listed = interchanges(UnitOfWork.for_url(database_url))
    assert listed[0]["status"] == "rejected"
    assert interchange(UnitOfWork.for_url(database_url), listed[0]["id"])["report"]["problems"][0]["code"] == "23"


def test_bayplan_records_cells_for_the_call_and_reports_differences(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    vessel.announce_vessel(
        UnitOfWork.for_url(database_url),
        ACTOR,
        reference="V-COSCO-126E",
        vessel_name="COSCO Lianyungang",
        eta=datetime(2026, 12, 8, 6, 0, tzinfo=UTC),
        imo_number="9412347",
    )
    [outcome] = _import(database_url, (FIXTURES / "baplie_22.edi").read_text())
    assert outcome.status == "accepted", outcome.report()
    summary = outcome.messages[0].summary
    assert summary["visit"] == "V-COSCO-126E" and summary["cells"] == 4
    assert summary["differences"]["in_bayplan_not_listed"] == ["CBHU8123451", "CSQU3054383", "TGHU1000018"]
    [newer] = _import(database_url, (FIXTURES / "baplie_31.edi").read_text())
    assert newer.status == "accepted", newer.report()
    assert _count(database_url, tables.EventRow, tables.EventRow.subject_type == "container") == 0  # no box moved
    from landbridge.store.interchange_tables import BayplanCellRow

    assert _count(database_url, BayplanCellRow) == 2  # the 3.1 plan replaced the 2.2 one


def _shipper(url: str) -> None:
    from landbridge.domain.units import PartyRole
    from landbridge.services.operations import parties

    parties.create_party(
        UnitOfWork.for_url(url), ACTOR, code="KZGRAIN01", name="Kazakh Grain Export LLP", role=PartyRole.SHIPPER
    )


def test_coparn_booking_creates_the_booking_and_assigns_its_containers(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    _shipper(database_url)
    [outcome] = _import(database_url, (FIXTURES / "coparn_d00b_booking.edi").read_text())
    assert outcome.status == "accepted", outcome.report()
    with UnitOfWork.for_url(database_url) as uow:
        rows = uow.containers.rows(["CSNU8000080", "CXDU9000091"])
        assert {row.booking_reference for row in rows.values()} == {"LYG-BK-0002"}


def test_a_refused_command_in_the_middle_of_a_message_rolls_back_the_whole_message(database_url: str) -> None:
    from landbridge.domain.containers import LoadState
    from landbridge.domain.identifiers import ContainerNumber
    from landbridge.services.containers import RegisterContainer, register_container
    from landbridge.services.operations import parties

    seed_partners(UnitOfWork.for_url(database_url))
    _shipper(database_url)
    parties.create_consignment(
        UnitOfWork.for_url(database_url),
        ACTOR,
        booking_reference="BK-OTHER",
        shipper_code="KZGRAIN01",
        consignee_code=None,
        origin="CNLYG",
        destination="KZALA",
        goods=[],
    )
    register_container(
        UnitOfWork.for_url(database_url),
        RegisterContainer(ContainerNumber("CXDU9000091"), "22G1", LoadState.EMPTY),
        ACTOR,
    )
    parties.assign_container(
        UnitOfWork.for_url(database_url), ACTOR, booking_reference="BK-OTHER", container="CXDU9000091"
    )
    events_before = _count(database_url, tables.EventRow)
    [outcome] = _import(database_url, (FIXTURES / "coparn_d00b_booking.edi").read_text())
    assert outcome.status == "rejected"
    problem = outcome.messages[0].problems[-1]
    assert (problem.segment_tag, problem.segment_position) == ("EQD", 13)
    assert "BK-OTHER" in problem.reason
    assert _count(database_url, tables.ConsignmentRow, tables.ConsignmentRow.booking_reference == "LYG-BK-0002") == 0
    assert _count(database_url, tables.ContainerRow, tables.ContainerRow.number == "CSNU8000080") == 0
    assert _count(database_url, tables.EventRow) == events_before


def test_a_bayplan_of_a_2000_box_ship_imports(database_url: str) -> None:
    from landbridge.interchange.edifact.generate import bayplan
    from landbridge.store.interchange_tables import BayplanCellRow

    seed_partners(UnitOfWork.for_url(database_url))
    vessel.announce_vessel(
        UnitOfWork.for_url(database_url),
        ACTOR,
        reference="V-COSCO-BIG",
        vessel_name="COSCO Lianyungang",
        eta=datetime(2026, 12, 8, 6, 0, tzinfo=UTC),
        imo_number="9412347",
    )
    [outcome] = _import(database_url, bayplan(2000))
    assert outcome.status == "accepted", outcome.report()["messages"][0]["problems"][:3]
    assert outcome.messages[0].summary["cells"] == 2000
    assert _count(database_url, BayplanCellRow, BayplanCellRow.visit_reference == "V-COSCO-BIG") == 2000


def test_two_partners_with_different_habits_both_work(database_url: str) -> None:
    from landbridge.services.interchange.partners import save_partner

    for code, tolerances in (("LINEA", ["wrong_counts"]), ("LINEB", [])):
        save_partner(
            UnitOfWork.for_url(database_url),
            code=code,
            name=code,
            unb_id=code,
            inbound=["CODECO:1.6"],
            tolerances=tolerances,
        )
    text = (FIXTURES / "codeco_d95b_rail.edi").read_text().replace("UNT+12+451001", "UNT+99+451001")
    [tolerant] = _import(database_url, text.replace("KTZEXPRESS", "LINEA"))
    assert tolerant.status == "accepted"
    assert [(p.code, p.severity) for p in tolerant.messages[0].problems] == [("29", "warning")]
    [strict] = _import(database_url, text.replace("KTZEXPRESS", "LINEB").replace("KTZU6000067", "TEMU5555558"))
    assert strict.status == "rejected"
    assert [(p.code, p.segment_tag) for p in strict.messages[0].problems] == [("29", "UNT")]


def test_a_codeco_dated_before_the_box_s_last_event_is_rejected_and_the_rest_applied(database_url: str) -> None:
    """The batch path (one INSERT per table) refuses the batch; message by message, only the late one is rejected."""
    from landbridge.interchange.edifact.generate import codeco_batch

    seed_partners(UnitOfWork.for_url(database_url))
    head, *messages = next(codeco_batch(interchanges=1, messages_per_interchange=3, seed=5)).split("UNH+")
    first = messages[0].replace("DTM+7:202611010000", "DTM+7:202611011000")
    # the second message reports the first's box an hour before the first message's move
    second = (
        messages[1].replace("LBDU0000028+42G1", "LBDU0000012+22U1").replace("DTM+7:202611010000", "DTM+7:202611010900")
    )
    [outcome] = _import(database_url, "UNH+".join([head, first, second, messages[2]]))
    assert outcome.status == "partially_accepted", outcome.report()
    assert [message.status for message in outcome.messages] == ["applied", "rejected", "applied"]
    problem = outcome.messages[1].problems[-1]
    assert (problem.segment_tag, problem.segment_position) == ("EQD", 5)
    assert "occurred_at" in problem.reason and "earlier than the previous event" in problem.reason
    with UnitOfWork.for_url(database_url) as uow:
        events = uow.events.for_subject("container", "LBDU0000012")
        assert [event.event_type.value for event in events] == ["container.registered", "container.reported"]
        assert uow.containers.exists("LBDU0000033")


def test_a_clean_codeco_interchange_writes_what_message_by_message_would(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch path (one query per table to read, one INSERT per table to write) = the one-by-one path."""
    from landbridge.interchange.edifact.generate import codeco_batch
    from landbridge.services.interchange import importer

    seed_partners(UnitOfWork.for_url(database_url))
    text = next(codeco_batch(interchanges=1, messages_per_interchange=4, seed=9))
    twin = next(codeco_batch(interchanges=1, messages_per_interchange=4, seed=9, owner="LBS"))
    [together] = _import(database_url, text)
    monkeypatch.delitem(importer.BATCH_HANDLERS, "CODECO")
    [alone] = _import(database_url, twin.replace("+00900000000", "+00900000001"))
    assert together.status == alone.status == "accepted"
    serials = [[number[4:10] for number in m.summary["containers"]] for m in together.messages]
    assert serials == [[number[4:10] for number in m.summary["containers"]] for m in alone.messages]

    def written(owner: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        with UnitOfWork.for_url(database_url) as uow:
            events = uow.session.scalars(
                select(tables.EventRow).where(tables.EventRow.subject_id.like(owner + "%")).order_by(tables.EventRow.id)
            )
            boxes = uow.session.scalars(
                select(tables.ContainerRow)
                .where(tables.ContainerRow.number.like(owner + "%"))
                .order_by(tables.ContainerRow.number)
            )
            return (
                [
                    (e.event_type, e.subject_type, e.actor, e.occurred_at, e.location, e.before, _same(e.after))
                    for e in events
                ],
                [(b.iso_type, b.load_state, b.gross_mass_kg, b.seals, b.position_kind, b.version) for b in boxes],
            )

    assert len(written("LBDU")[0]) == 8
    assert written("LBDU") == written("LBSU")


def _same(after: dict[str, object] | None) -> dict[str, object] | None:
    """An event's payload without what names the box (its number and snapshot differ by owner code only)."""
    return None if after is None else {key: value for key, value in after.items() if key != "number"}
