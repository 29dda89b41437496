"""The DCSA Track & Trace 2.2 event filters, as SQL: one definition for GET /events and for subscriptions.

AND between filters, OR inside a list. A code filter only matches events of its own type
(``shipmentEventTypeCode=DRFT&equipmentEventTypeCode=GTIN`` matches nothing, as the specification
says), and the viewer's party limits every filter that names a container or a document to its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_
from sqlalchemy.sql import ColumnElement

from landbridge.services.tracking.visibility import booked_under, concerns, documented, visible
from landbridge.store.tracking_tables import DcsaEventRow, EventSubscriptionRow


@dataclass(frozen=True)
class EventFilter:
    """The filters of GET /events and of a subscription (empty means: not filtered)."""

    event_types: tuple[str, ...] = ()
    shipment_event_type_codes: tuple[str, ...] = ()
    document_type_codes: tuple[str, ...] = ()
    equipment_event_type_codes: tuple[str, ...] = ()
    transport_event_type_codes: tuple[str, ...] = ()
    carrier_booking_reference: str | None = None
    transport_document_reference: str | None = None
    transport_call_id: str | None = None
    vessel_imo_number: str | None = None
    un_location_code: str | None = None
    equipment_reference: str | None = None


def _of_type(event_type: str, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return and_(DcsaEventRow.event_type == event_type, *conditions)


def conditions(
    wanted: EventFilter, party: str | None, seen_by_party: ColumnElement[bool] | None = None
) -> list[ColumnElement[bool]]:
    """The SQL conditions on ``DcsaEventRow`` for the filters, scoped to the party's own boxes and bookings.

    ``seen_by_party`` replaces the party's visibility clause with an equivalent form chosen for the
    party (``visibility.visible_to``); the filters themselves are scoped the same either way.
    """
    where: list[ColumnElement[bool]] = []
    if wanted.event_types:
        where.append(DcsaEventRow.event_type.in_(wanted.event_types))
    if wanted.shipment_event_type_codes:
        where.append(_of_type("SHIPMENT", DcsaEventRow.type_code.in_(wanted.shipment_event_type_codes)))
    if wanted.document_type_codes:
        where.append(_of_type("SHIPMENT", DcsaEventRow.document_type_code.in_(wanted.document_type_codes)))
    if wanted.equipment_event_type_codes:
        where.append(_of_type("EQUIPMENT", DcsaEventRow.type_code.in_(wanted.equipment_event_type_codes)))
    if wanted.transport_event_type_codes:
        where.append(_of_type("TRANSPORT", DcsaEventRow.type_code.in_(wanted.transport_event_type_codes)))
    if wanted.carrier_booking_reference is not None:
        where.append(booked_under(wanted.carrier_booking_reference, party))
    if wanted.transport_document_reference is not None:
        where.append(documented("TRD", wanted.transport_document_reference, party))
    if wanted.transport_call_id is not None:
        where.append(DcsaEventRow.transport_call_id == wanted.transport_call_id)
    if wanted.vessel_imo_number is not None:
        where.append(DcsaEventRow.vessel_imo == wanted.vessel_imo_number)
    if wanted.un_location_code is not None:
        where.append(DcsaEventRow.un_location_code == wanted.un_location_code)
    if wanted.equipment_reference is not None:
        where.append(concerns(wanted.equipment_reference, party))
    if party is not None:
        where.append(visible(party) if seen_by_party is None else seen_by_party)
    return where


def subscription_filter(row: EventSubscriptionRow) -> EventFilter:
    """A stored subscription's filters."""
    return EventFilter(
        event_types=tuple(row.event_types or ()),
        shipment_event_type_codes=tuple(row.shipment_event_type_codes or ()),
        document_type_codes=tuple(row.document_type_codes or ()),
        equipment_event_type_codes=tuple(row.equipment_event_type_codes or ()),
        transport_event_type_codes=tuple(row.transport_event_type_codes or ()),
        carrier_booking_reference=row.carrier_booking_reference,
        transport_document_reference=row.transport_document_reference,
        transport_call_id=row.transport_call_id,
        vessel_imo_number=row.vessel_imo_number,
        un_location_code=row.un_location_code,
        equipment_reference=row.equipment_reference,
    )


def subscription_conditions(row: EventSubscriptionRow) -> list[ColumnElement[bool]]:
    """What an event must meet to be pushed to the subscription (its filters and its owner's scope)."""
    return conditions(subscription_filter(row), row.party_code)
