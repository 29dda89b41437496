"""The DCSA Track & Trace code lists the feed's filters and subscriptions accept."""

from __future__ import annotations

EVENT_TYPES = ("EQUIPMENT", "TRANSPORT", "SHIPMENT")
EQUIPMENT_CODES = ("LOAD", "DISC", "GTIN", "GTOT", "STUF", "STRP", "PICK", "DROP", "INSP", "RSEA", "RMVD")
TRANSPORT_CODES = ("ARRI", "DEPA")
