"""A train visit called off at the base (issue #19): refused while it carries boxes or has left (409
naming the state), its track free for the next train afterwards, an audit event with the reason."""

from __future__ import annotations

from typing import Any

from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.readmodels.rail import LOADING_STATUSES, trains
from tests.e2e.support import uic_wagon
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
