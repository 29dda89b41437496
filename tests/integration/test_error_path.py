"""One error path (issue #17): input that used to answer 500 answers a 4xx naming the field, on both backends.

NaN, Infinity and 1e309 in a number; integers past the column; NUL bytes and lone surrogates in
text; NUL in a page's query; a far ``as_of``; a 10 MB body (refused without echoing it back).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from tests.e2e.support import bearer, container_number, seed, token

# Refusals decided in the route layer, before any query: one backend proves them (suite time).
ROUTE_LAYER_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    seed(database_url)
    headers = bearer(token(database_url, "admin", "admin"))
    with TestClient(create_app(database_url), headers=headers, raise_server_exceptions=False) as client:
        yield client


def _field_of(response: object) -> list[object]:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/json"  # type: ignore[attr-defined]
    return list(response.json()["detail"][0]["loc"])  # type: ignore[attr-defined]


def _raw_post(client: TestClient, path: str, text: str) -> object:
    return client.post(
        path, content=text.encode("utf-8", "surrogatepass"), headers={"Content-Type": "application/json"}
    )


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_non_finite_numbers_are_refused(client: TestClient, number: str) -> None:
    body = '{"number": "%s", "iso_type": "22G1", "load_state": "full", "gross_mass_kg": %s}'
    loc = _field_of(_raw_post(client, "/api/v1/containers", body % (container_number(1), number)))
    assert loc[0] == "body"
    loc = _field_of(_raw_post(client, "/api/v1/plans/berth", '{"time_limit_s": ' + number + "}"))
    assert loc[0] == "body"


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("/api/v1/containers?offset=9223372036854775808", ["query", "offset"]),
        ("/api/v1/containers?limit=99999999999999999999", ["query", "limit"]),
    ],
)
def test_integers_past_the_column_are_refused(client: TestClient, path: str, where: list[str]) -> None:
    assert _field_of(client.get(path)) == where


def test_a_hold_id_past_the_column_is_refused(client: TestClient) -> None:
    assert _field_of(client.post("/api/v1/customs/holds/2147483648/release", json={})) == ["path", "hold_id"]


@pytest.mark.parametrize("text", ['"LB\\u0000X"', '"\\ud800"'])
def test_nul_and_lone_surrogates_are_refused(client: TestClient, text: str) -> None:
    body = '{"code": ' + text + ', "name": "Acme", "role": "shipper"}'
    assert _field_of(_raw_post(client, "/api/v1/parties", body)) == ["body", "code"]
    assert client.get("/api/v1/containers").status_code == 200


def test_nul_in_a_query_is_refused(client: TestClient) -> None:
    assert _field_of(client.get("/simulation?a=%00")) == ["query", "a"]
    assert _field_of(client.get("/api/v1/containers?position_kind=yard%00")) == ["query", "position_kind"]


def test_a_far_as_of_is_refused(client: TestClient) -> None:
    number = container_number(2)
    client.post("/api/v1/containers", json={"number": number, "iso_type": "22G1", "load_state": "empty"})
    response = client.get(f"/api/v1/tracking/{number}", params={"as_of": "9999-12-31T23:59:59Z"})
    assert _field_of(response) == ["query", "as_of"]


def test_a_huge_body_is_not_echoed(client: TestClient) -> None:
    big = "x" * (10 * 1024 * 1024)
    response = client.post("/api/v1/parties", json={"code": big, "name": "Acme", "role": "shipper"})
    assert response.status_code == 413
    assert len(response.content) < 1000
    medium = "x" * (1024 * 1024)
    response = client.post("/api/v1/parties", json={"code": medium, "name": "Acme", "role": "shipper"})
    assert _field_of(response) == ["body", "code"]
    assert len(response.content) < 1000


def test_unknown_routes_answer_the_error_schema(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["detail"][0]["type"] == "not_found"


def test_an_unreachable_database_answers_503_with_retry_after() -> None:
    """While PostgreSQL is down every endpoint answered a bare 500 text/plain; now 503, JSON, Retry-After."""
    down = "postgresql+psycopg://postgres@127.0.0.1:9/landbridge?connect_timeout=2"
    with TestClient(create_app(down), raise_server_exceptions=False) as client:
        health = client.get("/api/health")
        assert health.status_code == 503 and health.headers["retry-after"]
        assert health.json()["dependencies"]["database"]["status"] == "down"
        for response in (
            client.get("/api/v1/containers", headers=bearer("lb_x")),
            client.post("/api/v1/parties", json={"code": "A", "name": "A", "role": "shipper"}, headers=bearer("lb_x")),
            client.get("/api/v1/berths"),
        ):
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "5"
            assert response.json()["detail"][0]["loc"] == ["database"]


@pytest.mark.parametrize("url", ["http://[", "https://[::1", "http://]x/"])
def test_a_broken_callback_url_is_refused_not_a_server_error(client: TestClient, url: str) -> None:
    """Found by the long Schemathesis run: a callback URL with a broken IPv6 host answered 500."""
    secret = "A" * 43 + "="
    response = client.post("/dcsa/tnt/v2/event-subscriptions", json={"callbackUrl": url, "secret": secret})
    assert response.status_code == 422, response.text
    assert [error["reason"] for error in response.json()["errors"]] == ["callbackUrl"]  # DCSA's error body


def test_guard_refusals_under_dcsa_answer_dcsa_errors(client: TestClient) -> None:
    """NaN or NUL sent to a /dcsa route is refused at the door, in DCSA's error shape with API-Version."""
    response = client.post(
        "/dcsa/tnt/v2/event-subscriptions",
        content=b'{"callbackUrl": "https://example.com/x", "secret": NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422 and response.headers["API-Version"], response.text
    assert response.json()["statusCode"] == 422 and response.json()["errors"][0]["reason"] == "body"
    unreadable = client.post(
        "/dcsa/tnt/v2/event-subscriptions", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert unreadable.status_code == 400, unreadable.text  # not text at all: FastAPI's own refusal, no 500


@pytest.mark.parametrize("field", ["load_state", "iso_type"])
def test_a_correction_to_null_of_a_fact_every_box_has_is_refused(client: TestClient, field: str) -> None:
    """Found by Schemathesis after the ops merge: PATCH a container with ``load_state: null`` answered 500."""
    number = "CSQU3054383"
    assert client.post("/api/v1/containers", json={"number": number, "iso_type": "45G1"}).status_code == 201
    response = client.patch(f"/api/v1/containers/{number}", json={"reason": "typo", field: None})
    assert _field_of(response) == ["body", field]


def test_times_on_the_billing_and_reports_routes_are_instants(client: TestClient) -> None:
    """Found by Schemathesis after the billing merge: ``at=0.5`` and a guarantee through year 2447 answered 500."""
    number = "CSQU3054383"
    assert client.post("/api/v1/containers", json={"number": number, "iso_type": "45G1"}).status_code == 201
    assert _field_of(client.get(f"/api/v1/billing/containers/{number}", params={"at": "0.5"})) == ["query", "at"]
    body = {"container": number, "kind": "paid", "through": "2447-03-06T07:00:33-07:01"}
    assert _field_of(client.post("/api/v1/billing/guarantees", json=body))[:2] == ["body", "through"]
    window = {"start": "0", "end": "2026-01-01T00:00:00Z"}
    assert _field_of(client.get("/api/v1/reports/throughput", params=window)) == ["query", "start"]


def test_a_literal_path_beside_a_numbered_one_answers_405_not_422(client: TestClient) -> None:
    """Found by Schemathesis (ST204): GET /api/v1/work/instructions/generate was read as instruction 'generate'."""
    response = client.get("/api/v1/work/instructions/generate")
    assert response.status_code == 405 and response.headers["allow"] == "POST"


def test_a_billing_period_outside_the_accepted_years_is_refused(client: TestClient) -> None:
    """Found by the long Schemathesis run: POST /api/v1/billing/runs with period 1294-01 answered 500."""
    assert _field_of(client.post("/api/v1/billing/runs", json={"period": "1294-01"})) == ["body", "period"]


def test_invoice_ids_and_list_statuses_are_bounded_by_the_schema(client: TestClient) -> None:
    """Found by the long Schemathesis run: an invoice id past the integer column and a NUL in an appointment
    status were schema-valid yet refused; the schema now states the bound and the allowed values."""
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/billing/invoices/{invoice_id}", "/api/v1/billing/invoices/{invoice_id}/pdf"):
        (parameter,) = [p for p in paths[path]["get"]["parameters"] if p["name"] == "invoice_id"]
        assert parameter["schema"]["maximum"] == 2**31 - 1
    # one StrEnum per status in the domain serves the filters and the answers (review of #17)
    components = schema["components"]["schemas"]
    assert components["AppointmentStatus"]["enum"] == ["booked", "used", "cancelled"]
    assert components["InvoiceStatus"]["enum"] == ["draft", "final", "credited"]
    for path, kind in (
        ("/api/v1/gate/appointments/mine", "AppointmentStatus"),
        ("/api/v1/billing/invoices", "InvoiceStatus"),
    ):
        (status,) = [p for p in paths[path]["get"]["parameters"] if p["name"] == "status"]
        assert status["schema"]["$ref"] == f"#/components/schemas/{kind}"
    assert components["AppointmentOut"]["properties"]["status"]["$ref"].endswith("/AppointmentStatus")
    for answer in ("InvoiceSummaryOut", "RunInvoiceOut"):
        assert components[answer]["properties"]["status"]["$ref"].endswith("/InvoiceStatus")
    assert _field_of(client.get("/api/v1/billing/invoices/2147483648")) == ["path", "invoice_id"]
    assert _field_of(client.get("/api/v1/gate/appointments/mine", params={"status": "x\x00"})) == ["query", "status"]
    assert _field_of(client.get("/api/v1/billing/invoices", params={"status": "open"})) == ["query", "status"]
    assert client.get("/api/v1/gate/appointments/mine", params={"status": "booked"}).status_code == 200


@ROUTE_LAYER_ONLY
def test_a_coarri_of_a_call_without_moves_is_not_found(client: TestClient) -> None:
    """Found by Schemathesis (ST202): a GET answered a data-dependent 422 for a call with nothing to report."""
    assert client.put("/api/v1/edi/partners/COSCO", json={"name": "COSCO", "unb_id": "COSCO"}).status_code == 200
    visit = {"reference": "V0", "vessel_name": "Empty", "eta": "2026-12-08T00:00Z"}
    assert client.post("/api/v1/vessel-visits", json=visit).status_code == 201
    response = client.get("/api/v1/edi/coarri", params={"visit": "V0"})
    assert response.status_code == 404, response.text
    assert response.json()["detail"][0]["loc"] == ["query", "visit"]
    missing_partner = client.get("/api/v1/edi/coarri", params={"visit": "V0", "partner": "NOBODY"})
    assert missing_partner.status_code == 404 and missing_partner.json()["detail"][0]["loc"] == ["query", "partner"]


@ROUTE_LAYER_ONLY
def test_a_refused_csv_list_answers_the_error_schema(client: TestClient) -> None:
    """Found by Schemathesis (ST108): the 422 of POST /api/v1/csv/{kind} was a report without ``detail``."""
    clash = "number,iso_type,load_state\nCSQU3054383,45G1,E\nCSQU3054383,45G1,E\n"
    for text, where in (("", ["body", "file", 1]), (clash, ["body", "file", 3, "number"])):
        response = client.post("/api/v1/csv/containers", files={"file": ("list.csv", text.encode())})
        assert _field_of(response) == where
        assert response.json()["applied"] is False and response.json()["problems"]  # the report is still there
    assert _field_of(client.post("/api/v1/csv/containers", data={"file": "not a file"})) == ["body", "file"]


@ROUTE_LAYER_ONLY
def test_an_edifact_upload_is_refused_when_it_holds_no_interchange(client: TestClient) -> None:
    """Found by Schemathesis (ST201): POST /api/v1/edi took a file reading ``null``, an empty file, a form field
    instead of a file and an unknown query parameter, and logged the file as a rejected interchange."""
    for content in (b"", b"null", b"\xff\xfe\x00"):
        assert _field_of(client.post("/api/v1/edi", files={"file": ("x.edi", content)})) == ["body", "file"]
    assert _field_of(client.post("/api/v1/edi", data={"file": "UNB+UNOA:2+X+Y'"})) == ["body", "file"]
    unknown = client.post("/api/v1/edi", params={"anwser": "contrl"}, files={"file": ("x.edi", b"UNB+UNOA:2+X+Y'")})
    assert _field_of(unknown) == ["query", "anwser"]
    assert _field_of(client.post("/api/v1/csv/containers", params={"vist": "V1"}, files={"file": ("a.csv", b"x")})) == [
        "query",
        "vist",
    ]
    assert client.get("/api/v1/edi/interchanges").json() == []  # nothing was logged
    answered = client.post("/api/v1/edi", files={"file": ("x.edi", b"\xef\xbb\xbf UNB+UNOA:2+X+Y+261207:1200+1'")})
    assert answered.status_code == 200 and answered.json()[0]["status"] == "rejected"  # an interchange: CONTRL's job
