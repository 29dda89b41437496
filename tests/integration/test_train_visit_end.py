"""How a train visit ends at the base (issue #19): called off (refused while it carries boxes or has left,
409 naming the state; its track free for the next train; an audit event with the reason), or an
eastbound train received loaded, each box on the wagon slot its wagon list names, unloaded into the
yard and released — every invariant holding."""

from __future__ import annotations

from typing import Any

from landbridge.services.invariants import check_invariants
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.readmodels.rail import LOADING_STATUSES, at_base, trains
from tests.e2e.support import container_number, uic_wagon
from tests.integration.test_operations_rules import Client, box, hub, post, refused

__all__ = ["hub"]

CHINA = {"direction": "west", "route_code": "almaty", "gauge_mm": 1435, "train_type_code": "cn_1435"}


def _announce(client: Any, reference: str, serial: int, track: str | None = "T4") -> None:
    wagons = [{"number": uic_wagon(serial), "wagon_type": "cn_flat_40ft"}]
    post(client, "/api/v1/train-visits", {"reference": reference, **CHINA, "wagons": wagons, "track_code": track}, 201)


def _box_in_yard(client: Any, serial: int) -> str:
    number = box(client, serial)
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number})
    return number


def test_a_train_is_cancelled_only_at_the_base_and_empty_and_frees_its_track(hub: Client) -> None:
    client, _, url = hub
    _announce(client, "T1", 1)
    taken = client.post(
        "/api/v1/train-visits",
        json={
            "reference": "T2",
            **CHINA,
            "wagons": [{"number": uic_wagon(2), "wagon_type": "cn_flat_40ft"}],
            "track_code": "T4",
        },
    )
    assert taken.status_code == 409, taken.text  # one train per track

    number = _box_in_yard(client, 1)
    post(client, "/api/v1/train-visits/T1/planned-boxes/add", {"entries": [{"container": number}], "reason": "t"})
    post(client, "/api/v1/train-visits/T1/load", {"container": number, "wagon_number": uic_wagon(1)})
    message = refused(client, "/api/v1/train-visits/T1/cancel", {"reason": "few boxes"}, 409, "train")
    assert "1 box(es) on board" in message and "loading" in message
    post(client, "/api/v1/train-visits/T1/unload", {"container": number})

    refused(client, "/api/v1/train-visits/T1/cancel", {}, 422, "reason")
    cancelled = post(client, "/api/v1/train-visits/T1/cancel", {"reason": "too few boxes booked"})
    assert (cancelled["status"], cancelled["track_code"]) == ("cancelled", None)
    assert "cancelled" in refused(client, "/api/v1/train-visits/T1/cancel", {"reason": "again"}, 409, "status")
    refused(client, "/api/v1/train-visits/T1/load", {"container": number, "wagon_number": uic_wagon(1)}, 422, "status")
    _announce(client, "T2", 2)  # the track is free again

    with UnitOfWork.for_url(url) as uow:
        at_base = [train.reference for train in trains(uow.session, LOADING_STATUSES)]
        assert at_base == ["T2"], "the Rail screen shows the train now on the track, not the cancelled one"
        (event,) = [e for e in uow.events.for_subject("train_visit", "T1") if e.event_type == "train.cancelled"]
        assert event.before == {"status": "loading", "track_code": "T4"}
        assert event.after == {"status": "cancelled", "track_code": None, "reason": "too few boxes booked"}
        assert event.location == "T4"


def test_a_departed_train_is_not_cancelled(hub: Client) -> None:
    client, _, _ = hub
    _announce(client, "T3", 3, track=None)
    post(client, "/api/v1/train-visits/T3/depart", {})
    message = refused(client, "/api/v1/train-visits/T3/cancel", {"reason": "late"}, 409, "status")
    assert "departed" in message


def _registered(client: Any, serial: int, iso: str, mass_kg: int) -> str:
    number = container_number(serial)
    body = {"number": number, "iso_type": iso, "load_state": "full", "gross_mass_kg": mass_kg}
    post(client, "/api/v1/containers", body, 201)
    return number


