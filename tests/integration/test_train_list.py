"""The train list (``GET /api/v1/train-visits``) is answered as built, without a second validation pass
(≈ 5,000 wagons on a page of the year): each item must still be what the response model says and what the
train's own answer holds, wagons in order, loads by slot and half — and the app keeps its start-up objects
out of the garbage collector's full passes while it serves (a full pass over them cost ≈ 175 ms)."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.schemas_ops_out import TrainVisitOut
from tests.e2e.support import uic_wagon
from tests.integration.test_operations_rules import Client, box, hub, listed, post

__all__ = ["hub"]


def test_the_list_answers_each_train_as_its_own_answer_does(hub: Client) -> None:
    client = hub[0]
    wagons = [{"number": uic_wagon(serial), "wagon_type": "cn_flat_40ft"} for serial in (1, 2)]
    train = {"reference": "T1", "direction": "west", "route_code": "almaty", "gauge_mm": 1435, "wagons": wagons}
    post(client, "/api/v1/train-visits", {**train, "train_type_code": "cn_1435"}, 201)
    train["train_type_code"] = "cn_1435"
    other = [{"number": uic_wagon(3), "wagon_type": "cn_flat_40ft"}]
    post(client, "/api/v1/train-visits", {**train, "reference": "T0", "wagons": other}, 201)
    boxes = [box(client, 1), box(client, 2), box(client, 3, iso="42G1")]
    for number in boxes:
        post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number})
    listed(client, "/api/v1/train-visits/T1/planned-boxes", boxes)
    for number, wagon in zip(boxes, (uic_wagon(2), uic_wagon(2), uic_wagon(1)), strict=True):
        post(client, "/api/v1/train-visits/T1/load", {"container": number, "wagon_number": wagon})

    page = client.get("/api/v1/train-visits")
    assert page.status_code == 200 and "Link" not in page.headers
    listed_trains = page.json()
    assert [t["reference"] for t in listed_trains] == ["T0", "T1"]
    for item in listed_trains:
        assert TrainVisitOut.model_validate(item).model_dump() == item
        assert item == client.get(f"/api/v1/train-visits/{item['reference']}").json()
    first, second = listed_trains[1]["wagons"]
    assert [w["position"] for w in (first, second)] == [1, 2]
    assert [load["half"] for load in first["loads"]] == [1, 2]  # the 40 ft box fills both halves
    assert {load["container"] for load in second["loads"]} == set(boxes[:2])
    assert client.get("/api/v1/train-visits?limit=1").headers["Link"].endswith('after=T0&limit=1>; rel="next"')


def test_the_app_freezes_its_start_up_objects_once_per_process(hub: Client) -> None:
    with TestClient(create_app(hub[2])):
        frozen = gc.get_freeze_count()
        assert frozen > 0
    with TestClient(create_app(hub[2])):
        assert gc.get_freeze_count() == frozen  # the second app of the process does not collect again
