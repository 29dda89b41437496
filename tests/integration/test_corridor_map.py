"""The Corridor map places a train on its line in the direction it travels: a westbound train leaves the
base for the route's end, an eastbound one comes from the route's end towards the base (bug: every
train was drawn from the base outwards)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from landbridge.domain.events import utc_now
from landbridge.scenarios import current_scenario
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.readmodels.corridor import corridor
from tests.e2e.support import uic_wagon
from tests.integration.test_operations_rules import Client, box, hub, listed, post

__all__ = ["hub"]

CHINA = {"route_code": "almaty", "gauge_mm": 1435, "train_type_code": "cn_1435"}


def _departed(client: Client, reference: str, direction: str, serial: int) -> None:
    """A train of ``direction`` on the Almaty route with one box aboard, departed now."""
    api = client[0]
    wagons = [{"number": uic_wagon(serial), "wagon_type": "cn_flat_40ft"}]
    post(api, "/api/v1/train-visits", {"reference": reference, **CHINA, "direction": direction, "wagons": wagons}, 201)
    number = box(api, serial)
    post(api, "/api/v1/vessel-visits/V1/discharge", {"container": number})
    listed(api, f"/api/v1/train-visits/{reference}/planned-boxes", [number])
    post(api, f"/api/v1/train-visits/{reference}/load", {"container": number, "wagon_number": uic_wagon(serial)})
    post(api, f"/api/v1/train-visits/{reference}/depart", {})


def test_an_eastbound_train_in_transit_comes_from_the_routes_end_towards_the_base(hub: Client) -> None:
    _departed(hub, "W1", "west", 1)
    _departed(hub, "E1", "east", 2)
    with UnitOfWork.for_url(hub[2]) as uow:
        view = corridor(uow.session, utc_now() + timedelta(hours=12))
    markers = {t["reference"]: t for t in view.trains}
    base = current_scenario().base
    almaty = next(r for r in view.routes if r["code"] == "almaty")
    far_lon, far_lat = almaty["path"][-1]

    def near(marker: dict[str, Any], lat: float, lon: float) -> float:
        return math.dist((marker["lat"], marker["lon"]), (lat, lon))

    west, east = markers["W1"], markers["E1"]
    assert near(west, base.lat, base.lon) < near(west, far_lat, far_lon)  # half a day out of the base
    assert near(east, far_lat, far_lon) < near(east, base.lat, base.lon)  # half a day out of Almaty
    assert (west["direction"], east["direction"]) == ("west", "east")
    assert (west["destination"], east["destination"]) == ("Almaty", "Lianyungang")
