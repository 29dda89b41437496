"""Import → database → export: what goes out agrees with what came in, and our CODECO sent back changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from landbridge.api.app import create_app
from landbridge.domain.containers import LoadState
from landbridge.domain.events import utc_now
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.units import PartyRole
from landbridge.interchange.edifact.baplie import Bayplan
from landbridge.interchange.edifact.equipment import ContainerMessage
from landbridge.interchange.edifact.messages import read
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.interchange.defaults import seed_partners
from landbridge.services.interchange.exports import export_coarri, produce_codeco
from landbridge.services.interchange.importer import import_edifact
from landbridge.services.interchange.partners import partner as partner_of
from landbridge.services.operations import gate, parties, vessel, yard
from landbridge.store import tables
from landbridge.store.interchange_tables import EdiOutboxRow
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import bearer, token
from tests.support import seed

ACTOR = Actor(name="edi-test", role="admin")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"


def _import(url: str, text: str):  # type: ignore[no-untyped-def]
    [outcome] = list(import_edifact(UnitOfWork.for_url(url), text, ACTOR, source_name="round trip"))
    return outcome


def _events(url: str) -> int:
    with UnitOfWork.for_url(url) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(tables.EventRow)) or 0)


def test_coprar_and_baplie_in_coarri_out_name_the_same_boxes_and_cells(database_url: str) -> None:
    seed(database_url)
    seed_partners(UnitOfWork.for_url(database_url))
    vessel.announce_vessel(
        UnitOfWork.for_url(database_url),
        ACTOR,
        reference="V-126E",
        vessel_name="COSCO Lianyungang",
        eta=datetime(2026, 12, 1, tzinfo=UTC),
        imo_number="9412347",
    )
    vessel.berth_vessel(
        UnitOfWork.for_url(database_url),
        ACTOR,
        reference="V-126E",
        berth_code="L1",
        etb=datetime(2026, 12, 1, 2, tzinfo=UTC),
    )
    coprar = _import(database_url, (FIXTURES / "coprar_d00b_discharge.edi").read_text())
    baplie_text = (FIXTURES / "baplie_31.edi").read_text()
    baplie = _import(database_url, baplie_text)
    assert coprar.status == baplie.status == "accepted", (coprar.report(), baplie.report())
    listed = set(coprar.messages[0].summary["containers"])
    [bay_message] = [message for interchange in read(baplie_text, UTC) for message in interchange.messages]
    assert isinstance(bay_message.model, Bayplan)
    cells = {unit.number: unit.cell.text() for unit in bay_message.model.containers}
    assert set(cells) <= listed
    for number in sorted(cells):  # the boxes the bay plan has on board come off as the discharge list says
        register_container(
            UnitOfWork.for_url(database_url), RegisterContainer(ContainerNumber(number), "45G1", LoadState.FULL), ACTOR
        )
        vessel.discharge_container(UnitOfWork.for_url(database_url), ACTOR, reference="V-126E", container=number)

    with UnitOfWork.for_url(database_url) as uow:
        partner = partner_of(uow, "COSCO")
    coarri = export_coarri(UnitOfWork.for_url(database_url), partner, "V-126E")
    [report] = [message for interchange in read(coarri, partner.zone) for message in interchange.messages]
    assert isinstance(report.model, ContainerMessage) and not report.problems
    assert report.model.document_code == "44"  # discharge report
    reported = {item.number: item.location("147") for item in report.model.equipment}
    assert reported == cells  # the boxes of the bay plan, each at the cell the bay plan gave it
    assert set(reported) <= listed  # all of them on the COPRAR's discharge list
    assert report.model.transport is not None and report.model.transport.means_id == "9412347"


def test_our_codeco_sent_back_by_a_partner_changes_nothing(database_url: str) -> None:
    """The hub's gate moves go out as CODECO; the same interchange coming back is a confirmation, box by box."""
    start = (utc_now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    seed(database_url)
    seed_partners(UnitOfWork.for_url(database_url))
    parties.create_party(
        UnitOfWork.for_url(database_url),
        ACTOR,
        code="KZG",
        name="Kazakh Grain",
        role=PartyRole.SHIPPER,
        occurred_at=start,
    )
    parties.create_consignment(
        UnitOfWork.for_url(database_url),
        ACTOR,
        booking_reference="BK-RT-1",
        shipper_code="KZG",
        consignee_code=None,
        origin="CNLYG",
        destination="KZALA",
        goods=[],
        occurred_at=start,
    )
    boxes = ["CSQU3054383", "TGHU1000018"]
    for number in boxes:
        register_container(
            UnitOfWork.for_url(database_url),
            RegisterContainer(ContainerNumber(number), "45G1", LoadState.FULL, 20_000, occurred_at=start),
            ACTOR,
        )
        parties.assign_container(
            UnitOfWork.for_url(database_url), ACTOR, booking_reference="BK-RT-1", container=number, occurred_at=start
        )
    gate.truck_in(
        UnitOfWork.for_url(database_url),
        ACTOR,
        reference="TR-RT",
        plate="SU12345",
        drop_off=boxes,
        pick_up=[],
        override_reason="test",
        occurred_at=start + timedelta(minutes=5),
    )
    for number in boxes:
        yard.place_container(
            UnitOfWork.for_url(database_url),
            ACTOR,
            container=number,
            slot=None,
            occurred_at=start + timedelta(minutes=10),
        )
    assert produce_codeco(UnitOfWork.for_url(database_url)).get("KTZE") == 2
    with UnitOfWork.for_url(database_url) as uow:
        sent = uow.session.scalar(
            select(EdiOutboxRow.payload).where(
                EdiOutboxRow.partner_code == "KTZE", EdiOutboxRow.message_type == "CODECO"
            )
        )
    assert sent is not None and "LOC+165+CNLYG:139:6'" in sent
    before = _events(database_url)
    # KTZ Express sends our interchange back (its envelope: KTZ Express to us)
    echoed = sent.replace("+CNLYGLPCT:ZZZ+KTZEXPRESS:ZZZ+", "+KTZEXPRESS:ZZZ+CNLYGLPCT:ZZZ+")
    outcome = _import(database_url, echoed)
    assert outcome.status == "accepted", outcome.report()
    moves = [move for message in outcome.messages for move in message.summary["hub_moves"]]
    assert [(move["container"], move["move"], move["confirmed"]) for move in moves] == [
        (number, "container.gate_in", True) for number in boxes
    ]
    assert _events(database_url) == before  # nothing happened twice
    with UnitOfWork.for_url(database_url) as uow:
        assert {row.position_kind for row in uow.containers.rows(boxes).values()} == {"yard"}


def test_baplie_of_a_loaded_call_is_what_is_on_board_and_re_imports_to_the_same_cells(database_url: str) -> None:
    """Arrival BAPLIE − discharged + loaded at its MOVINS cell goes out; sent back, the call's cells stay the same."""
    from landbridge.domain.manifests import ListKind, ManifestEntry, VisitKind
    from landbridge.services.interchange.exports import export_baplie
    from landbridge.services.operations import manifests, vgm
    from landbridge.store.interchange_tables import BayplanCellRow
    from landbridge.store.repositories import EVERYTHING

    start = (utc_now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    seed(database_url)
    seed_partners(UnitOfWork.for_url(database_url))
    url = database_url
    vessel.announce_vessel(
        UnitOfWork.for_url(url),
        ACTOR,
        reference="V-126E",
        vessel_name="COSCO Lianyungang",
        eta=start,
        imo_number="9412347",
    )
    vessel.berth_vessel(UnitOfWork.for_url(url), ACTOR, reference="V-126E", berth_code="L1", etb=start)
    # the discharge list, what is on board at arrival, the loading plan (OOLU3000038 → 0380682)
    for fixture in ("coprar_d00b_discharge.edi", "baplie_31.edi", "movins_d95b.edi"):
        outcome = _import(url, (FIXTURES / fixture).read_text())
        assert outcome.status == "accepted", outcome.report()
    gone, staying, loaded = "CSQU3054383", "TGHU1000018", "OOLU3000038"
    for number in (gone, loaded):
        register_container(
            UnitOfWork.for_url(url), RegisterContainer(ContainerNumber(number), "45G1", LoadState.FULL, 21_900), ACTOR
        )
    vessel.discharge_container(UnitOfWork.for_url(url), ACTOR, reference="V-126E", container=gone)
    # the export box: in by truck with its booking, into the yard, on the load list with its VGM, loaded
    parties.create_party(UnitOfWork.for_url(url), ACTOR, code="KZG", name="KZ Grain", role=PartyRole.SHIPPER)
    parties.create_consignment(
        UnitOfWork.for_url(url),
        ACTOR,
        booking_reference="BK-RT-2",
        shipper_code="KZG",
        consignee_code=None,
        origin="CNLYG",
        destination="KRPUS",
        goods=[],
    )
    parties.assign_container(UnitOfWork.for_url(url), ACTOR, booking_reference="BK-RT-2", container=loaded)
    gate.truck_in(
        UnitOfWork.for_url(url),
        ACTOR,
        reference="TR-EXP",
        plate="SU777",
        drop_off=[loaded],
        pick_up=[],
        override_reason="test",
    )
    yard.place_container(UnitOfWork.for_url(url), ACTOR, container=loaded, slot=None)
    manifests.set_list(
        UnitOfWork.for_url(url),
        ACTOR,
        visit_kind=VisitKind.VESSEL,
        visit="V-126E",
        list_kind=ListKind.LOAD,
        entries=[ManifestEntry(loaded)],
    )
    vgm.declare_vgm(
        UnitOfWork.for_url(url),
        ACTOR,
        EVERYTHING,
        container=loaded,
        mass_kg=21_900,
        method=1,
        verified_by="KZ Grain",
        verified_at=utc_now(),
    )
    vessel.load_container_on_vessel(UnitOfWork.for_url(url), ACTOR, reference="V-126E", container=loaded)

    with UnitOfWork.for_url(url) as uow:
        partner = partner_of(uow, "COSCO")
    text = export_baplie(UnitOfWork.for_url(url), partner, "V-126E")
    [plan] = [message for interchange in read(text, partner.zone) for message in interchange.messages]
    assert isinstance(plan.model, Bayplan) and not plan.problems, plan.problems
    on_board = {unit.number: unit.cell.text() for unit in plan.model.containers}
    assert on_board == {staying: "0520084", loaded: "0380682"}
    assert [unit.vgm_kg for unit in plan.model.containers if unit.number == loaded] == [21_900]
    # the same plan over HTTP (GET /api/v1/edi/baplie); an unknown call is a 404 naming visit
    with TestClient(create_app(url)) as client:
        planner = bearer(token(url, "plan", "planner"))
        answer = client.get("/api/v1/edi/baplie", params={"visit": "V-126E"}, headers=planner)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/edifact")
        [over_http] = [message for interchange in read(answer.text, partner.zone) for message in interchange.messages]
        assert {unit.number: unit.cell.text() for unit in over_http.model.containers} == on_board
        unknown = client.get("/api/v1/edi/baplie", params={"visit": "NOPE"}, headers=planner)
        assert unknown.status_code == 404 and unknown.json()["detail"][0]["loc"][-1] == "visit"
    # COSCO sends it back: the call's bay plan is replaced by the same cells
    echoed = text.replace("+CNLYGLPCT:ZZZ+COSCO:ZZZ+", "+COSCO:ZZZ+CNLYGLPCT:ZZZ+")
    outcome = _import(url, echoed)
    assert outcome.status == "accepted", outcome.report()
    with UnitOfWork.for_url(url) as uow:
        cells = {
            row.container_number: row.cell
            for row in uow.session.scalars(select(BayplanCellRow).where(BayplanCellRow.visit_reference == "V-126E"))
        }
    assert cells == on_board
