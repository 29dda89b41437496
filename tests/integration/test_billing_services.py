"""Charges for services besides handling and storage, billed and checked over HTTP on both backends:
grain per tonne or part thereof (received, transferred, shipped; the lot's owner pays), a box
weighed on the base's scale (VGM ``weighed_at_base``), and a yard move a customer caused
(``caused_by_party``, charged to that party). Figures worked by hand from the default tariff 2026.1."""

from __future__ import annotations

from datetime import UTC, datetime

from landbridge.store.unit_of_work import UnitOfWork
from tests.integration.test_billing import OCT30, billed
from tests.integration.test_operations_rules import grain_lot, post, refused
from tests.support import Hub, container_number

__all__ = ["billed"]


def test_grain_weighing_and_customer_moves_are_billed_and_checked(billed: Hub) -> None:
    client = billed.client
    number = container_number(1)
    body = {"number": number, "iso_type": "22G1", "load_state": "full", "gross_mass_kg": 18_000, "occurred_at": OCT30}
    post(client, "/api/v1/containers", body, 201)
    post(client, "/api/v1/consignments/BK1/containers", {"container": number, "occurred_at": OCT30})
    change = {"entries": [{"container": number}], "reason": "declared", "occurred_at": "2026-10-31T12:00:00+08:00"}
    post(client, "/api/v1/vessel-visits/V9/discharge-list/add", change)
    discharge = {"container": number, "slot": "A-01-01-1", "occurred_at": "2026-11-01T08:00:00+08:00"}
    post(client, "/api/v1/vessel-visits/V9/discharge", discharge)

    # BETA asks for its box to be dug out for an inspection: an extra move charged to BETA (20 ft: 200).
    move = {"container": number, "slot": "A-02-01-1", "occurred_at": "2026-11-03T09:00:00+08:00"}
    refused(client, "/api/v1/yard/moves", {**move, "caused_by_party": "NOBODY"}, 404, "caused_by_party")
    post(client, "/api/v1/yard/moves", {**move, "caused_by_party": "BETA"})
    post(client, "/api/v1/yard/moves", {**move, "slot": "A-03-01-1", "occurred_at": "2026-11-03T10:00:00+08:00"})
    # The base weighs it (method 1 on its own scale): a weighing charged to the shipper ACME (150).
    vgm = {
        "mass_kg": 18_100,
        "method": 1,
        "verified_by": "LYG base scale",
        "verified_at": "2026-11-04T10:00:00+08:00",
        "occurred_at": "2026-11-04T10:00:00+08:00",
    }
    refused(
        client,
        f"/api/v1/containers/{number}/vgm",
        {**vgm, "method": 2, "weighed_at_base": True},
        422,
        "weighed_at_base",
    )
    post(client, f"/api/v1/containers/{number}/vgm", {**vgm, "weighed_at_base": True}, 201)
    post(client, f"/api/v1/containers/{number}/vgm", {**vgm, "verified_by": "ACME shipper"}, 201)  # declared: free

    # ACME's grain: 200 t received (× 8), 50.5 t moved as a new lot (51 t × 5), 74.001 t shipped (75 t × 6).
    post(client, "/api/v1/grain/lots", {**grain_lot("G1", 200_000), "occurred_at": "2026-11-05T08:00:00+08:00"}, 201)
    transfer = {"to_silo": "SB02", "mass_kg": 50_500, "new_reference": "G1-PART-B"}
    post(client, "/api/v1/grain/lots/G1/transfer", {**transfer, "occurred_at": "2026-11-06T08:00:00+08:00"})
    bulk = {"reference": "VB", "vessel_name": "Bulk", "eta": "2026-11-07T00:00Z", "occurred_at": OCT30}
    post(client, "/api/v1/vessel-visits", bulk, 201)
    post(client, "/api/v1/vessel-visits/VB/berth", {"berth_code": "32", "etb": "2026-11-07T01:00Z"})
    ship = {"mass_kg": 74_001, "vessel_visit": "VB", "occurred_at": "2026-11-08T08:00:00+08:00"}
    post(client, "/api/v1/grain/lots/G1/ship", ship)

    run = post(client, "/api/v1/billing/runs", {"period": "2026-11"})
    # BETA: storage as in test_billing (552.00) + the extra move; ACME: weighing + grain; LINE1: the discharge.
    totals = {"ACME": "2455.00", "BETA": "752.00", "LINE1": "450.00"}
    assert {i["party"]: i["total"] for i in run["invoices"]} == totals
    assert run["checker"] == {"agrees": True, "by_payer": totals}
    ids = {i["party"]: i["id"] for i in run["invoices"]}
    acme = client.get(f"/api/v1/billing/invoices/{ids['ACME']}").json()["lines"]
    assert sorted(
        (line["container"], line["kind"], line["quantity"], line["unit"], line["amount"]) for line in acme
    ) == [
        ("G1", "grain_received", 200, "tonne", "1600.00"),
        ("G1", "grain_shipped", 75, "tonne", "450.00"),
        ("G1", "grain_transferred", 51, "tonne", "255.00"),
        (number, "weighing", 1, "box", "150.00"),
    ]
    beta = client.get(f"/api/v1/billing/invoices/{ids['BETA']}").json()["lines"]
    (extra,) = [line for line in beta if line["kind"] == "extra_move"]
    assert (extra["container"], extra["payer_rule"], extra["amount"]) == (number, "causer", "200.00")
    with UnitOfWork.for_url(billed.url) as uow:
        rows = uow.billing.container_events(datetime(2027, 1, 1, tzinfo=UTC), [number])
        caused = {
            row.id: (row.after or {}).get("caused_by_party") for row in rows if row.event_type == "container.placed"
        }
    assert len(caused) == 2 and extra["event_ids"] == [i for i, party in caused.items() if party == "BETA"]
    assert client.get(f"/api/v1/billing/invoices/{ids['ACME']}/check").json()["agrees"] is True
    again = post(client, "/api/v1/billing/runs", {"period": "2026-11"})
    assert {i["outcome"] for i in again["invoices"]} == {"unchanged"}
