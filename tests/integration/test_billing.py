"""Billing over HTTP on both backends: a month billed from the event log (figures worked by hand),
idempotent runs, gap-free numbers, finalising refused with the difference, credit notes, CSV/PDF,
tariffs validated naming the field, and the gate refusing a pick-up until a guarantee is recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.billing.charges import may_charge_from
from landbridge.domain.events import utc_now
from landbridge.services.billing.facts import box_events, period_window
from landbridge.store.unit_of_work import UnitOfWork
from tests.integration.test_operations_rules import post, refused
from tests.support import Hub, bearer, container_number, token

OCT30 = "2026-10-30T08:00:00+08:00"


@pytest.fixture
def billed(make_hub: Callable[..., Hub]) -> Hub:
    """A hub with a line LINE1 (owner code LBO), shipper ACME, consignee BETA and a ship V9 berthed in October."""
    hub = make_hub(users=("admin", "auditor"), as_user="admin")
    client = hub.client
    post(
        client,
        "/api/v1/parties",
        {"code": "LINE1", "name": "Line", "role": "shipping_line", "owner_codes": ["LBO"]},
        201,
    )
    for code in ("ACME", "BETA"):
        post(client, "/api/v1/parties", {"code": code, "name": code, "role": "shipper"}, 201)
    consignment = {"booking_reference": "BK1", "shipper_code": "ACME", "consignee_code": "BETA"}
    post(client, "/api/v1/consignments", {**consignment, "origin": "KRPUS", "destination": "CNLYG"}, 201)
    visit = {"reference": "V9", "vessel_name": "Billing", "eta": "2026-10-31T00:00Z", "occurred_at": OCT30}
    post(client, "/api/v1/vessel-visits", visit, 201)
    berth = {"berth_code": "30", "etb": "2026-10-31T01:00Z", "occurred_at": "2026-10-31T01:00:00+00:00"}
    post(client, "/api/v1/vessel-visits/V9/berth", berth)
    return hub


def _discharged(client: TestClient, serial: int, iso: str, full: bool, at: str, booking: str | None = None) -> str:
    number = container_number(serial)
    body: dict[str, Any] = {"number": number, "iso_type": iso, "load_state": "full" if full else "empty"}
    if full:
        body["gross_mass_kg"] = 18_000
    post(client, "/api/v1/containers", {**body, "occurred_at": OCT30}, 201)
    if booking is not None:
        post(client, f"/api/v1/consignments/{booking}/containers", {"container": number, "occurred_at": OCT30})
    change = {"entries": [{"container": number}], "reason": "declared", "occurred_at": "2026-10-31T12:00:00+08:00"}
    post(client, "/api/v1/vessel-visits/V9/discharge-list/add", change)
    post(client, "/api/v1/vessel-visits/V9/discharge", {"container": number, "occurred_at": at})
    return number


def test_a_month_is_billed_from_the_event_log(billed: Hub) -> None:
    client = billed.client
    full = _discharged(client, 1, "22G1", True, "2026-11-01T08:00:00+08:00", "BK1")
    empty = _discharged(client, 2, "42G1", False, "2026-11-02T10:00:00+08:00")
    refused(client, "/api/v1/billing/runs", {"period": "2099-01"}, 422, "period")

    run = post(client, "/api/v1/billing/runs", {"period": "2026-11"})
    # By hand (tariff 2026.1): the full import box stays 29 d 16 h into November → 30 days begun,
    # 4 free, days 5–10 at 12 (72) and 11–30 at 24 (480): 552.00 to the consignee; the empty 40 ft box
    # 28 d 14 h → 29 days, 10 free, days 11–20 at 4 × 2 TEU (80) and 21–29 at 8 × 2 (144): 224.00 line
    # storage; discharges 450 + 680 to the line.
    totals = {i["party"]: i["total"] for i in run["invoices"]}
    assert totals == {"BETA": "552.00", "LINE1": "1354.00"}
    assert run["checker"] == {"agrees": True, "by_payer": {"BETA": "552.00", "LINE1": "1354.00"}}
    assert {i["outcome"] for i in run["invoices"]} == {"created"}
    again = post(client, "/api/v1/billing/runs", {"period": "2026-11"})
    assert [(i["id"], i["total"], i["outcome"]) for i in again["invoices"]] == [
        (i["id"], i["total"], "unchanged") for i in run["invoices"]
    ]
    ids = {i["party"]: i["id"] for i in run["invoices"]}

    line_invoice = client.get(f"/api/v1/billing/invoices/{ids['LINE1']}").json()
    kinds = sorted((line["container"], line["kind"], line["amount"]) for line in line_invoice["lines"])
    assert kinds == [
        (full, "discharge", "450.00"),
        (empty, "discharge", "680.00"),
        (empty, "line_storage", "144.00"),
        (empty, "line_storage", "80.00"),
    ]
    with UnitOfWork.for_url(billed.url) as uow:
        discharge_ids = {e.event_type.value for e in uow.events.for_subject("container", full)}
    assert "container.discharged" in discharge_ids
    assert all(line["event_ids"] for line in line_invoice["lines"])
    assert client.get(f"/api/v1/billing/invoices/{ids['BETA']}/check").json()["agrees"] is True

    first = post(client, f"/api/v1/billing/invoices/{ids['BETA']}/finalise", {})
    assert first["number"] == "INV-000001" and first["status"] == "final"
    refused(client, f"/api/v1/billing/invoices/{ids['BETA']}/finalise", {}, 409, "invoice")

    # The events change under the line's draft: finalising is refused with the difference.
    reason = "yard congestion caused by the terminal"
    waiver = {"container": empty, "kind": "line_storage", "reason": reason}
    refused(client, "/api/v1/billing/waivers", {**waiver, "reason": " "}, 422, "reason")
    post(client, "/api/v1/billing/waivers", waiver, 201)
    message = refused(client, f"/api/v1/billing/invoices/{ids['LINE1']}/finalise", {}, 409, "invoice")
    assert f"- {empty} line_storage" in message and f"+ {empty} line_storage" in message
    rerun = post(client, "/api/v1/billing/runs", {"period": "2026-11"})
    outcomes = {i["party"]: (i["total"], i["outcome"]) for i in rerun["invoices"]}
    assert outcomes == {"BETA": ("552.00", "final, unchanged"), "LINE1": ("1130.00", "updated")}
    second = post(client, f"/api/v1/billing/invoices/{ids['LINE1']}/finalise", {})
    assert second["number"] == "INV-000002"  # the refused attempt took no number: no gap
    assert {line["waiver"] for line in second["lines"] if line["kind"] == "line_storage"} == {reason}

    csv_text = client.get(f"/api/v1/billing/invoices/{ids['LINE1']}/csv").text
    assert csv_text.splitlines()[0].startswith("invoice,INV-000002,LINE1,2026-11")
    assert csv_text.splitlines()[-1].endswith("CNY,1130.00,,")
    pdf = client.get(f"/api/v1/billing/invoices/{ids['LINE1']}/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf.content == client.get(f"/api/v1/billing/invoices/{ids['LINE1']}/pdf").content

    note = post(client, f"/api/v1/billing/invoices/{ids['BETA']}/credit", {"reason": "wrong consignee"}, 201)
    assert (note["number"], note["kind"], note["total"]) == ("CN-000001", "credit_note", "-552.00")
    anew = post(client, "/api/v1/billing/runs", {"period": "2026-11"})
    beta = next(i for i in anew["invoices"] if i["party"] == "BETA")
    assert beta["outcome"] == "created" and beta["id"] != ids["BETA"] and beta["total"] == "552.00"

    # A party sees its own invoices only; the auditor reads all; neither may run billing.
    consignee = bearer(token(billed.url, "beta-user", "shipper", "BETA"))
    seen = client.get("/api/v1/billing/invoices", headers=consignee).json()
    assert {i["party"] for i in seen} == {"BETA"} and len(seen) == 3
    assert client.get(f"/api/v1/billing/invoices/{ids['LINE1']}", headers=consignee).status_code == 404
    assert client.post("/api/v1/billing/runs", json={"period": "2026-11"}, headers=consignee).status_code == 403
    assert len(client.get("/api/v1/billing/invoices", headers=billed.headers("auditor")).json()) == 4
    with UnitOfWork.for_url(billed.url) as uow:
        audited = [e.event_type.value for e in uow.events.for_subject("invoice", str(ids["BETA"]))]
    assert audited == ["billing.invoice_drafted", "billing.invoice_finalised", "billing.credit_note_issued"]


def test_a_pick_up_is_refused_while_storage_is_owed_until_a_guarantee(billed: Hub) -> None:
    client = billed.client
    ten_days_ago = (utc_now() - timedelta(days=10)).isoformat()
    number = _discharged(client, 3, "22G1", True, ten_days_ago, "BK1")
    order = {
        "reference": "DO1",
        "containers": [number],
        "valid_from": (utc_now() - timedelta(hours=1)).isoformat(),
        "valid_to": (utc_now() + timedelta(days=1)).isoformat(),
        "pin": "4711",
    }
    post(client, "/api/v1/delivery-orders", order, 201)
    truck = {
        "reference": "TV1",
        "plate": "苏G1",
        "pick_up": [number],
        "delivery_order": "DO1",
        "pin": "4711",
        "override_reason": "walk-in",
    }
    account = client.get(f"/api/v1/billing/containers/{number}").json()
    assert account["pick_up_blocked"] is True and account["owed"] == "96.00"  # days 5–10 at 12, day 11 at 24
    assert "owes 96.00 CNY" in refused(client, "/api/v1/gate/trucks", truck, 422, "pick_up[0]")
    through = (utc_now() + timedelta(days=1)).isoformat()
    refused(
        client,
        "/api/v1/billing/guarantees",
        {"container": number, "kind": "paid", "through": through[:19]},
        422,
        "through",
    )
    post(client, "/api/v1/billing/guarantees", {"container": number, "kind": "guaranteed", "through": through}, 201)
    assert client.get(f"/api/v1/billing/containers/{number}").json()["owed"] == "0.00"
    post(client, "/api/v1/gate/trucks", truck, 201)


def test_tariffs_are_validated_naming_the_field_and_versioned(billed: Hub) -> None:
    client = billed.client
    current = client.get("/api/v1/billing/tariffs/LYG-STD").json()
    assert current["revision"] == 0 and current["source"] == "scenario"
    document = current["tariff"]

    def broken(path: list[Any], value: Any) -> dict[str, Any]:
        import copy

        changed = copy.deepcopy(document)
        target = changed
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        return changed

    cases = [
        (["versions", 1, "valid_from"], "2026-12-01T00:00:00+08:00", "tariff.versions.1.valid_from", "overlapping"),
        (
            ["versions", 0, "handling", "discharge", "per_20ft"],
            "-5",
            "tariff.versions.0.handling.discharge.per_20ft",
            "0",
        ),
        (["versions", 0, "storage", "tiers", 1, "from_day"], 12, "tariff.versions.0.storage.tiers.1.from_day", "11"),
        (["versions", 0, "storage", "free_days"], 3, "tariff.versions.0.storage.tiers.0.from_day", "4"),
        (
            ["versions", 0, "reefer_power", "tiers", 0, "rate"],
            "1.005",
            "tariff.versions.0.reefer_power.tiers.0.rate",
            "2 decimal",
        ),
    ]
    for path, value, field, words in cases:
        response = client.put("/api/v1/billing/tariffs/LYG-STD", json=broken(path, value))
        assert response.status_code == 422, response.text
        detail = response.json()["detail"][0]
        assert detail["loc"][-1] == field and words in detail["msg"], detail
    raised = broken(["versions", 0, "storage", "tiers", 0, "rate"], "15")
    assert (
        client.put("/api/v1/billing/tariffs/LYG-STD", json=raised, headers=billed.headers("auditor")).status_code == 403
    )
    published = client.put("/api/v1/billing/tariffs/LYG-STD", json=raised).json()
    assert published["revision"] == 1 and published["source"] == "published"
    assert (
        client.get("/api/v1/billing/tariffs").json()[0]["tariff"]["versions"][0]["storage"]["tiers"][0]["rate"] == "15"
    )
    with UnitOfWork.for_url(billed.url) as uow:
        assert [e.event_type.value for e in uow.events.for_subject("tariff", "LYG-STD")] == ["billing.tariff_published"]


def test_the_billing_command_runs_a_month_idempotently_and_exports(billed: Hub, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from landbridge.cli import app

    _discharged(billed.client, 4, "22R1", True, "2026-11-20T08:00:00+08:00", "BK1")
    runner = CliRunner()
    first = runner.invoke(app, ["billing", "run", "--period", "2026-11", "--database-url", billed.url])
    assert first.exit_code == 0, first.output
    # A full 20 ft reefer from 20 Nov 08:00 to 1 Dec 00:00 (hub time): 10 d 16 h → 11 days begun;
    # storage days 5–10 at 12 and day 11 at 24 (96.00) plus reefer power 11 × 180 (1980.00) to BETA.
    assert "BETA" in first.output and "2076.00" in first.output and "created" in first.output
    assert "checker: agrees" in first.output
    again = runner.invoke(app, ["billing", "run", "--period", "2026-11", "--database-url", billed.url])
    assert again.exit_code == 0 and "unchanged" in again.output and "created" not in again.output
    bad = runner.invoke(app, ["billing", "run", "--period", "2026-13", "--database-url", billed.url])
    assert bad.exit_code == 1 and "period:" in bad.output
    pdf = tmp_path / "invoice.pdf"
    exported = runner.invoke(app, ["billing", "export", "1", "-o", str(pdf), "--database-url", billed.url])
    assert exported.exit_code == 0, exported.output
    assert pdf.read_bytes().startswith(b"%PDF")
    final = runner.invoke(app, ["billing", "finalise", "1", "--database-url", billed.url])
    assert final.exit_code == 0 and "INV-000001" in final.output


def test_a_months_run_reads_only_the_boxes_that_can_owe_something_in_it(billed: Hub) -> None:
    """The run reads the boxes that moved since the month began or are not gone, each whole; a box
    gone before the month is not read, and no box that may owe something is missed."""
    client = billed.client
    visit = {"reference": "V8", "vessel_name": "Feeder", "eta": "2026-10-31T00:00Z", "occurred_at": OCT30}
    post(client, "/api/v1/vessel-visits", visit, 201)
    post(
        client, "/api/v1/vessel-visits/V8/berth", {"berth_code": "29", "etb": "2026-10-31T01:00Z", "occurred_at": OCT30}
    )
    gone = _discharged(client, 21, "22G1", False, "2026-10-31T08:00:00+08:00")  # in and out in October
    stays = _discharged(client, 22, "22G1", True, "2026-10-31T09:00:00+08:00", "BK1")  # no event in November
    leaves_later = _discharged(client, 23, "22G1", False, "2026-10-31T10:00:00+08:00")  # out in December
    arrives = _discharged(client, 24, "42G1", False, "2026-11-02T10:00:00+08:00")
    for number, visit_ref, day in ((gone, "V8", "2026-10-31"), (leaves_later, "V9", "2026-12-01")):
        change = {"reason": "listed", "entries": [{"container": number}], "occurred_at": f"{day}T19:00:00+08:00"}
        post(client, f"/api/v1/vessel-visits/{visit_ref}/load-list/add", change)
        load = {"container": number, "occurred_at": f"{day}T20:00:00+08:00"}
        post(client, f"/api/v1/vessel-visits/{visit_ref}/load", load)
        post(client, f"/api/v1/vessel-visits/{visit_ref}/depart", {"occurred_at": f"{day}T21:00:00+08:00"})

    start, end = period_window("2026-11")
    with UnitOfWork.for_url(billed.url) as uow:
        every_box = box_events(uow, end)
        read = box_events(uow, end, chargeable_since=start)
    chargeable = {number for number, history in every_box.items() if may_charge_from(history, start)}
    assert chargeable == {stays, leaves_later, arrives}
    assert set(read) == chargeable  # the box gone in October is not read
    assert all(read[number] == every_box[number] for number in read)  # each history whole
    run = post(client, "/api/v1/billing/runs", {"period": "2026-11"})
    assert run["checker"]["agrees"] is True
    assert {i["party"] for i in run["invoices"]} == {"BETA", "LINE1"}
