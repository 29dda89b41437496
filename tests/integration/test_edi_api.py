"""``POST /api/v1/edi`` answers with a JSON report or the CONTRL; the log, COARRI export and partners over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.services.containers import Actor
from landbridge.services.interchange.defaults import seed_partners
from landbridge.services.operations import vessel, yard
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import bearer, seed, token

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"


def test_post_interchange_report_contrl_and_log(database_url: str) -> None:
    seed(database_url)
    seed_partners(UnitOfWork.for_url(database_url))
    from landbridge.domain.units import PartyRole
    from landbridge.services.operations import parties

    parties.create_party(
        UnitOfWork.for_url(database_url), Actor("t", "admin"), code="COSCO", name="COSCO", role=PartyRole.SHIPPING_LINE
    )
    line = bearer(token(database_url, "line", "shipping_line", "COSCO"))
    auditor = bearer(token(database_url, "aud", "auditor"))
    rail = bearer(token(database_url, "rail", "rail_operator"))
    body = (FIXTURES / "codeco_d95b_rail.edi").read_bytes()
    with TestClient(create_app(database_url)) as client:
        refused = client.post("/api/v1/edi", files={"file": ("x.edi", body)}, headers=auditor)
        assert refused.status_code == 403
        answer = client.post("/api/v1/edi", files={"file": ("rail.edi", body)}, headers=rail)
        assert answer.status_code == 200, answer.text
        [report] = answer.json()
        assert report["status"] == "accepted" and report["messages"][0]["status"] == "applied"
        contrl = client.post(
            "/api/v1/edi", files={"file": ("rail.edi", body)}, headers={**rail, "Accept": "application/edifact"}
        )
        assert contrl.headers["content-type"].startswith("application/edifact")
        assert "UCI+KTZ000451+KTZEXPRESS:ZZZ+CNLYGLPCT:ZZZ+7'" in contrl.text
        bad = (FIXTURES / "malformed" / "coprar_bad_check_digit.edi").read_bytes()
        rejected = client.post("/api/v1/edi", files={"file": ("bad.edi", bad)}, headers=line).json()[0]
        assert rejected["status"] == "rejected"
        fault = next(p for p in rejected["messages"][0]["problems"] if p["code"] == "12")
        assert (fault["segment"], fault["position"], fault["element"]) == ("EQD", 12, 2)
        assert "check digit" in fault["reason"]
        as_other = client.post("/api/v1/edi", files={"file": ("rail.edi", body)}, headers=line).json()[0]
        assert as_other["status"] == "rejected" and as_other["id"] is None  # a line sends only as itself
        assert as_other["problems"][0]["code"] == "23"
        listed = client.get("/api/v1/edi/interchanges", headers=auditor)
        assert listed.status_code == 200
        assert [row["status"] for row in listed.json()][:3] == ["rejected", "duplicate", "accepted"] or len(
            listed.json()
        ) >= 2
        detail = client.get(f"/api/v1/edi/interchanges/{report['id']}", headers=auditor).json()
        assert detail["contrl"].startswith("UNA")
        assert client.get("/api/v1/edi/interchanges/999999", headers=auditor).status_code == 404
        assert client.get("/api/v1/edi/partners", headers=auditor).json()[0]["code"] == "COSCO"
        bad_partner = client.put(
            "/api/v1/edi/partners/NEW",
            json={"name": "x", "unb_id": "NEWID", "inbound": ["FOOBAR"]},
            headers=bearer(token(database_url, "adm", "admin")),
        )
        assert bad_partner.status_code == 422
        assert "inbound" in str(bad_partner.json())


def test_coarri_export_from_recorded_discharges(database_url: str) -> None:
    seed(database_url)
    seed_partners(UnitOfWork.for_url(database_url))
    actor = Actor(name="ops", role="admin")
    url = database_url
    vessel.announce_vessel(
        UnitOfWork.for_url(url),
        actor,
        reference="V-126E",
        vessel_name="COSCO Lianyungang",
        eta=datetime(2026, 12, 1, tzinfo=UTC),
        imo_number="9412347",
    )
    vessel.berth_vessel(
        UnitOfWork.for_url(url), actor, reference="V-126E", berth_code="L1", etb=datetime(2026, 12, 1, 2, tzinfo=UTC)
    )
    from landbridge.domain.containers import LoadState
    from landbridge.domain.identifiers import ContainerNumber
    from landbridge.services.containers import RegisterContainer, register_container

    register_container(
        UnitOfWork.for_url(url),
        RegisterContainer(ContainerNumber("CSQU3054383"), "45G1", LoadState.FULL, 24500),
        actor,
    )
    _list_from_coprar(url, actor)
    vessel.discharge_container(UnitOfWork.for_url(url), actor, reference="V-126E", container="CSQU3054383")
    planner = bearer(token(url, "plan", "planner"))
    with TestClient(create_app(url)) as client:
        answer = client.get("/api/v1/edi/coarri", params={"visit": "V-126E", "queue": True}, headers=planner)
        assert answer.status_code == 200, answer.text
        text = answer.text
        assert "UNH+1+COARRI:D:00B:UN:SMDG21'" in text
        assert "BGM+44+DIS-V-126E+9'" in text
        assert "EQD+CN+CSQU3054383+45G1:102:5++3+5'" in text
        assert "MEA+AAE+VGM+KGM:24500'" in text
        assert "TDT+20+V-126E+1+++++9412347:146::COSCO Lianyungang'" in text
        outbound = client.get("/api/v1/edi/interchanges", params={"direction": "out"}, headers=planner).json()
        assert outbound[0]["message_types"] == "COARRI" and outbound[0]["status"] == "queued"
        missing = client.get("/api/v1/edi/coarri", params={"visit": "NOPE"}, headers=planner)
        assert missing.status_code == 404 and "visit" in missing.text
    _ = yard


def test_a_departed_call_gets_its_coarri_queued_once(database_url: str) -> None:
    from landbridge.domain.containers import LoadState
    from landbridge.domain.identifiers import ContainerNumber
    from landbridge.services.containers import RegisterContainer, register_container
    from landbridge.services.interchange.exports import produce_coarri

    seed(database_url)
    seed_partners(UnitOfWork.for_url(database_url))
    url = database_url
    actor = Actor(name="ops", role="admin")
    vessel.announce_vessel(
        UnitOfWork.for_url(url),
        actor,
        reference="V-9",
        vessel_name="COSCO Lianyungang",
        eta=datetime(2026, 12, 1, tzinfo=UTC),
        imo_number="9412347",
    )
    vessel.berth_vessel(
        UnitOfWork.for_url(url), actor, reference="V-9", berth_code="L1", etb=datetime(2026, 12, 1, 2, tzinfo=UTC)
    )
    register_container(
        UnitOfWork.for_url(url), RegisterContainer(ContainerNumber("CSQU3054383"), "45G1", LoadState.FULL, 24500), actor
    )
    _list_from_coprar(url, actor)
    _discharge(url, actor, "V-9", "CSQU3054383")
    assert produce_coarri(UnitOfWork.for_url(url)) == {}  # still alongside
    vessel.depart_vessel(UnitOfWork.for_url(url), actor, reference="V-9")
    assert produce_coarri(UnitOfWork.for_url(url)) == {"COSCO": 1, "SITC": 1}
    assert produce_coarri(UnitOfWork.for_url(url)) == {}


def _discharge(url: str, actor: Actor, visit: str, number: str) -> None:
    vessel.discharge_container(UnitOfWork.for_url(url), actor, reference=visit, container=number)


def _list_from_coprar(url: str, actor: Actor) -> None:
    """The line's COPRAR discharge order fills the call's discharge list (the box may then come off)."""
    from landbridge.services.interchange.importer import import_edifact

    text = (FIXTURES / "coprar_d00b_discharge.edi").read_text()
    [outcome] = import_edifact(UnitOfWork.for_url(url), text, actor, source_name="coprar")
    assert outcome.status == "accepted", outcome.report()
