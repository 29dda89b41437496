"""The DCSA Track & Trace 2.2 code lists the feed's filters and subscriptions accept (from the mapping)."""

from __future__ import annotations

from landbridge.interchange.dcsa import (
    DOCUMENT_TYPE_CODES,
    EQUIPMENT_EVENT_CODES,
    EVENT_TYPES,
    SHIPMENT_EVENT_CODES,
    TRANSPORT_EVENT_CODES,
)

EQUIPMENT_CODES = EQUIPMENT_EVENT_CODES
TRANSPORT_CODES = TRANSPORT_EVENT_CODES
SHIPMENT_CODES = SHIPMENT_EVENT_CODES

__all__ = ["DOCUMENT_TYPE_CODES", "EQUIPMENT_CODES", "EVENT_TYPES", "SHIPMENT_CODES", "TRANSPORT_CODES"]
