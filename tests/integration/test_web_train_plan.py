"""A train load plan from the browser on both backends: asked, reviewed wagon by wagon, applied once, refusals beside
their field — and the forms that cancel, unload, return and correct."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from landbridge.web import pages
from tests.integration.test_plans_apply import _events, _last_event_id, _stack_boxes
from tests.integration.test_web_forms import _form, submit
from tests.support import Hub as SeededHub
from tests.support import token, uic_wagon

Planned = tuple[TestClient, TestClient, str, dict[str, str]]


@pytest.fixture
def planned(make_hub: Callable[..., SeededHub]) -> Planned:
    """Two laden boxes in one yard stack (B on P) and train T1 with one empty wagon; a planner's browser."""
    made = make_hub(users=("planner", "admin", "yard_operator"), as_user="planner")
    numbers = _stack_boxes(made.client, made.tokens, {"P": "A-01-01-1", "B": "A-01-01-2"})
    web = TestClient(made.client.app)
    web.cookies.set("lb_token", made.tokens["planner"])
    return made.client, web, made.url, numbers


def _tomorrow_hour() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0).isoformat()


def _hidden(html: str, form_id: str) -> dict[str, str]:
    match = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
    assert match, f"no form {form_id}"
    fields = re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', match.group(0))
    return {name: value.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&") for name, value in fields}


def test_a_load_plan_is_asked_reviewed_and_applied_once(planned: Planned) -> None:
    api, web, url, numbers = planned
    rail = web.get("/rail").text
    assert 'id="form-train-plan"' in rail and "/rail/plan?train=T1" in rail
    ask = _hidden(rail, "form-train-plan")

    # A refusal names its field: an unknown train beside the train, a box not in the yard beside the list.
    unknown = web.post("/rail/plan", data={**ask, "train": "T9"})
    assert unknown.status_code == 404 and 'id="train-plan-train-error"' in unknown.text
    not_here = web.post("/rail/plan", data={**ask, "train": "T1", "containers": "MSKU1234565"})
    assert not_here.status_code == 404 and 'id="train-plan-containers-error"' in not_here.text
    slow = web.post("/rail/plan", data={**ask, "train": "T1", "time_limit_s": "600"})
    assert slow.status_code == 422 and 'id="train-plan-time_limit_s-error"' in slow.text

    review = web.post("/rail/plan", data={**ask, "train": "T1", "containers": numbers["P"]})
    assert review.status_code == 200, review.text[:500]
    wagon = uic_wagon(1)
    row = re.search(rf'<tr data-wagon="{wagon}" data-container="{numbers["P"]}">(.*?)</tr>', review.text, re.S)
    assert row, review.text[:2000]
    assert "12,000 kg" in row.group(1) and "A-01-01-1" in row.group(1)  # mass and where it comes from
    assert numbers["B"] in review.text  # B stands on P: a yard move first, shown before applying
    assert _events(url, 0) and api.get(f"/api/v1/containers/{numbers['P']}").json()["position"]["kind"] == "yard"

    apply = _hidden(review.text, "form-train-plan-apply")
    since = _last_event_id(url)
    first = web.post("/rail/plan/apply", data=apply, follow_redirects=False)
    second = web.post("/rail/plan/apply", data=apply, follow_redirects=False)  # a double click
    assert (first.status_code, second.status_code) == (303, 303), first.text[:800]
    assert first.headers["location"].startswith("/rail?done=train-plan-apply")
    assert 'id="done"' in web.get(first.headers["location"]).text
    assert api.get(f"/api/v1/containers/{numbers['P']}").json()["position"]["kind"] == "wagon"
    loads = [e for e in _events(url, since) if e.event_type == "container.loaded_wagon"]
    assert len(loads) == 1 and loads[0].actor == "planner"

    # The same plan with a fresh form token no longer holds: refused above the plan, nothing written.
    since = _last_event_id(url)
    stale = web.post("/rail/plan/apply", data={**apply, "form_token": "another-click"})
    assert stale.status_code == 422 and 'id="plan-error"' in stale.text
    assert _events(url, since) == []

    # Only planners (plan.run) are offered the form or may post it.
    with TestClient(api.app) as operator:
        operator.cookies.set("lb_token", token(url, "web-yard", "yard_operator"))
        assert 'id="form-train-plan"' not in operator.get("/rail").text
        assert operator.post("/rail/plan", data={"train": "T1"}, follow_redirects=False).status_code == 403
        assert operator.post("/rail/plan/apply", data={"plan": "{}"}, follow_redirects=False).status_code == 403


def test_unload_correct_and_cancel_from_the_forms(planned: Planned) -> None:
    api, _web, url, numbers = planned
    admin = TestClient(api.app)
    admin.cookies.set("lb_token", token(url, "web-admin", "admin"))
    listed = submit(admin, "/rail", "planned-boxes-add", {"train": "T1", "containers": numbers["B"], "reason": "r"})
    assert listed.status_code == 303
    loaded = submit(
        admin, "/rail", "train-load", {"train": "T1", "container": numbers["B"], "wagon_number": uic_wagon(1)}
    )
    assert loaded.status_code == 303, re.findall(r"role=.alert.>([^<]*)<", loaded.text)
    back = submit(admin, "/rail", "train-unload", {"train": "T1", "container": numbers["B"], "slot": ""})
    assert back.status_code == 303, back.text[:800]
    assert api.get(f"/api/v1/containers/{numbers['B']}").json()["position"]["kind"] == "yard"

    nothing = submit(admin, "/rail", "train-correct", {"train": "T1", "reason": "typo"})
    assert nothing.status_code == 422 and "train-correct-" in nothing.text
    wrong_track = submit(admin, "/rail", "train-correct", {"train": "T1", "track_code": "NOPE", "reason": "r"})
    assert wrong_track.status_code == 404 and 'id="train-correct-track_code-error"' in wrong_track.text
    moved = submit(admin, "/rail", "train-correct", {"train": "T1", "direction": "east", "reason": "wrong way"})
    assert moved.status_code == 303, moved.text[:800]
    assert api.get("/api/v1/train-visits/T1").json()["direction"] == "east"

    later = submit(admin, "/berths", "vessel-correct", {"reference": "V1", "etd": "2026-12-02T10:00", "reason": "tide"})
    assert later.status_code == 303, later.text[:800]
    assert api.get("/api/v1/vessel-visits/V1").json()["etd"].startswith("2026-12-02T02:00")

    booked = submit(
        admin,
        "/gate",
        "appointment-book",
        {
            "reference": "AP1",
            "hour_start": _tomorrow_hour(),
            "plate": "A1",
            "kind": "drop_off",
            "container": numbers["B"],
        },
    )
    assert booked.status_code == 303, re.findall(r"role=.alert.>([^<]*)<", booked.text)
    assert submit(admin, "/gate", "appointment-cancel", {"reference": "AP1"}).status_code == 303
    again = submit(admin, "/gate", "appointment-cancel", {"reference": "AP1"})
    assert again.status_code == 409 and 'id="appointment-cancel-reference-error"' in again.text
    unknown = submit(admin, "/gate", "delivery-order-cancel", {"reference": "DO-NONE"})
    assert unknown.status_code == 404 and 'id="delivery-order-cancel-reference-error"' in unknown.text
    assert _form(admin.get("/yard").text, "cfs-receive")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # read models over plain tables
def test_the_yard_map_is_coloured_by_destination_train_and_hold(
    planned: Planned, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, web, url, numbers = planned
    admin = TestClient(api.app)
    admin.cookies.set("lb_token", token(url, "web-admin", "admin"))
    # P is on train T1's planned boxes and held; B (on top of P) is on neither: the stack is "T1" and held.
    listed = submit(web, "/rail", "planned-boxes-add", {"train": "T1", "containers": numbers["P"], "reason": "r"})
    assert listed.status_code == 303
    held = submit(admin, "/customs", "hold-place", {"container": numbers["P"], "kind": "customs", "reason": "x-ray"})
    assert held.status_code == 303
    stack = 'data-stack="A-1-1"'
    outbound = web.get("/yard?mode=outbound").text
    cell = re.search(rf'<button class="cell used cat-(\w+)" [^>]*data-category="T1"[^>]*{stack}', outbound)
    assert cell and cell.group(1) == "0", outbound[outbound.find("legend") : outbound.find("legend") + 800]
    assert '<span class="legend-item" data-category="T1">' in outbound
    hold = web.get("/yard?mode=hold").text
    assert re.search(rf'class="cell used cat-held" [^>]*data-category="held"[^>]*{stack}', hold)
    destination = web.get("/yard?mode=destination").text  # the boxes have no booking: no category, grey
    assert re.search(rf'class="cell used cat-none" [^>]*{stack}', destination) and "No stack has one." in destination
    assert 'data-stack="A-1-1"' in web.get("/yard?mode=nonsense").text  # an unknown mode is the occupancy map
    # Click-through: the stack's boxes with what the map coloured them by.
    panel = web.get("/yard/stack/A/1/1").text
    row = re.search(rf"<tr><td>1</td><td><a href=\"/container/{numbers['P']}\">.*?</tr>", panel, re.S)
    assert row and "T1" in row.group(0) and "held box" in row.group(0), panel
    assert api.get("/api/v1/holds", params={"container": numbers["P"], "open": "true"}).json()

    # /customs shows the oldest holds and counts them all; the rest are a click away on the paged list.
    submit(admin, "/customs", "hold-place", {"container": numbers["B"], "kind": "customs", "reason": "scan"})
    monkeypatch.setattr(pages, "CUSTOMS_ROWS", 1)
    customs = web.get("/customs").text
    assert '<small id="holds-count">2</small>' in customs and 'id="holds-more"' in customs
    assert numbers["P"] in customs and f"/container/{numbers['B']}" not in customs  # the oldest first
