"""SMGS notes made from a train visit, read as JSON/HTML/PDF, re-consigned and gauge-changed; CSV lists."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.domain.manifests import ManifestEntry
from landbridge.domain.units import Direction, PartyRole
from landbridge.services.containers import Actor
from landbridge.services.operations import gate, manifests, parties, rail, yard
from landbridge.services.operations.rail import WagonSpec
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import bearer, seed, token

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACTOR = Actor(name="ops", role="admin")
SAMPLE = json.loads((FIXTURES / "smgs" / "smgs_lianyungang_almaty.json").read_text())


def _train_with_a_box(url: str, client: TestClient, headers: dict[str, str]) -> None:
    parties.create_party(UnitOfWork.for_url(url), ACTOR, code="SHP9", name="Shipper", role=PartyRole.SHIPPER)
    bookings = "booking_reference,shipper_code,origin,destination\nBK-9,SHP9,CNLYG,KZALA\n"
    booked = client.post("/api/v1/csv/bookings", files={"file": ("bk.csv", bookings.encode())}, headers=headers)
    assert booked.status_code == 200, booked.text
    csv = (
        "number,iso_type,load_state,gross_mass_kg,seals,booking_reference\nCSQU3054383,45G1,empty,3900,CN1234567,BK-9\n"
    )
    applied = client.post("/api/v1/csv/containers", files={"file": ("boxes.csv", csv.encode())}, headers=headers)
    assert applied.status_code == 200, applied.text
    gate.truck_in(
        UnitOfWork.for_url(url),
        ACTOR,
        reference="TRK-9",
        plate="SU1",
        drop_off=["CSQU3054383"],
        pick_up=[],
        override_reason="test: walk-in",
    )
    yard.place_container(UnitOfWork.for_url(url), ACTOR, container="CSQU3054383", slot="A-02-01-1")
    rail.announce_train(
        UnitOfWork.for_url(url),
        ACTOR,
        reference="T-LYG-ALA-1",
        direction=Direction.WEST,
        route_code="almaty",
        gauge_mm=1435,
        train_type_code="cn_1435",
        wagons=[WagonSpec("313345710013", "cn_flat_40ft")],
    )
    manifests.set_planned_boxes(
        UnitOfWork.for_url(url), ACTOR, train="T-LYG-ALA-1", entries=[ManifestEntry("CSQU3054383")]
    )
    rail.load_on_wagon(
        UnitOfWork.for_url(url),
        ACTOR,
        train="T-LYG-ALA-1",
        container="CSQU3054383",
        wagon_number="313345710013",
        slot=1,
    )


def test_note_from_train_then_html_pdf_reconsign_and_gauge_change(database_url: str) -> None:
    seed(database_url)
    headers = bearer(token(database_url, "rail", "rail_operator"))
    with TestClient(create_app(database_url)) as client:
        _train_with_a_box(database_url, client, bearer(token(database_url, "plan", "planner")))
        body = {
            key: SAMPLE[key]
            for key in (
                "consignor",
                "consignee",
                "departure_station",
                "destination_station",
                "border_crossings",
                "carriers",
            )
        }
        made = client.post(
            "/api/v1/waybills/from-train",
            json={**body, "train_reference": "T-LYG-ALA-1", "number": "SMGS-1"},
            headers=headers,
        )
        assert made.status_code == 201, made.text
        note = made.json()
        assert note["number"] == "SMGS-1" and note["train_reference"] == "T-LYG-ALA-1"
        assert note["containers"][0]["number"] == "CSQU3054383"
        assert note["containers"][0]["wagon"] == "313345710013"
        assert note["containers"][0]["seals"][0]["number"] == "CN1234567"
        assert note["goods"][0]["gng_code"] == "86090000"
        again = client.post(
            "/api/v1/waybills/from-train",
            json={**body, "train_reference": "T-LYG-ALA-1", "number": "SMGS-1"},
            headers=headers,
        )
        assert again.status_code == 409
        html = client.get("/api/v1/waybills/SMGS-1", params={"format": "html"}, headers=headers)
        assert html.headers["content-type"].startswith("text/html"), html.text
        assert "2 Departure station" in html.text
        pdf = client.get("/api/v1/waybills/SMGS-1", params={"format": "pdf"}, headers=headers)
        assert pdf.content.startswith(b"%PDF-")
        dostyk = SAMPLE["border_crossings"][1]
        changed = client.post(
            "/api/v1/waybills/SMGS-1/gauge-change",
            json={
                "at": "2026-12-06T20:00:00+06:00",
                "station": dostyk,
                "new_wagons": [{"number": "42000018", "gauge_mm": 1520}],
                "placement": {"CSQU3054383": "42000018"},
            },
            headers=headers,
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["events"][-1]["kind"] == "gauge_change"
        refused = client.post(
            "/api/v1/waybills/SMGS-1/reconsign",
            json={"at": "2026-12-06T20:00:00+06:00", "station": dostyk, "to_regime": "SMGS"},
            headers=headers,
        )
        assert refused.status_code == 422 and "to_regime" in refused.text
        reconsigned = client.post(
            "/api/v1/waybills/SMGS-1/reconsign",
            json={"at": "2026-12-06T21:00:00+06:00", "station": dostyk, "to_regime": "CIM/SMGS"},
            headers=headers,
        )
        assert reconsigned.status_code == 200 and reconsigned.json()["regime"] == "CIM/SMGS"
        history = client.get("/api/v1/waybills", headers=headers).json()
        assert history[0]["version"] == 3
        auditor = bearer(token(database_url, "aud", "auditor"))
        assert client.post("/api/v1/waybills", json=SAMPLE, headers=auditor).status_code == 403
        imported = client.post("/api/v1/waybills", json=SAMPLE, headers=headers)
        assert imported.status_code == 201
        bad = {**SAMPLE, "number": "X-2", "goods": [{**SAMPLE["goods"][0], "gng_code": "123"}]}
        refused_note = client.post("/api/v1/waybills", json=bad, headers=headers)
        assert refused_note.status_code == 422 and "gng_code" in refused_note.text


def test_csv_lists_are_applied_whole_or_not_at_all(database_url: str) -> None:
    seed(database_url)
    planner = bearer(token(database_url, "plan", "planner"))
    with TestClient(create_app(database_url)) as client:
        good = "number,iso_type,load_state,gross_mass_kg\nCSQU3054383,45G1,F,24500\nCBHU8123451,22G1,E,\n"
        assert (
            client.post("/api/v1/csv/containers", files={"file": ("a.csv", good.encode())}, headers=planner).status_code
            == 200
        )
        clash = "number,iso_type,load_state\nTGHU1000018,45R1,E\nCSQU3054383,45G1,E\n"
        refused = client.post("/api/v1/csv/containers", files={"file": ("b.csv", clash.encode())}, headers=planner)
        assert refused.status_code == 422
        assert refused.json()["problems"] == [
            {"line": 3, "column": "number", "reason": "container CSQU3054383 is already registered"}
        ]
        exported = client.get("/api/v1/csv/containers", headers=planner).text.splitlines()
        assert exported[0].startswith("number,iso_type,load_state")
        assert [line.split(",")[0] for line in exported[1:]] == ["CBHU8123451", "CSQU3054383"]  # TGHU… rolled back
        bookings = "booking,shipper,origin,destination\nLYG-BK-77,NOSUCH,CNLYG,KZALA\n"
        unknown = client.post("/api/v1/csv/bookings", files={"file": ("c.csv", bookings.encode())}, headers=planner)
        assert unknown.status_code == 422 and unknown.json()["problems"][0]["column"] == "shipper_code"
        # a call's list without its call, or of a call the hub does not know, is refused naming `visit`
        no_visit = client.get("/api/v1/csv/discharge", headers=planner)
        assert no_visit.status_code == 422, no_visit.text
        assert no_visit.json()["detail"][0]["loc"][-1] == "visit"
        no_such = client.get("/api/v1/csv/load", params={"visit": "NOSUCH-1"}, headers=planner)
        assert no_such.status_code == 404, no_such.text
        assert no_such.json()["detail"][0]["loc"][-1] == "visit"


def test_a_csv_upload_sent_twice_with_its_key_is_applied_once(database_url: str) -> None:
    seed(database_url)
    planner = bearer(token(database_url, "plan", "planner"))
    good = b"number,iso_type,load_state,gross_mass_kg\nCSQU3054383,45G1,F,24500\n"
    with TestClient(create_app(database_url)) as client:
        keyed = {**planner, "Idempotency-Key": "csv-1"}
        first = client.post("/api/v1/csv/containers", files={"file": ("a.csv", good)}, headers=keyed)
        assert first.status_code == 200, first.text
        # a retry (a new multipart boundary, the same file) replays the first answer: nothing applied twice
        again = client.post("/api/v1/csv/containers", files={"file": ("a.csv", good)}, headers=keyed)
        assert again.status_code == 200, again.text
        assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
        history = client.get("/api/v1/containers/CSQU3054383/history", headers=planner).json()
        assert [event["event_type"] for event in history].count("container.registered") == 1
        # the same key with another file is refused naming the header, as every command refuses it
        other = good.replace(b"24500", b"24000")
        reused = client.post("/api/v1/csv/containers", files={"file": ("a.csv", other)}, headers=keyed)
        assert reused.status_code == 422, reused.text
        assert reused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
        # without a key a resend is a new request: refused because the box is registered (no replay)
        plain = client.post("/api/v1/csv/containers", files={"file": ("a.csv", good)}, headers=planner)
        assert plain.status_code == 422 and plain.json()["problems"][0]["column"] == "number"
