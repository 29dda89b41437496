"""The long lists page by key (issue #19): ``limit``, ``after`` and a ``Link`` to the next page.

What a client notices: a list of train visits, wagons, appointments or grain lots answers ``limit`` items in
order, a full page names the next one in ``Link: <…>; rel="next"``, following the links visits
every item once, and the last page has no link — so a year of wagons is read a page at a time.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from landbridge.domain.events import utc_now
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.readmodels import grain as grain_screen
from tests.integration.test_operations_rules import Client, box, grain_lot, hub, post
from tests.support import uic_wagon

__all__ = ["hub"]


def _pages(client: TestClient, path: str, key: str) -> list[list[str]]:
    """Follow ``Link: rel="next"`` from ``path``; the keys on each page."""
    pages: list[list[str]] = []
    while True:
        response = client.get(path)
        assert response.status_code == 200, response.text
        pages.append([item[key] for item in response.json()])
        link = response.headers.get("Link")
        if link is None:
            return pages
        found = re.fullmatch(r'<http://testserver(?P<path>[^>]+)>; rel="next"', link)
        assert found is not None, link
        path = found["path"]


def _hour(offset_h: int) -> datetime:
    return utc_now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=offset_h)


def test_trains_wagons_and_appointments_page_by_key(hub: Client) -> None:
    client, _, _ = hub
    for serial, reference in enumerate(("T-C", "T-A", "T-B"), start=1):
        train = {
            "reference": reference,
            "direction": "west",
            "route_code": "almaty",
            "gauge_mm": 1435,
            "train_type_code": "cn_1435",
            "wagons": [{"number": uic_wagon(serial), "wagon_type": "cn_flat_40ft"}],
        }
        post(client, "/api/v1/train-visits", train, 201)
    assert _pages(client, "/api/v1/train-visits?limit=2", "reference") == [["T-A", "T-B"], ["T-C"]]
    assert client.get("/api/v1/train-visits?limit=2&after=T-B").json()[0]["wagons"][0]["number"] == uic_wagon(1)
    wagons = sorted(uic_wagon(serial) for serial in (1, 2, 3))
    assert _pages(client, "/api/v1/wagons?limit=2", "number") == [wagons[:2], wagons[2:]]
    assert "Link" not in client.get("/api/v1/wagons").headers  # the default page holds all three

    for reference, hour in (("AP-2", 2), ("AP-1", 2), ("AP-0", 3)):
        number = box(client, int(reference[-1]) + 10)
        slot = {"reference": reference, "hour_start": _hour(hour).isoformat(), "plate": "KZ 1", "kind": "pick_up"}
        post(client, "/api/v1/gate/appointments", {**slot, "container": number}, 201)
    mine = "/api/v1/gate/appointments/mine?limit=2"
    assert _pages(client, mine, "reference") == [["AP-1", "AP-2"], ["AP-0"]]  # by window, then reference
    assert client.get("/api/v1/gate/appointments/mine?after=AP-UNKNOWN").json() == []


def test_grain_lots_page_by_reference_on_the_api_and_the_screen(hub: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _, url = hub
    for reference in ("G-C", "G-A", "G-B"):
        post(client, "/api/v1/grain/lots", grain_lot(reference, 60_000), 201)
    assert _pages(client, "/api/v1/grain/lots?limit=2", "reference") == [["G-A", "G-B"], ["G-C"]]
    assert "Link" not in client.get("/api/v1/grain/lots").headers

    monkeypatch.setattr(grain_screen, "LOTS_PAGE", 2)  # a year makes ~1,100 lots; three show the paging
    with UnitOfWork.for_reading(url) as uow:
        first = grain_screen.grain(uow.session)
        rest = grain_screen.grain(uow.session, after=first.next_after)
    assert ([lot["reference"] for lot in first.lots], first.next_after) == (["G-A", "G-B"], "G-B")
    assert ([lot["reference"] for lot in rest.lots], rest.next_after) == (["G-C"], None)
    assert first.stock_kg == rest.stock_kg == 180_000, "stock counts every lot, not the page's"
    assert first.balance_gap_kg == 0