def test_an_eastbound_train_arrives_loaded_is_unloaded_and_released(hub: Client) -> None:
    client, _, url = hub
    wagons = [{"number": uic_wagon(serial), "wagon_type": "cn_flat_40ft"} for serial in (11, 12)]
    east = {"reference": "E1", **CHINA, "direction": "east", "wagons": wagons, "track_code": "T3"}
    post(client, "/api/v1/train-visits", east, 201)
    post(client, "/api/v1/train-visits", {**east, "reference": "W1", "direction": "west", "track_code": None}, 201)
    twenty, other_twenty, forty = (
        _registered(client, 21, "22G1", 24_000),
        _registered(client, 22, "22G1", 24_000),
        _registered(client, 23, "42G1", 28_000),
    )
    heavy = _registered(client, 24, "22G1", 30_000)
    in_yard = _box_in_yard(client, 25)
    first, second = uic_wagon(11), uic_wagon(12)
    boxes = [
        {"container": twenty, "wagon_number": first},
        {"container": other_twenty, "wagon_number": first},
        {"container": forty, "wagon_number": second},
    ]

    refused(client, "/api/v1/train-visits/W1/receive", {"boxes": boxes}, 422, "train")  # westbound
    refused(
        client,
        "/api/v1/train-visits/E1/receive",
        {"boxes": [*boxes, {"container": in_yard, "wagon_number": second}]},
        409,
        "boxes[3].container",
    )
    refused(
        client,
        "/api/v1/train-visits/E1/receive",
        {"boxes": [{"container": twenty, "wagon_number": uic_wagon(13)}]},
        404,
        "boxes[0].wagon_number",
    )
    over = [{"container": heavy, "wagon_number": first}, {"container": twenty, "wagon_number": first}]
    assert "payload" in refused(
        client, "/api/v1/train-visits/E1/receive", {"boxes": over}, 422, "boxes[1].wagon_number"
    )
    refused(client, "/api/v1/train-visits/E1/receive", {"boxes": [*boxes, boxes[0]]}, 422, "boxes[3].container")

    arrived = post(client, "/api/v1/train-visits/E1/receive", {"boxes": boxes})
    assert arrived["status"] == "arrived"
    on_wagons = [sorted({load["container"] for load in w["loads"]}) for w in arrived["wagons"]]
    assert on_wagons == [sorted([twenty, other_twenty]), [forty]]
    position = client.get(f"/api/v1/containers/{forty}").json()["position"]
    assert position["kind"] == "wagon" and position["reference"].startswith("E1/")
    refused(client, "/api/v1/train-visits/E1/receive", {"boxes": []}, 422, "status")  # once
    refused(client, "/api/v1/train-visits/E1/release", {}, 422, "train")  # still carries boxes
    refused(client, "/api/v1/train-visits/E1/depart", {}, 422, "status")
    with UnitOfWork.for_url(url) as uow:
        views = {train.reference: train for train in at_base(uow.session)}
        assert {ref: train.track_code for ref, train in views.items()} == {"E1": "T3", "W1": None}, (
            "the Rail screen shows the arrived train on its track"
        )
        # The Rail screen's "Destination": the base for the eastbound train, the route's end westbound.
        assert (views["E1"].origin, views["E1"].destination) == ("Almaty", "Lianyungang")
        assert (views["W1"].origin, views["W1"].destination) == ("Lianyungang", "Almaty")

    next_on_track = {**east, "reference": "E2", "wagons": [{"number": uic_wagon(14), "wagon_type": "cn_flat_40ft"}]}
    refused(client, "/api/v1/train-visits", next_on_track, 409, "track_code")  # E1 stands on T3
    for number in (twenty, other_twenty, forty):
        unloaded = post(client, "/api/v1/train-visits/E1/unload", {"container": number})
        assert unloaded["position"]["kind"] == "yard"
    released = post(client, "/api/v1/train-visits/E1/release", {})
    assert (released["status"], released["track_code"]) == ("released", None)
    post(client, "/api/v1/train-visits", next_on_track, 201)  # the track is free again
    with UnitOfWork.for_url(url) as uow:
        assert {train.reference for train in at_base(uow.session)} == {"E2", "W1"}

    with UnitOfWork.for_url(url) as uow:
        types = [e.event_type for e in uow.events.for_subject("container", forty)]
        assert types[-2:] == ["train.arrived", "container.unloaded_wagon"]
        places = [e.location for e in uow.events.for_subject("train_visit", "E1")][-2:]
        assert places == ["T3", "T3"], "arrived and released at the base's track"
    reports = check_invariants(UnitOfWork.for_url(url))
    assert all(report.holds for report in reports), [r.problems for r in reports if not r.holds]
