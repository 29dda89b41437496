"""DCSA event subscriptions: signed callbacks to a loopback receiver, retry after a 500, give up after N."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import trustme
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.routers.dcsa import get_viewer
from landbridge.domain.events import EventType, utc_now
from landbridge.services import callback_policy
from landbridge.services.tracking import STAFF, RetryPolicy, Viewer, http_sender, process_outbox
from landbridge.store.unit_of_work import UnitOfWork
from tests.contract.dcsa_spec import SPEC_PATH, callback_body_schema, validator
from tests.integration.test_dcsa_feed import OURS, T0, THEIRS, TRAIN, append, register, seed_world

SECRET = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that answers the scripted status codes, then 200."""

    def __init__(self, statuses: list[int], tls: ssl.SSLContext | None = None) -> None:
        self.statuses = list(statuses)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.reply_headers: dict[str, str] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                for name, value in receiver.reply_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/dcsa-events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _allow_loopback_listener(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test receiver listens on 127.0.0.1, which the callback guard refuses unless allowed."""
    monkeypatch.setenv(callback_policy.ALLOWED_HOSTS_ENV, "127.0.0.1")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver([500])
    yield server
    server.close()


@pytest.fixture
def hub(database_url: str) -> Iterator[TestClient]:
    seed_world(database_url)
    register(database_url, OURS, "BK-ACME-1")
    register(database_url, THEIRS, "BK-OTHER-1")
    app = create_app(database_url)
    app.dependency_overrides[get_viewer] = lambda: STAFF
    with TestClient(app) as client:
        yield client


def _subscribe(client: TestClient, url: str, **filters: Any) -> str:
    response = client.post("/dcsa/tnt/v2/event-subscriptions", json={"callbackUrl": url, "secret": SECRET, **filters})
    assert response.status_code == 201, response.text
    body = response.json()
    assert "secret" not in body
    return str(body["subscriptionID"])


def _verify(headers: dict[str, str], body: bytes) -> None:
    expected = hmac.new(base64.b64decode(SECRET), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["notification-signature"], f"sha256={expected}")


def test_signed_callback_is_retried_after_a_500_then_delivered(
    hub: TestClient, receiver: Receiver, database_url: str
) -> None:
    subscription = _subscribe(hub, receiver.url, equipmentReference=OURS)
    append(database_url, EventType.CONTAINER_GATE_IN, "container", OURS, T0, "CNLYG")
    append(database_url, EventType.CONTAINER_GATE_IN, "container", THEIRS, T0, "CNLYG")  # filtered out
    now = utc_now()
    policy = RetryPolicy(max_attempts=3, base_delay_s=30)

    first = process_outbox(UnitOfWork.for_url(database_url), now=now, policy=policy)
    assert (first.delivered, first.retrying) == (0, 1)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    _verify(headers, body)
    assert headers["subscription-id"] == subscription and headers["api-version"] == "2.2.0"
    (event,) = json.loads(body)
    assert event["equipmentEventTypeCode"] == "GTIN" and event["equipmentReference"] == OURS
    if SPEC_PATH.is_file():  # the body is what the specification's callback says it is
        assert list(validator(callback_body_schema()).iter_errors(json.loads(body))) == []

    too_early = process_outbox(UnitOfWork.for_url(database_url), now=now + timedelta(seconds=10), policy=policy)
    assert too_early.outcomes == [] and len(receiver.requests) == 1  # backoff: not due before 30 s

    second = process_outbox(UnitOfWork.for_url(database_url), now=now + timedelta(seconds=31), policy=policy)
    assert second.delivered == 1 and len(receiver.requests) == 2
    assert receiver.requests[1][1] == body  # the same notification, byte for byte
    _verify(*receiver.requests[1])

    log = hub.get(f"/dcsa/tnt/v2/event-subscriptions/{subscription}/deliveries").json()
    assert [(d["status"], d["attempts"], d["lastStatusCode"]) for d in log] == [("delivered", 2, 200)]
    assert process_outbox(UnitOfWork.for_url(database_url), now=now + timedelta(hours=1), policy=policy).outcomes == []


def test_delivery_gives_up_after_max_attempts(hub: TestClient, database_url: str) -> None:
    failing = Receiver([500, 503, 500, 500])
    try:
        subscription = _subscribe(hub, failing.url)
        append(database_url, EventType.TRAIN_DEPARTED, "train", TRAIN, T0, "CNLYG")
        now = utc_now()
        policy = RetryPolicy(max_attempts=2, base_delay_s=1)
        process_outbox(UnitOfWork.for_url(database_url), now=now, policy=policy)
        report = process_outbox(UnitOfWork.for_url(database_url), now=now + timedelta(seconds=2), policy=policy)
        assert report.failed == 1
        assert (
            process_outbox(UnitOfWork.for_url(database_url), now=now + timedelta(days=1), policy=policy).outcomes == []
        )
        log = hub.get(f"/dcsa/tnt/v2/event-subscriptions/{subscription}/deliveries").json()
        assert [(d["status"], d["attempts"], d["lastStatusCode"]) for d in log] == [("failed", 2, 503)]
        assert len(failing.requests) == 2
    finally:
        failing.close()


def test_a_refused_connection_counts_as_a_failed_attempt(hub: TestClient, database_url: str) -> None:
    closed = Receiver([])
    url = closed.url
    closed.close()  # nothing listens on that loopback port any more
    _subscribe(hub, url)
    append(database_url, EventType.TRAIN_DEPARTED, "train", TRAIN, T0, "CNLYG")
    report = process_outbox(UnitOfWork.for_url(database_url), now=utc_now(), policy=RetryPolicy(max_attempts=5))
    assert report.retrying == 1 and report.outcomes[0][2] is None


def test_a_shippers_subscription_only_carries_its_own_boxes(hub: TestClient, database_url: str) -> None:
    sent: list[bytes] = []

    def sender(url: str, body: bytes, headers: dict[str, str]) -> int:
        sent.append(body)
        return 204

    hub.app.dependency_overrides[get_viewer] = lambda: Viewer("acme-user", "ACME")  # type: ignore[attr-defined]
    _subscribe(hub, "http://127.0.0.1:9/unused")
    append(database_url, EventType.CONTAINER_LOADED_WAGON, "container", THEIRS, T0, "CNLYG", {"train": TRAIN})
    append(database_url, EventType.TRAIN_DEPARTED, "train", TRAIN, T0 + timedelta(hours=1), "CNLYG")
    append(database_url, EventType.CONTAINER_GATE_IN, "container", OURS, T0 + timedelta(hours=2), "CNLYG")
    report = process_outbox(UnitOfWork.for_url(database_url), now=utc_now(), sender=sender)
    assert report.delivered == 1
    (event,) = json.loads(sent[0])
    assert event["equipmentReference"] == OURS  # not their LOAD, not the train that carries only theirs


def test_subscriptions_are_created_read_and_deleted(hub: TestClient) -> None:
    subscription = _subscribe(hub, "https://example.com/cb", eventType=["TRANSPORT"], transportEventTypeCode=["ARRI"])
    got = hub.get(f"/dcsa/tnt/v2/event-subscriptions/{subscription}").json()
    assert got["eventType"] == ["TRANSPORT"] and got["transportEventTypeCode"] == ["ARRI"]
    assert [s["subscriptionID"] for s in hub.get("/dcsa/tnt/v2/event-subscriptions").json()] == [subscription]
    hub.app.dependency_overrides[get_viewer] = lambda: Viewer("acme-user", "ACME")  # type: ignore[attr-defined]
    assert hub.get(f"/dcsa/tnt/v2/event-subscriptions/{subscription}").status_code == 404  # not ACME's
    assert hub.delete(f"/dcsa/tnt/v2/event-subscriptions/{subscription}").status_code == 404
    hub.app.dependency_overrides[get_viewer] = lambda: STAFF  # type: ignore[attr-defined]
    assert hub.delete(f"/dcsa/tnt/v2/event-subscriptions/{subscription}").status_code == 204
    assert hub.get(f"/dcsa/tnt/v2/event-subscriptions/{subscription}").status_code == 404


BAD_SUBSCRIPTIONS: list[dict[str, Any]] = [
    {"callbackUrl": "ftp://example.com/x", "secret": SECRET},
    {"callbackUrl": "https://example.com/x", "secret": "not base64!"},
    {"callbackUrl": "https://example.com/x", "secret": base64.b64encode(b"short").decode()},
    {"callbackUrl": "https://example.com/x", "secret": SECRET, "eventType": ["PARCEL"]},
    {"callbackUrl": "https://example.com/x"},
]


def test_bad_subscriptions_are_refused(hub: TestClient) -> None:
    for body in BAD_SUBSCRIPTIONS:
        response = hub.post("/dcsa/tnt/v2/event-subscriptions", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["message"]


INTERNAL_CALLBACKS = [
    "http://127.0.0.2:8080/x",
    "http://localhost/x",
    "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.5/hooks",
    "http://192.168.1.20/hooks",
    "http://[::1]/x",
    "http://[::ffff:127.0.0.1]/x",
    "http://0.0.0.0/x",
]


@pytest.mark.parametrize("url", INTERNAL_CALLBACKS)
def test_callbacks_to_internal_addresses_are_refused(hub: TestClient, url: str) -> None:
    response = hub.post("/dcsa/tnt/v2/event-subscriptions", json={"callbackUrl": url, "secret": SECRET})
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["reason"] == "callbackUrl"
    assert callback_policy.ALLOWED_HOSTS_ENV in error["message"]


def test_allowed_networks_and_names_can_be_subscribed(hub: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(callback_policy.ALLOWED_HOSTS_ENV, "10.20.0.0/16, hooks.internal")
    _subscribe(hub, "http://10.20.3.4:9000/dcsa")
    _subscribe(hub, "http://hooks.internal/dcsa")
    refused = hub.post("/dcsa/tnt/v2/event-subscriptions", json={"callbackUrl": "http://10.21.0.1/x", "secret": SECRET})
    assert refused.status_code == 422


def test_a_public_name_that_resolves_inside_is_not_called(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(callback_policy.ALLOWED_HOSTS_ENV, raising=False)
    _resolve_test_names(monkeypatch, {"hooks.example.com": ["127.0.0.1"]})
    assert callback_policy.refusal_at_subscription("https://hooks.example.com/x") is None
    reason = callback_policy.refusal_at_delivery("https://hooks.example.com/x")
    assert reason is not None and "127.0.0.1" in reason
    with pytest.raises(PermissionError, match="callback refused"):
        http_sender("https://hooks.example.com/x", b"[]", {})


def _resolve_test_names(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Answer DNS for the given names (each lookup takes the next answer, the last one repeats);
    other names go to the real resolver. Returns the list of names looked up."""
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        address = answers[host][min(lookups.count(host), len(answers[host])) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr("socket.getaddrinfo", resolve)
    return lookups


def test_delivery_connects_to_the_address_it_checked(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name answers an allowed address to the check and another one afterwards.
    The request must go to the address that was checked, with the name kept in the Host header."""
    # The second answer is refused by the policy (only 127.0.0.1 is allowed) and nothing listens there.
    lookups = _resolve_test_names(monkeypatch, {"rebind.example": ["127.0.0.1", "127.0.0.2"]})
    port = receiver.server.server_port
    receiver.statuses = []
    assert http_sender(f"http://rebind.example:{port}/dcsa-events?x=1", b"[]", {"X-Test": "1"}) == 200
    assert lookups == ["rebind.example"]
    headers, body = receiver.requests[0]
    assert headers["host"] == f"rebind.example:{port}" and headers["x-test"] == "1" and body == b"[]"


def test_a_redirect_is_an_answer_not_a_new_target(receiver: Receiver) -> None:
    """A subscriber that redirects must not steer the server to an address the guard never saw."""
    receiver.statuses = [302]
    receiver.reply_headers = {"Location": "http://169.254.169.254/latest/meta-data"}
    assert http_sender(receiver.url, b"[]", {}) == 302
    assert len(receiver.requests) == 1


def test_https_delivery_checks_the_certificate_against_the_url_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """The socket goes to the pinned address, but TLS (SNI and certificate) still uses the URL's name."""
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("hooks.example").configure_cert(server_tls)
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # read by ssl.create_default_context
    _resolve_test_names(monkeypatch, {"hooks.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    server = Receiver([], tls=server_tls)
    try:
        port = server.server.server_port
        assert http_sender(f"https://hooks.example:{port}/dcsa-events", b"[]", {}) == 200
        with pytest.raises(ssl.SSLCertVerificationError):
            http_sender(f"https://other.example:{port}/dcsa-events", b"[]", {})
        assert len(server.requests) == 1
    finally:
        server.close()


def test_a_new_secret_signs_the_next_notification(hub: TestClient, receiver: Receiver, database_url: str) -> None:
    subscription = _subscribe(hub, receiver.url, equipmentReference=OURS)
    fresh = base64.b64encode(b"another secret of thirty-two byt").decode()
    assert hub.put(f"/dcsa/tnt/v2/event-subscriptions/{subscription}/secret", json={"secret": fresh}).status_code == 204
    append(database_url, EventType.CONTAINER_GATE_IN, "container", OURS, T0, "CNLYG")
    receiver.statuses = []
    process_outbox(UnitOfWork.for_url(database_url), now=utc_now())
    headers, body = receiver.requests[0]
    expected = hmac.new(base64.b64decode(fresh), body, hashlib.sha256).hexdigest()
    assert headers["notification-signature"] == f"sha256={expected}"


def test_a_changed_subscription_filters_what_is_pushed(hub: TestClient, receiver: Receiver, database_url: str) -> None:
    subscription = _subscribe(hub, receiver.url, equipmentReference=OURS)
    changed = hub.put(
        f"/dcsa/tnt/v2/event-subscriptions/{subscription}",
        json={"callbackUrl": receiver.url, "equipmentReference": THEIRS, "equipmentEventTypeCode": ["GTOT"]},
    )
    assert changed.status_code == 200, changed.text
    append(database_url, EventType.CONTAINER_GATE_IN, "container", THEIRS, T0, "CNLYG")  # not GTOT
    append(database_url, EventType.CONTAINER_GATE_OUT, "container", OURS, T0, "CNLYG")  # not their box
    append(database_url, EventType.CONTAINER_GATE_OUT, "container", THEIRS, T0, "CNLYG")
    receiver.statuses = []
    report = process_outbox(UnitOfWork.for_url(database_url), now=utc_now())
    assert report.delivered == 1
    (event,) = json.loads(receiver.requests[0][1])
    assert (event["equipmentEventTypeCode"], event["equipmentReference"]) == ("GTOT", THEIRS)
