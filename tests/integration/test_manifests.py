"""Visit lists over HTTP on both backends: a ship discharges and loads, and a train takes, only what was
declared; the planner's additions and removals are audited; a line keeps to the calls it operates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.domain.errors import NotFound
from landbridge.domain.manifests import ListKind, ManifestEntry, VisitKind
from landbridge.services.actor import Actor
from landbridge.services.operations import corrections, gate, manifests, vessel
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import bearer, container_number, token, uic_wagon, wagon_1520
from tests.integration.test_operations_rules import Client, hub, listed, post, refused

__all__ = ["hub"]

DISCHARGE_LIST = "/api/v1/vessel-visits/V1/discharge-list"
LOAD_LIST = "/api/v1/vessel-visits/V1/load-list"
PLANNED = "/api/v1/train-visits/T1/planned-boxes"


def _register(client: TestClient, serial: int, owner: str = "LBO") -> str:
    number = container_number(serial, owner)
    body = {"number": number, "iso_type": "22G1", "load_state": "full", "gross_mass_kg": 12_000}
    post(client, "/api/v1/containers", body, 201)
    return number


def _visit_events(url: str, kind: str, reference: str, prefix: str = "manifest.") -> list[tuple[str, Any, Any]]:
    """The visit's events of one family; an announcement shows without its bodies."""
    with UnitOfWork.for_url(url) as uow:
        return [
            (e.event_type, None, None) if e.event_type.endswith(".announced") else (e.event_type, e.before, e.after)
            for e in uow.events.all_rows()
            if e.subject_type == kind and e.subject_id == reference and e.event_type.startswith(prefix)
        ]


def test_an_undeclared_discharge_is_refused_until_the_planner_adds_the_box(hub: Client) -> None:
    client, _, url = hub
    number = _register(client, 1)
    message = refused(
        client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": "A-01-01-1"}, 422, "container"
    )
    assert "not on the discharge list of V1" in message and "the planner adds it" in message
    assert client.get(f"/api/v1/containers/{number}").json()["position"]["kind"] == "announced"
    # The planner adds it, with a reason: an audited change on the visit.
    answer = post(client, f"{DISCHARGE_LIST}/add", {"entries": [{"container": number}], "reason": "found in bay 12"})
    assert [e["container"] for e in answer["entries"]] == [number]
    assert _visit_events(url, "vessel_visit", "V1")[-1] == (
        "manifest.changed",
        None,
        {"list": "discharge", "name": "discharge list", "added": [number], "reason": "found in bay 12"},
    )
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": "A-01-01-1"})
    assert client.get(f"/api/v1/containers/{number}").json()["position"]["kind"] == "yard"


def test_a_box_not_on_the_load_list_or_the_planned_boxes_stays(hub: Client) -> None:
    client, _, url = hub
    number = _register(client, 2)
    listed(client, DISCHARGE_LIST, [number])
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": "A-01-01-1"})
    assert "not on the load list of V1" in refused(
        client, "/api/v1/vessel-visits/V1/load", {"container": number}, 422, "container"
    )
    train = {
        "reference": "T1",
        "direction": "west",
        "route_code": "almaty",
        "gauge_mm": 1435,
        "train_type_code": "cn_1435",
        "wagons": [{"number": uic_wagon(1), "wagon_type": "cn_flat_40ft"}],
    }
    post(client, "/api/v1/train-visits", train, 201)
    load = {"container": number, "wagon_number": uic_wagon(1)}
    assert "not on the planned boxes of T1" in refused(client, "/api/v1/train-visits/T1/load", load, 422, "container")
    # PUT replaces the list (before and after in the event); remove takes a box off with a reason.
    other = container_number(3)
    post(client, PLANNED, {"entries": [{"container": other}]}, method="put")
    post(client, PLANNED, {"entries": [{"container": number, "iso_type": "22G1"}]}, method="put")
    assert _visit_events(url, "train_visit", "T1")[-1][:2] == ("manifest.set", {"list": "load", "containers": [other]})
    post(client, "/api/v1/train-visits/T1/load", load)
    assert "not on the planned boxes" in refused(
        client, f"{PLANNED}/remove", {"containers": [other], "reason": "x"}, 422, "containers[0]"
    )
    post(client, f"{PLANNED}/remove", {"containers": [number], "reason": "shut out"})
    assert client.get(PLANNED).json()["entries"] == []
    # Once the train has left its list is closed.
    post(client, "/api/v1/train-visits/T1/depart", {})
    assert "closed" in refused(
        client, f"{PLANNED}/add", {"entries": [{"container": other}], "reason": "x"}, 422, "reference"
    )


