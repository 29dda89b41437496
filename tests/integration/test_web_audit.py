"""Audit search on both backends: events by container, train, vessel, who, type and time range, with
before/after, exportable — and a shipper finds the events of its own boxes only."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi.testclient import TestClient

from tests.integration.test_operations_rules import Client, box, hub, post
from tests.integration.test_web_forms import _login

__all__ = ["hub"]


def _types(html: str) -> list[str]:
    body = html.split('id="rows"', 1)[1] if 'id="rows"' in html else ""
    return re.findall(r'data-event="([a-z_.]+)"', body)


def test_events_are_found_by_container_type_actor_and_time(hub: Client) -> None:
    client, _, url = hub
    number, other = box(client, 1), box(client, 2)
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": "A-01-01-1"})
    post(client, "/api/v1/holds", {"container": number, "kind": "terminal", "reason": "storage unpaid"}, 201)
    with TestClient(client.app) as web:
        _login(web, url, "auditor")
        found = web.get("/audit", params={"container": number.lower()})
        assert found.status_code == 200
        assert number in found.text and other not in found.text
        assert "container.discharged" in _types(found.text)
        assert "A-01-01-1" in found.text  # the after snapshot of the discharge
        by_type = web.get("/audit", params={"event_type": "container.discharged"})
        assert set(_types(by_type.text)) == {"container.discharged"}
        by_vessel = web.get("/audit", params={"vessel": "V1"})
        assert set(_types(by_vessel.text)) >= {"vessel.berthed"} and number not in _types(by_vessel.text)
        by_actor = web.get("/audit", params={"actor": "adm", "container": number})
        assert "container.discharged" in _types(by_actor.text)
        assert _types(web.get("/audit", params={"actor": "nobody"}).text) == []
        future = web.get("/audit", params={"from": "2099-01-01 00:00"})
        assert 'id="no-rows"' in future.text
        wrong = web.get("/audit", params={"from": "yesterday", "container": number})
        assert 'id="filter-from-error"' in wrong.text and "container.discharged" in _types(wrong.text)
        exported = web.get("/lists/events.csv", params={"container": number})
        rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
        discharged = [row for row in rows if row["event_type"] == "container.discharged"]
        assert len(discharged) == 1 and json.loads(discharged[0]["after"])  # before/after as JSON
        assert {row["subject_id"] for row in rows} == {number}


def test_a_shipper_finds_the_events_of_its_own_boxes_only(hub: Client) -> None:
    client, _, url = hub
    own, foreign = box(client, 1), box(client, 2)
    booking = {"booking_reference": "BK1", "shipper_code": "ACME", "origin": "CNLYG", "destination": "KZALA"}
    post(client, "/api/v1/consignments", booking, 201)
    post(client, "/api/v1/consignments/BK1/containers", {"container": own})
    with TestClient(client.app) as web:
        _login(web, url, "shipper")
        everything = web.get("/audit").text
        assert own in everything and foreign not in everything
        assert "vessel.berthed" not in _types(everything)  # not a box of its own
        assert _types(web.get("/audit", params={"container": foreign}).text) == []  # as if it had no events
        assert foreign not in web.get("/lists/events.csv").text
