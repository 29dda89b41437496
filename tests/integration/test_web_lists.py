"""Lists on the dashboard, on both backends: filters, paging, CSV of the same rows, a shipper's own boxes,
a hold released from its row, and a search that keeps its language."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient

from tests.integration.test_operations_rules import Client, box, hub, post
from tests.integration.test_web_forms import _form, _login
from tests.support import container_number, token

__all__ = ["hub"]


def _numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/container/([A-Z0-9]+)">', html)


def test_containers_are_filtered_paged_and_exported(hub: Client) -> None:
    client, _, url = hub
    numbers = sorted(box(client, serial) for serial in range(1, 56))
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": numbers[0], "slot": "A-01-01-1"})
    with TestClient(client.app) as web:
        _login(web, url, "auditor")
        first = web.get("/lists/containers")
        assert first.status_code == 200
        assert _numbers(first.text) == numbers[:50]
        assert 'id="next"' in first.text and 'id="prev"' not in first.text
        second = web.get("/lists/containers", params={"page": "2"})
        assert _numbers(second.text) == numbers[50:]
        in_yard = web.get("/lists/containers", params={"position_kind": "yard", "lang": "ru"})
        assert _numbers(in_yard.text) == [numbers[0]] and 'lang="ru"' in in_yard.text
        typed = web.get("/lists/containers", params={"number": numbers[1][:4].lower() + " " + numbers[1][4:8]})
        assert numbers[1] in _numbers(typed.text)
        exported = web.get("/lists/containers.csv", params={"position_kind": "announced"})
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
        assert [row["number"] for row in rows] == numbers[1:]  # every page, the same filter
        assert web.get("/lists/nothing").status_code == 404


def test_a_shipper_lists_its_own_boxes_only(hub: Client) -> None:
    client, _, url = hub
    own, foreign = box(client, 1), box(client, 2)
    post(
        client,
        "/api/v1/consignments",
        {"booking_reference": "BK1", "shipper_code": "ACME", "origin": "CNLYG", "destination": "KZALA"},
        201,
    )
    post(client, "/api/v1/consignments/BK1/containers", {"container": own})
    with TestClient(client.app) as web:
        _login(web, url, "shipper")
        listed = web.get("/lists/containers").text
        assert _numbers(listed) == [own] and foreign not in listed
        assert foreign not in web.get("/lists/containers.csv").text
        assert web.get("/lists/parties").status_code == 403
        assert web.get("/lists/trucks").status_code == 403


def test_a_hold_is_released_from_its_row_and_exported_with_quoted_formulas(hub: Client) -> None:
    client, _, url = hub
    number = box(client, 3)
    post(client, "/api/v1/holds", {"container": number, "kind": "terminal", "reason": "=HYPERLINK(1)"}, 201)
    with TestClient(client.app) as web:
        _login(web, url, "planner")
        page = web.get("/lists/holds", params={"open": "yes"}).text
        release = re.search(r'<form method="post" action="/act/hold-release.*?</form>', page, re.S)
        assert release, page
        fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', release.group(0)))
        done = web.post("/act/hold-release", data=fields, follow_redirects=False)
        assert done.status_code == 303, done.text[:500]
        assert web.get("/lists/holds", params={"open": "yes"}).text.count("hold-release") == 0
        exported = web.get("/lists/holds.csv").text
        assert "'=HYPERLINK(1)" in exported
        assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", exported)  # hub time with its offset
    assert client.get("/api/v1/holds", params={"container": number, "open": "true"}).json() == []


def test_the_container_search_keeps_the_language(hub: Client) -> None:
    client, _, url = hub
    number = box(client, 4)
    with TestClient(client.app) as web:
        _login(web, url, "auditor")
        found = web.get("/container", params={"number": number.lower(), "lang": "kk"}, follow_redirects=False)
        assert found.status_code == 303 and found.headers["location"] == f"/container/{number}?lang=kk"


def test_the_gate_screen_lists_trucks_inside_and_takes_a_truck_in(hub: Client) -> None:
    client, _, url = hub
    with TestClient(client.app) as web:
        web.cookies.set("lb_token", token(url, "clerk", "gate_clerk"))
        page = web.get("/gate")
        assert page.status_code == 200 and 'id="no-trucks"' in page.text
        fields = {**_form(page.text, "truck-in"), "reference": "TV9", "plate": "苏G 123", "override_reason": "walk-in"}
        done = web.post("/act/truck-in", data=fields, follow_redirects=False)
        assert done.status_code == 303, done.text[:800]
        assert "TV9" in web.get("/gate").text
        assert container_number(1) not in web.get("/gate").text