def test_list_entries_are_checked_and_nothing_is_half_applied(hub: Client) -> None:
    client, _, _ = hub
    good = container_number(4)
    post(client, DISCHARGE_LIST, {"entries": [{"container": good}]}, method="put")

    def bad(entries: list[dict[str, Any]], field: str) -> str:
        response = client.put(DISCHARGE_LIST, json={"entries": entries})
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"][-1] == field, response.json()
        return str(response.json()["detail"][0]["msg"])

    bad([{"container": good}, {"container": "ABCU1234567"}], "entries[1].container")  # wrong check digit
    assert "twice" in bad([{"container": good}, {"container": good}], "entries[1].container")
    bad([{"container": good, "iso_type": "99Z9"}], "entries[0].iso_type")
    response = client.put(DISCHARGE_LIST, json={"entries": [{"container": good, "gross_mass_kg": 36_001}]})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "body",
        "entries",
        0,
        "gross_mass_kg",
    ]
    assert [e["container"] for e in client.get(DISCHARGE_LIST).json()["entries"]] == [good]
    response = client.get("/api/v1/vessel-visits/NOPE/discharge-list")
    assert response.status_code == 404 and response.json()["detail"][0]["loc"][-1] == "reference"


def test_a_line_keeps_to_the_calls_it_operates(hub: Client) -> None:
    client, _, url = hub
    for code, owner in (("LINEA", "LNA"), ("LINEB", "LNB")):
        body = {"code": code, "name": code, "role": "shipping_line", "owner_codes": [owner]}
        post(client, "/api/v1/parties", body, 201)
    line_a = bearer(token(url, "agent-a", "shipping_line", "LINEA"))
    line_b = bearer(token(url, "agent-b", "shipping_line", "LINEB"))
    visit = {"reference": "VA", "vessel_name": "Line A Star", "eta": "2026-11-28T00:00Z"}
    post(client, "/api/v1/vessel-visits", visit, 201, **line_a)
    box_a = _register(client, 5, "LNA")
    entries = {"entries": [{"container": box_a}]}
    post(client, "/api/v1/vessel-visits/VA/discharge-list", entries, method="put", **line_a)
    assert client.get("/api/v1/vessel-visits/VA/discharge-list", headers=line_a).status_code == 200
    # Line B neither reads nor changes line A's lists, nor corrects, berths or departs its call: 404, nothing written.
    with UnitOfWork.for_url(url) as uow:
        events = uow.events.count()
    for method, path, body in (
        ("GET", "/api/v1/vessel-visits/VA/discharge-list", None),
        ("GET", "/api/v1/vessel-visits/VA/load-list", None),
        ("PUT", "/api/v1/vessel-visits/VA/load-list", entries),
        ("POST", "/api/v1/vessel-visits/VA/discharge-list/add", {**entries, "reason": "x"}),
        ("POST", "/api/v1/vessel-visits/VA/discharge-list/remove", {"containers": [box_a], "reason": "x"}),
        ("PATCH", "/api/v1/vessel-visits/VA", {"eta": "2026-11-29T00:00Z", "reason": "x"}),
        ("POST", "/api/v1/vessel-visits/VA/berth", {"berth_code": "L1", "etb": "2026-11-28T01:00Z"}),
        ("POST", "/api/v1/vessel-visits/VA/depart", {}),
    ):
        response = client.request(method, path, json=body, headers=line_b)
        assert response.status_code == 404, (method, path, response.text)
    with UnitOfWork.for_url(url) as uow:
        assert uow.events.count() == events
    # Line A's own correction and berthing pass.
    patch = client.patch(
        "/api/v1/vessel-visits/VA", json={"eta": "2026-11-28T02:00Z", "reason": "delay"}, headers=line_a
    )
    assert patch.status_code == 200, patch.text
    post(client, "/api/v1/vessel-visits/VA/berth", {"berth_code": "L1", "etb": "2026-11-28T03:00Z"}, **line_a)
    # A delivery order is withdrawn by its own party (or hub staff), never by another line.
    post(client, "/api/v1/vessel-visits/VA/discharge", {"container": box_a, "slot": "A-01-01-1"})
    release = {
        "reference": "DO-A",
        "containers": [box_a],
        "valid_from": "2026-01-01T00:00Z",
        "valid_to": "2030-01-01T00:00Z",
    }
    post(client, "/api/v1/delivery-orders", release, 201, **line_a)
    assert client.post("/api/v1/delivery-orders/DO-A/cancel", json={}, headers=line_b).status_code == 404
    assert post(client, "/api/v1/delivery-orders/DO-A/cancel", {}, **line_a)["status"] == "cancelled"


