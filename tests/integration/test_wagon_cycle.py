"""The wagon cycle over HTTP on both backends: emptied trains released, empty 1520 mm wagons returned to
the border station, every wagon's place and turnaround, and only loaded or returning trains in transit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from landbridge.domain.events import utc_now
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.readmodels.corridor import corridor
from tests.e2e.support import container_number, uic_wagon, wagon_1520
from tests.integration.test_operations_rules import Client, hub, post, refused

__all__ = ["hub"]


def test_trains_are_released_and_empty_wagons_come_back(hub: Client) -> None:
    client, _, url = hub
    start = utc_now() - timedelta(days=5)
    ticks = iter(range(1000))

    def at(hours: float | None = None) -> dict[str, Any]:
        moment = start + (timedelta(hours=hours) if hours is not None else timedelta(minutes=next(ticks)))
        return {"occurred_at": moment.isoformat()}

    number = container_number(2)  # registered five days ago, like everything below
    visit = {"reference": "V5", "vessel_name": "Past", "eta": start.isoformat()}
    post(client, "/api/v1/vessel-visits", {**visit, **at()}, 201)
    post(client, "/api/v1/vessel-visits/V5/berth", {"berth_code": "29", "etb": start.isoformat(), **at()})
    post(
        client,
        "/api/v1/containers",
        {"number": number, "iso_type": "42G1", "load_state": "full", "gross_mass_kg": 20_000, **at()},
        201,
    )
    post(
        client,
        "/api/v1/vessel-visits/V5/discharge-list/add",
        {"entries": [{"container": number}], "reason": "t", **at()},
    )
    post(client, "/api/v1/vessel-visits/V5/discharge", {"container": number, **at()})
    china = {
        "reference": "T1",
        "direction": "west",
        "route_code": "almaty",
        "gauge_mm": 1435,
        "train_type_code": "cn_1435",
    }
    post(
        client,
        "/api/v1/train-visits",
        {**china, "wagons": [{"number": uic_wagon(1), "wagon_type": "cn_flat_40ft"}], **at()},
        201,
    )
    kazakh = {
        "reference": "K1",
        "direction": "west",
        "route_code": "almaty",
        "gauge_mm": 1520,
        "train_type_code": "kz_1520",
    }
    post(
        client,
        "/api/v1/train-visits",
        {**kazakh, "wagons": [{"number": wagon_1520(1), "wagon_type": "kz_flat_80ft"}], **at()},
        201,
    )
    post(
        client, "/api/v1/train-visits/T1/planned-boxes/add", {"entries": [{"container": number}], "reason": "t", **at()}
    )
    post(client, "/api/v1/train-visits/T1/load", {"container": number, "wagon_number": uic_wagon(1), **at()})
    refused(client, "/api/v1/train-visits/T1/release", at(), 422, "train")  # at the base, loaded
    post(client, "/api/v1/train-visits/T1/depart", at(2))
    post(client, "/api/v1/train-visits/T1/border", at(60))
    assert "still carries 1 box" in refused(client, "/api/v1/train-visits/T1/release", at(61), 422, "train")
    transfer = {"container": number, "to_train": "K1", "wagon_number": wagon_1520(1), "slot": 1}
    post(client, "/api/v1/train-visits/T1/gauge-transfer", {**transfer, **at(62)})
    released = post(client, "/api/v1/train-visits/T1/release", at(63))
    assert released["status"] == "released"
    refused(client, "/api/v1/train-visits/K1/return-empty", {"reference": "R1", **at(63)}, 422, "train")  # not released
    post(client, "/api/v1/train-visits/K1/depart", at(64))
    assert "is departed" in refused(client, "/api/v1/train-visits/K1/release", at(65), 422, "train")
    post(client, "/api/v1/train-visits/K1/arrive", at(90))
    post(client, "/api/v1/train-visits/K1/release", at(91))
    refused(client, "/api/v1/train-visits/T1/return-empty", {"reference": "R0", **at(91)}, 422, "train")  # 1435 mm
    returning = post(client, "/api/v1/train-visits/K1/return-empty", {"reference": "R1", **at(92)}, 201)
    assert returning["status"] == "departed" and [w["number"] for w in returning["wagons"]] == [wagon_1520(1)]
    refused(client, "/api/v1/train-visits/K1/return-empty", {"reference": "R2", **at(92)}, 409, "train")

    with UnitOfWork.for_url(url) as uow:  # in transit: the returning empties, not the released trains
        moving = corridor(uow.session, utc_now()).trains
    assert [(t["reference"], t["returning"]) for t in moving] == [("R1", True)]

    post(client, "/api/v1/train-visits/R1/arrive", at(110))
    wagon = client.get(f"/api/v1/wagons/{wagon_1520(1)}").json()
    assert wagon["train"] == "R1" and wagon["location"] == "khorgos" and wagon["train_status"] == "arrived"
    assert wagon["turnaround_h"] == 110 - 64  # loaded out with K1 at the border, back empty there
    chinese = client.get(f"/api/v1/wagons/{uic_wagon(1)}").json()
    assert chinese["train_status"] == "released" and chinese["location"] == "khorgos"
    assert chinese["loaded_out_at"] is not None and chinese["turnaround_h"] is None
    assert {w["number"] for w in client.get("/api/v1/wagons").json()} == {uic_wagon(1), wagon_1520(1)}
    assert client.get("/api/v1/wagons/00000000").status_code == 404
    assert isinstance(datetime.fromisoformat(wagon["back_empty_at"]), datetime)
