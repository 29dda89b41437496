"""Tracking: the DCSA Track & Trace feed, event subscriptions with signed callbacks, and the ETA.

One module per seam:

* :mod:`.projection` — the event log → DCSA events, their containers and the outbox (``catch_up``);
* :mod:`.queries` — the feed (``find_page``, ``find_event``) and one box's view (``track_container``);
* :mod:`.filters` — the 2.2 event filters as SQL, shared by the feed and the subscriptions;
* :mod:`.subscriptions` — create, read, list, change, re-key and stop subscriptions;
* :mod:`.delivery` — the signed callbacks with retries (``process_outbox``);
* :mod:`.eta` — the journey of a box from the events, and the estimate kept at each milestone;
* :mod:`.visibility` — who sees which events (the rule is in the queries, not the routes).

The names below are re-exported so ``from landbridge.services.tracking import X`` keeps working.
"""

from __future__ import annotations

from landbridge.services.tracking.codes import (
    DOCUMENT_TYPE_CODES,
    EQUIPMENT_CODES,
    EVENT_TYPES,
    SHIPMENT_CODES,
    TRANSPORT_CODES,
)
from landbridge.services.tracking.delivery import (
    SIGNATURE_HEADER,
    SUBSCRIPTION_HEADER,
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
from landbridge.services.tracking.filters import EventFilter
from landbridge.services.tracking.projection import (
    PROJECTION,
    READ_BATCH,
    catch_up,
    catch_up_for_read,
    containers_aboard,
    project_new_events,
)
from landbridge.services.tracking.queries import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ContainerTracking,
    EventQuery,
    Page,
    SortKey,
    decode_cursor,
    encode_cursor,
    find_event,
    find_events,
    find_page,
    parse_sort,
    track_container,
)
from landbridge.services.tracking.subscriptions import (
    NewSubscription,
    SubscriptionPage,
    SubscriptionRequest,
    create_subscription,
    delete_subscription,
    encode_offset,
    get_subscription,
    list_subscriptions,
    set_secret,
    subscription_view,
    update_subscription,
)
from landbridge.services.tracking.visibility import STAFF, Viewer

__all__ = [
    "DEFAULT_LIMIT",
    "DOCUMENT_TYPE_CODES",
    "EQUIPMENT_CODES",
    "EVENT_TYPES",
    "MAX_LIMIT",
    "PROJECTION",
    "READ_BATCH",
    "SHIPMENT_CODES",
    "SIGNATURE_HEADER",
    "STAFF",
    "SUBSCRIPTION_HEADER",
    "TRANSPORT_CODES",
    "ContainerTracking",
    "EventFilter",
    "EventQuery",
    "NewSubscription",
    "OutboxReport",
    "Page",
    "RetryPolicy",
    "Sender",
    "SortKey",
    "SubscriptionPage",
    "SubscriptionRequest",
    "Viewer",
    "catch_up",
    "catch_up_for_read",
    "containers_aboard",
    "create_subscription",
    "decode_cursor",
    "delete_subscription",
    "delivery_log",
    "encode_cursor",
    "encode_offset",
    "eta_history",
    "find_event",
    "find_events",
    "find_page",
    "get_subscription",
    "http_sender",
    "list_subscriptions",
    "parse_sort",
    "process_outbox",
    "project_new_events",
    "run_delivery_worker",
    "set_secret",
    "sign",
    "subscription_view",
    "track_container",
    "update_subscription",
]
