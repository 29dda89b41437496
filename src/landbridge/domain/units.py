"""Units and the enums of the hub's vocabulary.

Quantities are plain numbers whose unit is in the name (``mass_kg``, ``length_m``); this module
holds the few conversions the hub needs so they are written once.
"""

from __future__ import annotations

from enum import StrEnum

KG_PER_TONNE = 1000
FT_TO_M = 0.3048


def tonnes_to_kg(mass_t: float) -> int:
    """Tonnes to whole kilograms (the hub keeps grain mass balances to the kilogram)."""
    return round(mass_t * KG_PER_TONNE)


class Gauge(StrEnum):
    """Track gauges met on the corridor, in millimetres."""

    STANDARD_1435 = "1435"
    BROAD_1520 = "1520"


class Direction(StrEnum):
    """Westbound trains leave the base for Central Asia and Europe; eastbound trains come back."""

    WEST = "west"
    EAST = "east"


class Mode(StrEnum):
    """Mode of transport on a leg."""

    VESSEL = "vessel"
    RAIL = "rail"
    TRUCK = "truck"


class PartyRole(StrEnum):
    """What a party is to the hub."""

    SHIPPER = "shipper"
    CONSIGNEE = "consignee"
    FORWARDER = "forwarder"
    SHIPPING_LINE = "shipping_line"
    RAIL_OPERATOR = "rail_operator"
    CUSTOMS_AUTHORITY = "customs_authority"
