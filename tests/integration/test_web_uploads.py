"""EDIFACT files and CSV lists uploaded from the Interchange screen on both backends: accepted, rejected with the
segment and element, a double send answered as a duplicate, a bad CSV line shown with nothing applied; and the
interchanges list with its filters, paging and CSV export."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from landbridge.services.interchange.defaults import seed_partners
from landbridge.store.unit_of_work import UnitOfWork
from tests.support import Hub, container_number, token

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"
# The services behind the forms are tested on both backends (tests/integration/test_edi_*.py, test_waybills_and_csv.py);
# what is tested here is the screen, so SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _csrf(html: str, form_id: str) -> dict[str, str]:
    match = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
    assert match, f"no form {form_id}"
    return dict(re.findall(r'<input type="hidden" name="(csrftoken)" value="([^"]*)"', match.group(0)))


@SQLITE_ONLY
def test_files_are_imported_from_the_interchange_screen(make_hub: Callable[..., Hub]) -> None:
    made = make_hub(users=("admin",), as_user="admin")
    seed_partners(UnitOfWork.for_url(made.url))
    web = TestClient(made.client.app)
    web.cookies.set("lb_token", token(made.url, "web-rail", "rail_operator"))
    screen = web.get("/interchange").text
    assert 'id="form-edi-upload"' in screen and 'id="form-csv-upload"' in screen
    edi = _csrf(screen, "form-edi-upload")

    rail = (FIXTURES / "codeco_d95b_rail.edi").read_bytes()
    accepted = web.post("/interchange/edi", data=edi, files={"file": ("rail.edi", rail)})
    assert accepted.status_code == 200, accepted.text[-1500:]
    assert 'data-status="accepted"' in accepted.text and "UCI+KTZ000451" in accepted.text  # the CONTRL shown
    again = web.post("/interchange/edi", data=edi, files={"file": ("rail.edi", rail)})  # a double click
    assert 'data-status="duplicate"' in again.text
    listed = made.client.get("/api/v1/edi/interchanges").json()
    assert [row["status"] for row in listed] == ["accepted"]  # applied once

    bad = (FIXTURES / "malformed" / "coprar_bad_check_digit.edi").read_bytes()
    rejected = web.post("/interchange/edi", data=edi, files={"file": ("bad.edi", bad)})
    assert rejected.status_code == 422 and 'data-status="rejected"' in rejected.text
    row = re.search(
        r"<tr class=\"bad\"><td>12</td><td>EQD</td><td class=\"num\">12</td><td class=\"num\">2.1</td>", rejected.text
    )
    assert row, rejected.text[-3000:]  # the syntax error code, segment, position and element
    nothing = web.post("/interchange/edi", data=edi, files={"file": ("empty.edi", b"")})
    assert nothing.status_code == 422 and 'id="edi-file-error"' in nothing.text

    # A CSV list: a bad line is shown with its column and nothing is applied; the corrected file applies whole.
    one, two = container_number(1), container_number(2)
    header = "number,iso_type,load_state,gross_mass_kg\n"
    wrong = f"{header}{one},22G1,full,12000\n{two},22G1,full,heavy\n".encode()
    refused = web.post("/interchange/csv", data={**edi, "kind": "containers"}, files={"file": ("boxes.csv", wrong)})
    assert refused.status_code == 422 and 'data-applied="no"' in refused.text
    assert re.search(r'<td class="num">3</td><td>gross_mass_kg</td>', refused.text), refused.text[-2000:]
    assert made.client.get(f"/api/v1/containers/{one}").status_code == 404
    right = wrong.replace(b"heavy", b"9000")
    applied = web.post("/interchange/csv", data={**edi, "kind": "containers"}, files={"file": ("boxes.csv", right)})
    assert applied.status_code == 200 and 'data-applied="yes"' in applied.text
    assert made.client.get(f"/api/v1/containers/{two}").json()["gross_mass_kg"] == 9000
    no_kind = web.post("/interchange/csv", data={**edi, "kind": "ships"}, files={"file": ("x.csv", right)})
    assert no_kind.status_code == 422 and 'id="csv-kind-error"' in no_kind.text

    # The interchanges list: filters, paging, CSV of every matching row.
    page = web.get("/lists/interchanges", params={"status": "rejected"}).text
    assert page.count("<tr") == 2 and "bad.edi" in page  # header + the rejected one
    csv = web.get("/lists/interchanges.csv", params={"direction": "in"}).text
    assert csv.splitlines()[0].lstrip("\ufeff").startswith("id,processed_at,direction")
    assert len(csv.splitlines()) == 1 + 2
    assert "+08:00" in csv.splitlines()[1]  # hub time with its offset


@SQLITE_ONLY
def test_only_importers_upload_and_parties_send_no_csv(make_hub: Callable[..., Hub]) -> None:
    made = make_hub(users=("admin",), as_user="admin")
    for role, party, sees_edi, sees_csv in (("auditor", None, False, False), ("planner", None, True, True)):
        with TestClient(made.client.app) as web:
            web.cookies.set("lb_token", token(made.url, f"web-{role}", role, party))
            screen = web.get("/interchange").text
            assert ('id="form-edi-upload"' in screen, 'id="form-csv-upload"' in screen) == (sees_edi, sees_csv)
    with TestClient(made.client.app) as auditor:
        auditor.cookies.set("lb_token", token(made.url, "web-aud", "auditor"))
        refused = auditor.post("/interchange/edi", files={"file": ("x.edi", b"UNA")}, follow_redirects=False)
        assert refused.status_code == 403


@SQLITE_ONLY
def test_a_csv_form_submitted_twice_applies_the_list_once(make_hub: Callable[..., Hub]) -> None:
    made = make_hub(users=("admin",), as_user="admin")
    web = TestClient(made.client.app)
    web.cookies.set("lb_token", token(made.url, "web-plan", "planner"))
    form = re.search(r'<form[^>]*id="form-csv-upload".*?</form>', web.get("/interchange").text, re.S)
    assert form
    fields = dict(re.findall(r'<input type="hidden" name="(csrftoken|form_token)" value="([^"]*)"', form.group(0)))
    assert fields.keys() == {"csrftoken", "form_token"}
    one = container_number(1)
    listed = f"number,iso_type,load_state,gross_mass_kg\n{one},22G1,full,12000\n".encode()
    first = web.post("/interchange/csv", data={**fields, "kind": "containers"}, files={"file": ("a.csv", listed)})
    second = web.post("/interchange/csv", data={**fields, "kind": "containers"}, files={"file": ("a.csv", listed)})
    assert first.status_code == second.status_code == 200, second.text[-2000:]
    assert 'data-applied="yes"' in second.text  # the double submit is answered with the first report
    history = made.client.get(f"/api/v1/containers/{one}/history").json()
    assert [event["event_type"] for event in history].count("container.registered") == 1
    other = listed.replace(b"12000", b"9000")
    reused = web.post("/interchange/csv", data={**fields, "kind": "containers"}, files={"file": ("b.csv", other)})
    assert reused.status_code == 422 and 'id="csv-file-error"' in reused.text
    assert made.client.get(f"/api/v1/containers/{one}").json()["gross_mass_kg"] == 12000
