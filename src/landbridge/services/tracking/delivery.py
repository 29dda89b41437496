"""Delivery: push each enqueued DCSA event to its subscriber's callback, signed, with retries.

``process_outbox`` is the worker pass: catch the projection up, claim due deliveries, POST each
with ``Notification-Signature: sha256=<hex HMAC-SHA256 of the body>``, ``Subscription-ID`` and
``API-Version`` headers (the 2.2 callback's; its deprecated ``Signature`` object is not sent), and record the
outcome; failures retry with exponential backoff up to ``max_attempts``, then stay ``failed``.
Claiming and each outcome are their own unit of work, committed by ``operations.common.execute``;
no transaction is open while a subscriber answers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select

from landbridge.domain.events import utc_now
from landbridge.interchange import dcsa
from landbridge.services import callback_policy, pinned_http
from landbridge.services.containers import Actor
from landbridge.services.operations.common import execute
from landbridge.services.tracking.projection import catch_up
from landbridge.services.tracking.subscriptions import own_subscription
from landbridge.services.tracking.visibility import Viewer
from landbridge.store.tracking_tables import DcsaEventRow, EventDeliveryRow, EventSubscriptionRow
from landbridge.store.unit_of_work import UnitOfWork

SIGNATURE_HEADER = "Notification-Signature"
SUBSCRIPTION_HEADER = "Subscription-ID"
DELIVERER = Actor("tracking-delivery", "system")


def sign(body: bytes, secret_b64: str) -> str:
    """The ``Notification-Signature`` value: ``sha256=`` + hex HMAC-SHA256 of the exact body bytes."""
    digest = hmac.new(base64.b64decode(secret_b64), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


Sender = Callable[[str, bytes, dict[str, str]], int]


def http_sender(url: str, body: bytes, headers: dict[str, str], timeout_s: float = 5.0) -> int:
    """POST the body; returns the status code (raises OSError when nothing answered or the host is refused).

    The host is resolved and checked once and the request goes to that address (no second DNS
    lookup, no proxy, no redirects followed): see ``callback_policy.delivery_address``.
    """
    address = callback_policy.delivery_address(url)
    return pinned_http.post_to_address(url, address, body, headers, timeout_s)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: attempt n waits base·2^(n−1), capped; after max_attempts the delivery fails."""

    max_attempts: int = 6
    base_delay_s: float = 30.0
    max_delay_s: float = 6 * 3600.0
    lease_s: float = 120.0

    def delay(self, attempts: int) -> timedelta:
        """Wait before the next attempt after ``attempts`` failures."""
        return timedelta(seconds=min(self.base_delay_s * 2 ** (attempts - 1), self.max_delay_s))


@dataclass
class OutboxReport:
    """What one worker pass did."""

    projected: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    outcomes: list[tuple[int, str, int | None]] = field(default_factory=list)


def _retryable(status: int | None) -> bool:
    return status is None or status >= 500 or status in (408, 425, 429)


@dataclass(frozen=True)
class _Claim:
    """A delivery this worker leased: where to send which body, signed with which secret."""

    delivery_id: int
    subscription_id: str
    url: str
    secret_b64: str
    body: bytes