def test_a_trains_wagon_list_is_changed_by_the_planner_with_a_reason(hub: Client) -> None:
    client, _, url = hub
    number = _register(client, 6)
    listed(client, DISCHARGE_LIST, [number])
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": "A-01-01-1"})
    flat = "cn_flat_40ft"
    train = {
        "reference": "T1",
        "direction": "west",
        "route_code": "almaty",
        "gauge_mm": 1435,
        "train_type_code": "cn_1435",
        "wagons": [{"number": uic_wagon(i), "wagon_type": flat} for i in (1, 2)],
    }
    post(client, "/api/v1/train-visits", train, 201)
    listed(client, PLANNED, [number])
    # A wagon that is not on the train's list is not loaded ...
    load = {"container": number, "wagon_number": uic_wagon(3)}
    refused(client, "/api/v1/train-visits/T1/load", load, 404, "wagon_number")
    # ... until the planner swaps it in (a bad-order wagon out, a sound one in): one audited change.
    swap = {"add": [{"number": uic_wagon(3), "wagon_type": flat}], "remove": [uic_wagon(2)], "reason": "bad order"}
    answer = post(client, "/api/v1/train-visits/T1/wagons", swap)
    assert [(w["number"], w["position"]) for w in answer["wagons"]] == [(uic_wagon(1), 1), (uic_wagon(3), 3)]
    assert _visit_events(url, "train_visit", "T1", "train.") == [
        ("train.announced", None, None),
        (
            "train.wagons_changed",
            {"wagons": [uic_wagon(1), uic_wagon(2)]},
            {
                "wagons": [uic_wagon(1), uic_wagon(3)],
                "added": [uic_wagon(3)],
                "removed": [uic_wagon(2)],
                "reason": "bad order",
            },
        ),
    ]
    post(client, "/api/v1/train-visits/T1/load", load)
    path = "/api/v1/train-visits/T1/wagons"
    assert "unload" in refused(client, path, {"remove": [uic_wagon(3)], "reason": "x"}, 422, "remove[0]")
    assert "not in train" in refused(client, path, {"remove": [uic_wagon(2)], "reason": "x"}, 422, "remove[0]")
    already = {"add": [{"number": uic_wagon(1), "wagon_type": flat}], "reason": "x"}
    assert "already" in refused(client, path, already, 422, "add[0].number")
    broad = {"add": [{"number": wagon_1520(1), "wagon_type": flat}], "reason": "x"}
    assert "UIC 12-digit" in refused(client, path, broad, 422, "add[0].number")
    wrong_type = {"add": [{"number": uic_wagon(4), "wagon_type": "kz_flat_40ft"}], "reason": "x"}
    assert "1520 mm" in refused(client, path, wrong_type, 422, "add[0].wagon_type")
    too_many = {"add": [{"number": uic_wagon(10 + i), "wagon_type": flat} for i in range(49)], "reason": "x"}
    assert "1-50 wagons" in refused(client, path, too_many, 422, "add")
    assert "nothing" in refused(client, path, {"reason": "x"}, 422, "add")
    response = client.post(path, json={"remove": [uic_wagon(1)]})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "reason"
    post(client, "/api/v1/train-visits/T1/depart", {})
    refused(client, path, {"remove": [uic_wagon(1)], "reason": "x"}, 422, "status")


def test_every_caller_of_the_services_keeps_a_line_to_its_own_calls(hub: Client) -> None:
    """Not only the API: a form, an interchange or a script calling the service as a line, without
    passing a scope, cannot touch another line's call or delivery order either."""
    client, _, url = hub
    post(
        client, "/api/v1/parties", {"code": "LINEB", "name": "B", "role": "shipping_line", "owner_codes": ["LNB"]}, 201
    )
    line_b = Actor("agent-b", "shipping_line", party="LINEB")
    number = container_number(7)
    post(client, "/api/v1/vessel-visits/V1/discharge-list", {"entries": [{"container": number}]}, method="put")
    release = {"reference": "DO-HUB", "containers": [_register(client, 8)], "valid_from": "2026-01-01T00:00Z"}
    post(client, "/api/v1/delivery-orders", {**release, "valid_to": "2030-01-01T00:00Z"}, 201)
    at = datetime(2026, 11, 28, 3, tzinfo=UTC)
    foreign = _register(client, 9)  # a hub box line B neither owns nor books
    attempts: list[Callable[[], object]] = [
        lambda: manifests.list_of(UnitOfWork.for_url(url), VisitKind.VESSEL, "V1", ListKind.DISCHARGE),
        lambda: manifests.add_to_list(
            UnitOfWork.for_url(url),
            line_b,
            visit_kind=VisitKind.VESSEL,
            visit="V1",
            list_kind=ListKind.LOAD,
            entries=[ManifestEntry(number)],
            reason="x",
        ),
        lambda: vessel.depart_vessel(UnitOfWork.for_url(url), line_b, reference="V1"),
        lambda: corrections.correct_vessel_visit(
            UnitOfWork.for_url(url), line_b, reference="V1", changes={"eta": at}, reason="x"
        ),
        lambda: gate.cancel_delivery_order(UnitOfWork.for_url(url), line_b, reference="DO-HUB"),
        lambda: gate.issue_delivery_order(
            UnitOfWork.for_url(url),
            line_b,
            reference="DO-B",
            containers=[foreign],
            valid_from=at,
            valid_to=datetime(2030, 1, 1, tzinfo=UTC),
        ),
    ]
    for attempt in attempts[1:]:
        with pytest.raises(NotFound):  # refused as unknown
            attempt()
    assert client.get("/api/v1/vessel-visits/V1").json()["status"] == "berthed"
    assert client.get("/api/v1/delivery-orders/DO-HUB").json()["status"] == "open"
    attempts[0]()  # staff (the service's default reader) still sees the list
