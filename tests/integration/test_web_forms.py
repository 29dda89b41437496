"""The dashboard's forms on both backends: shown by role, performed by the services, refusals beside their field,
a double click done once, and the API sees the same state afterwards."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from tests.integration.test_operations_rules import Client, box, hub, post
from tests.support import token

__all__ = ["hub"]


def _form(html: str, command: str) -> dict[str, str]:
    """The hidden fields of one command's form on a page (CSRF token, form token, where to go back)."""
    match = re.search(rf'<form[^>]*id="form-{command}".*?</form>', html, re.S)
    assert match, f"no form {command}"
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', match.group(0)))


def submit(client: TestClient, screen: str, command: str, fields: dict[str, str]) -> Any:
    """Open the screen, fill in the command's form as a person would, send it."""
    page = client.get(screen)
    assert page.status_code == 200, page.text[:300]
    return client.post(f"/act/{command}", data={**_form(page.text, command), **fields}, follow_redirects=False)


def _events(url: str) -> int:
    with UnitOfWork.for_url(url) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(tables.EventRow)) or 0)


def _login(client: TestClient, url: str, role: str) -> TestClient:
    client.cookies.set("lb_token", token(url, f"web-{role}", role, "ACME" if role == "shipper" else None))
    return client


def test_forms_are_shown_to_the_roles_that_may_perform_them(hub: Client) -> None:
    client, _, url = hub
    expected = {  # written out apart from the policy table
        "yard_operator": {"/berths": {"vessel-discharge", "vessel-load"}, "/yard": {"yard-move"}},
        "planner": {"/berths": {"vessel-announce", "vessel-berth", "vessel-depart", "discharge-list-add"}},
        "customs_officer": {"/customs": {"hold-place", "hold-release"}},
        "auditor": {"/berths": set(), "/customs": set(), "/yard": set()},
        "shipper": {"/customs": set()},
    }
    for role, screens in expected.items():
        with TestClient(client.app) as viewer:
            _login(viewer, url, role)
            for screen, wanted in screens.items():
                html = viewer.get(screen).text
                shown = set(re.findall(r'<form method="post" action="/act/([a-z-]+)', html))
                assert wanted <= shown, (role, screen, shown)
                if not wanted:
                    assert shown == set(), (role, screen, shown)
            if role == "auditor":
                refused = viewer.post("/act/hold-place", data={"container": "X", "kind": "customs", "reason": "r"})
                assert refused.status_code == 403


def test_a_discharge_a_hold_and_its_release_from_the_forms(hub: Client) -> None:
    client, _, url = hub
    number = box(client, 1)
    with TestClient(client.app) as web:
        _login(web, url, "admin")
        done = submit(web, "/berths", "vessel-discharge", {"reference": "V1", "container": number, "slot": ""})
        assert done.status_code == 303, done.text[:500]
        assert done.headers["location"].startswith("/berths?done=vessel-discharge")
        assert 'id="done"' in web.get(done.headers["location"]).text
        placed = client.get(f"/api/v1/containers/{number}").json()
        assert placed["position"]["kind"] == "yard"

        # A refusal is shown beside the field the rule names, and nothing is written.
        before = _events(url)
        wrong = submit(
            web,
            "/customs",
            "hold-place",
            {"container": number, "kind": "customs", "reason": "x", "occurred_at": "soon"},
        )
        assert wrong.status_code == 422
        assert 'id="hold-place-occurred_at-error"' in wrong.text and 'aria-invalid="true"' in wrong.text
        future = submit(
            web,
            "/customs",
            "hold-place",
            {"container": number, "kind": "customs", "reason": "x-ray", "occurred_at": "2099-01-01T10:00+08:00"},
        )
        assert future.status_code == 422 and 'id="hold-place-occurred_at-error"' in future.text
        unknown = submit(web, "/customs", "hold-place", {"container": "MSKU1234565", "kind": "customs", "reason": "x"})
        assert unknown.status_code == 404 and 'id="hold-place-container-error"' in unknown.text
        assert _events(url) == before

        # A double click sends the same form twice: the hold is placed once.
        page = web.get("/customs").text
        fields = {**_form(page, "hold-place"), "container": number, "kind": "customs", "reason": "x-ray"}
        first = web.post("/act/hold-place", data=fields, follow_redirects=False)
        second = web.post("/act/hold-place", data=fields, follow_redirects=False)
        assert (first.status_code, second.status_code) == (303, 303)
        held = client.get("/api/v1/holds", params={"container": number, "open": "true"}).json()
        assert len(held) == 1

        # The hub time of the form (no offset typed) is the scenario's zone.
        released = submit(
            web,
            "/customs",
            "hold-release",
            {"hold_id": str(held[0]["id"]), "reason": "cleared", "occurred_at": _later_hub_time(client, number)},
        )
        assert released.status_code == 303, released.text[:800]
    assert client.get("/api/v1/holds", params={"container": number, "open": "true"}).json() == []
    history = client.get(f"/api/v1/containers/{number}/history").json()
    sources = {event.get("source_reference") or "" for event in history}
    assert any(source.startswith("web:POST /act/") for source in sources), sources


def _later_hub_time(client: TestClient, number: str) -> str:
    """A hub-time wall clock (no offset) after the box's last event."""
    from datetime import datetime, timedelta

    from landbridge.web.readmodels.common import hub_zone

    last = max(
        datetime.fromisoformat(e["occurred_at"]) for e in client.get(f"/api/v1/containers/{number}/history").json()
    )
    return (last + timedelta(seconds=61)).astimezone(hub_zone()).strftime("%Y-%m-%dT%H:%M")


def test_a_party_name_with_markup_is_escaped_on_every_page(hub: Client) -> None:
    client, _, url = hub
    evil = "<script>alert(1)</script>"
    post(client, "/api/v1/parties", {"code": "EVIL", "name": evil, "role": "shipper"}, 201)
    with TestClient(client.app) as web:
        _login(web, url, "admin")
        screens = ("/", "/berths", "/yard", "/rail", "/grain", "/corridor", "/customs", "/gate", "/simulation")
        lists = ("/lists", "/lists/parties", "/lists/containers", "/lists/holds", "/audit", "/act/hold-place")
        for path in (*screens, *lists):
            html = web.get(path, params={"reason": evil}).text
            assert evil not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in web.get("/lists/parties").text  # shown, as text
        refused = submit(web, "/customs", "hold-place", {"container": evil, "kind": "customs", "reason": evil})
        assert evil not in refused.text and "&lt;script&gt;" in refused.text


def test_times_read_as_24_hour_iso_with_the_hub_offset_in_every_language() -> None:
    from datetime import UTC, datetime

    from landbridge.web.i18n import LANGUAGES, Localiser

    noon_utc = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert {Localiser(code).datetime(noon_utc) for code in LANGUAGES} == {"2026-01-15 20:00 +08:00"}