def _claim_due(uow: UnitOfWork, now: datetime, policy: RetryPolicy, batch: int) -> list[_Claim]:
    """Due deliveries, leased for ``policy.lease_s`` so other workers skip them."""
    claimed: list[_Claim] = []
    due = uow.session.scalars(
        select(EventDeliveryRow)
        .where(EventDeliveryRow.status == "pending", EventDeliveryRow.next_attempt_at <= now)
        .order_by(EventDeliveryRow.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for delivery in due:
        subscription = uow.session.get(EventSubscriptionRow, delivery.subscription_id)
        event = uow.session.get(DcsaEventRow, delivery.dcsa_event_id)
        if subscription is None or event is None:
            continue
        delivery.next_attempt_at = now + timedelta(seconds=policy.lease_s)  # claimed: others skip it
        body = json.dumps([event.body], separators=(",", ":"), sort_keys=True).encode()
        claimed.append(_Claim(delivery.id, subscription.id, subscription.callback_url, subscription.secret_b64, body))
    return claimed


def process_outbox(
    uow: UnitOfWork,
    now: datetime | None = None,
    sender: Sender = http_sender,
    policy: RetryPolicy | None = None,
    batch: int = 50,
) -> OutboxReport:
    """One worker pass: project new events, then deliver what is due, each outcome in its own transaction.

    No transaction is open while a callback is in flight: a slow subscriber cannot hold locks.
    """
    policy = policy or RetryPolicy()
    now = now or utc_now()
    report = OutboxReport(projected=catch_up(uow, now))
    claim = partial(_claim_due, now=now, policy=policy, batch=batch)
    claimed: list[_Claim] = execute(uow, DELIVERER, claim).body
    for claim_ in claimed:
        delivery_id, url, body = claim_.delivery_id, claim_.url, claim_.body
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, claim_.secret_b64),
            SUBSCRIPTION_HEADER: claim_.subscription_id,
            "API-Version": dcsa.API_VERSION,
        }
        status: int | None
        error: str | None = None
        try:
            status = sender(url, body, headers)
        except OSError as failure:
            status, error = None, f"{type(failure).__name__}: {failure}"[:300]
        record = partial(_record, delivery_id=delivery_id, status=status, error=error, now=now, policy=policy)
        outcome: str = execute(uow, DELIVERER, record).body
        report.outcomes.append((delivery_id, outcome, status))
        if outcome == "delivered":
            report.delivered += 1
        elif outcome == "failed":
            report.failed += 1
        else:
            report.retrying += 1
    return report


def _record(
    uow: UnitOfWork, delivery_id: int, status: int | None, error: str | None, now: datetime, policy: RetryPolicy
) -> str:
    """Write one attempt's outcome; returns ``delivered``, ``failed`` or ``retrying``."""
    delivery = uow.session.get(EventDeliveryRow, delivery_id)
    assert delivery is not None
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status
    delivery.last_error = error if error else (None if status and 200 <= status < 300 else f"HTTP {status}")
    if status is not None and 200 <= status < 300:
        delivery.status, delivery.delivered_at = "delivered", now
    elif not _retryable(status) or delivery.attempts >= policy.max_attempts:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = now + policy.delay(delivery.attempts)
    return delivery.status if delivery.status != "pending" else "retrying"


def run_delivery_worker(
    uow: UnitOfWork,
    interval_s: float = 5.0,
    passes: int | None = None,
    sender: Sender = http_sender,
    policy: RetryPolicy | None = None,
) -> None:
    """Run ``process_outbox`` every ``interval_s`` (forever, or ``passes`` times): the process next to the API."""
    done = 0
    while passes is None or done < passes:
        process_outbox(uow, sender=sender, policy=policy)
        done += 1
        if passes is None or done < passes:
            time.sleep(interval_s)


def delivery_log(uow: UnitOfWork, subscription_id: str, viewer: Viewer) -> list[dict[str, Any]]:
    """Every delivery owed to one subscription, with its status and attempts."""
    with uow:
        own_subscription(uow.session, subscription_id, viewer)
        rows = uow.session.execute(
            select(EventDeliveryRow, DcsaEventRow.event_id)
            .join(DcsaEventRow, DcsaEventRow.id == EventDeliveryRow.dcsa_event_id)
            .where(EventDeliveryRow.subscription_id == subscription_id)
            .order_by(EventDeliveryRow.id)
        ).all()
        return [
            {
                "eventID": event_id,
                "status": row.status,
                "attempts": row.attempts,
                "lastStatusCode": row.last_status_code,
                "lastError": row.last_error,
                "nextAttemptDateTime": dcsa.rfc3339(row.next_attempt_at, milliseconds=True),
                "deliveredDateTime": dcsa.rfc3339(row.delivered_at, milliseconds=True) if row.delivered_at else None,
            }
            for row, event_id in rows
        ]
