"""Tracking: the DCSA Track & Trace feed, event subscriptions with signed callbacks, and the ETA.

One module per seam:

* :mod:`.projection` — the event log → DCSA events, their containers and the outbox (``catch_up``);
* :mod:`.queries` — the feed (``find_events``, ``find_event``) and one box's view (``track_container``);
* :mod:`.subscriptions` — create, read, list and stop subscriptions;
* :mod:`.delivery` — the signed callbacks with retries (``process_outbox``);
* :mod:`.eta` — the journey of a box from the events, and the estimate kept at each milestone;
* :mod:`.visibility` — who sees which events (the rule is in the queries, not the routes).

The names below are re-exported so ``from landbridge.services.tracking import X`` keeps working.
"""

from __future__ import annotations

from landbridge.services.tracking.codes import EQUIPMENT_CODES, EVENT_TYPES, TRANSPORT_CODES
from landbridge.services.tracking.delivery import (
    SIGNATURE_HEADER,
    OutboxReport,
    RetryPolicy,
    Sender,
    delivery_log,
    http_sender,
    process_outbox,
    run_delivery_worker,
    sign,
)
from landbridge.services.tracking.eta import eta_history
from landbridge.services.tracking.projection import PROJECTION, catch_up, containers_aboard, project_new_events
from landbridge.services.tracking.queries import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ContainerTracking,
    EventQuery,
    decode_cursor,
    encode_cursor,
    find_event,
    find_events,
    track_container,
)
from landbridge.services.tracking.subscriptions import (
    NewSubscription,
    create_subscription,
    delete_subscription,
    get_subscription,
    list_subscriptions,
    subscription_view,
)
from landbridge.services.tracking.visibility import STAFF, Viewer

__all__ = [
    "DEFAULT_LIMIT",
    "EQUIPMENT_CODES",
    "EVENT_TYPES",
    "MAX_LIMIT",
    "PROJECTION",
    "SIGNATURE_HEADER",
    "STAFF",
    "TRANSPORT_CODES",
    "ContainerTracking",
    "EventQuery",
    "NewSubscription",
    "OutboxReport",
    "RetryPolicy",
    "Sender",
    "Viewer",
    "catch_up",
    "containers_aboard",
    "create_subscription",
    "decode_cursor",
    "delete_subscription",
    "delivery_log",
    "encode_cursor",
    "eta_history",
    "find_event",
    "find_events",
    "get_subscription",
    "http_sender",
    "list_subscriptions",
    "process_outbox",
    "project_new_events",
    "run_delivery_worker",
    "sign",
    "subscription_view",
    "track_container",
]
