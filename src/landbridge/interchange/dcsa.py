"""Our domain events → DCSA Track & Trace 2.2 events (pure mapping, no I/O).

Container moves become EQUIPMENT events (LOAD, DISC, GTIN, GTOT, STUF, STRP); train and vessel
movements become TRANSPORT events (ARRI, DEPA). Everything we record actually happened, so the
classifier is always ACT. A gauge change is a discharge from the 1435 mm wagon and a load onto the
1520 mm wagon at the crossing, so it yields two equipment events.

Operations record a train's departure, border arrival and arrival both once for the train visit
and once per container on board; only the train-level event becomes a DCSA TRANSPORT event (the
per-container copies map to nothing), so a train movement appears once in the feed.

Transport events carry no booking references: one train carries many shippers' boxes, and a
reference list would show each shipper the others' bookings. Who may see which transport event is
decided by the store (which containers were on board), not by the event body.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from landbridge.domain.events import Event, EventType
from landbridge.domain.times import as_utc as as_utc  # re-exported: services.tracking reads dcsa.as_utc

API_VERSION = "2.2.0"
EVENT_NAMESPACE = uuid.UUID("5b1d7c1e-4a6b-4f8e-9a52-6a0c3f1d2e77")
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")

# (equipmentEventTypeCode, modeOfTransport or None) per domain event, in the order they happened.
EQUIPMENT_CODES: dict[EventType, tuple[tuple[str, str | None], ...]] = {
    EventType.CONTAINER_DISCHARGED: (("DISC", "VESSEL"),),
    EventType.CONTAINER_LOADED_VESSEL: (("LOAD", "VESSEL"),),
    EventType.CONTAINER_LOADED_WAGON: (("LOAD", "RAIL"),),
    EventType.CONTAINER_UNLOADED_WAGON: (("DISC", "RAIL"),),
    EventType.CONTAINER_GATE_IN: (("GTIN", "TRUCK"),),
    EventType.CONTAINER_GATE_OUT: (("GTOT", "TRUCK"),),
    EventType.CONTAINER_STUFFED: (("STUF", None),),
    EventType.CONTAINER_STRIPPED: (("STRP", None),),
    EventType.CONTAINER_GAUGE_TRANSFER: (("DISC", "RAIL"), ("LOAD", "RAIL")),
}
TRANSPORT_CODES: dict[EventType, tuple[str, str]] = {
    EventType.VESSEL_BERTHED: ("ARRI", "VESSEL"),
    EventType.VESSEL_DEPARTED: ("DEPA", "VESSEL"),
    EventType.TRAIN_DEPARTED: ("DEPA", "RAIL"),
    EventType.TRAIN_AT_BORDER: ("ARRI", "RAIL"),
    EventType.TRAIN_ARRIVED: ("ARRI", "RAIL"),
}
MAPPED_EVENT_TYPES = frozenset(EQUIPMENT_CODES) | frozenset(TRANSPORT_CODES)

# Local time zones by UN/LOCODE country, so eventDateTime is the local time where it happened.
_ZONES = {
    "CN": "Asia/Shanghai",
    "KZ": "Asia/Almaty",
    "UZ": "Asia/Tashkent",
    "KG": "Asia/Bishkek",
    "TJ": "Asia/Dushanbe",
    "TM": "Asia/Ashgabat",
    "RU": "Europe/Moscow",
    "BY": "Europe/Minsk",
    "PL": "Europe/Warsaw",
    "DE": "Europe/Berlin",
    "TR": "Europe/Istanbul",
    "AZ": "Asia/Baku",
    "GE": "Asia/Tbilisi",
}
# Keys under which operations record the train / vessel / truck visit of a container move.
_TRANSPORT_KEYS = (
    "train_reference",
    "train",
    "vessel_visit",
    "vessel_visit_reference",
    "visit_reference",
    "visit",
    "truck_visit",
    "truck_visit_reference",
    "truck",
)


@dataclass(frozen=True)
class Place:
    """A named place on the corridor (a crossing, a destination) for ``eventLocation``."""

    name: str
    locode: str | None = None
    lat_deg: float | None = None
    lon_deg: float | None = None


@dataclass(frozen=True)
class Equipment:
    """What the mapping needs to know about the container of an equipment event."""

    reference: str
    iso_code: str | None = None
    laden: bool | None = None
    booking_reference: str | None = None


@dataclass(frozen=True)
class SourceEvent:
    """A domain event as stored: its log id and when it was recorded."""

    id: int
    event: Event
    recorded_at: datetime


@dataclass(frozen=True)
class DcsaEvent:
    """One DCSA event, plus the keys the store indexes it by."""

    event_id: str
    source_event_id: int
    sequence: int
    event_type: str
    equipment_reference: str | None
    transport_reference: str | None
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MappingContext:
    """The hub's own LOCODE and the named places events may refer to."""

    hub_locode: str = "CNLYG"
    places: Mapping[str, Place] = field(default_factory=dict)


def rfc3339(moment: datetime, locode: str | None = None, milliseconds: bool = False) -> str:
    """RFC 3339 with an explicit offset: local to the LOCODE's country when known, else UTC."""
    moment = as_utc(moment)
    zone = _ZONES.get(locode[:2]) if locode else None
    if zone is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.isoformat(timespec="milliseconds" if milliseconds else "seconds")


def event_uuid(source_event_id: int, sequence: int) -> str:
    """A stable eventID: the same domain event always maps to the same DCSA event."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"landbridge:{source_event_id}:{sequence}"))


def is_mapped(event_type: EventType | str) -> bool:
    """Whether this domain event type appears in the DCSA feed."""
    return EventType(event_type) in MAPPED_EVENT_TYPES


def transport_reference(event: Event) -> str | None:
    """The train, vessel or truck visit an event belongs to."""
    if event.subject_type in ("train", "vessel", "truck") or event.event_type in TRANSPORT_CODES:
        return event.subject_id
    for payload in (event.after, event.before):
        if not payload:
            continue
        for key in _TRANSPORT_KEYS:
            value = payload.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def _location(event: Event, context: MappingContext) -> tuple[dict[str, Any], str]:
    """``eventLocation`` and the LOCODE used for the local offset."""
    raw = event.location
    if raw and _LOCODE.match(raw):
        return {"UNLocationCode": raw}, raw
    place = context.places.get(raw.lower()) if raw else None
    if place is not None:
        location: dict[str, Any] = {"locationName": place.name}
        if place.locode:
            location["UNLocationCode"] = place.locode
        if place.lat_deg is not None and place.lon_deg is not None:
            location["latitude"] = f"{place.lat_deg:.4f}"
            location["longitude"] = f"{place.lon_deg:.4f}"
        return location, place.locode or ""
    location = {"UNLocationCode": context.hub_locode}
    if raw:
        location["locationName"] = raw[:100]  # a yard slot, a track, a gate lane inside the hub
    return location, context.hub_locode


def _laden(event: Event, equipment: Equipment | None, code: str) -> bool | None:
    if code == "STUF":
        return True
    if code == "STRP":
        return False
    for payload in (event.after, event.before):
        state = (payload or {}).get("load_state")
        if state in ("full", "empty"):
            return bool(state == "full")
    return equipment.laden if equipment else None


def _transport_call(reference: str | None, mode: str, location: dict[str, Any]) -> dict[str, Any]:
    call: dict[str, Any] = {"modeOfTransport": mode}
    if reference:
        call["transportCallReference"] = reference[:100]
    if "UNLocationCode" in location:
        call["UNLocationCode"] = location["UNLocationCode"]
    return call


def to_dcsa(source: SourceEvent, equipment: Equipment | None, context: MappingContext) -> list[DcsaEvent]:
    """The DCSA events for one domain event (none when the type has no DCSA meaning)."""
    event = source.event
    location, locode = _location(event, context)
    base: dict[str, Any] = {
        "eventCreatedDateTime": rfc3339(source.recorded_at, milliseconds=True),
        "eventClassifierCode": "ACT",
        "eventDateTime": rfc3339(event.occurred_at, locode or context.hub_locode),
    }
    reference = transport_reference(event)
    if event.event_type in TRANSPORT_CODES:
        if event.subject_type == "container":
            return []  # the per-box copy of a train or vessel movement; the visit's own event maps
        code, transport_mode = TRANSPORT_CODES[event.event_type]
        event_id = event_uuid(source.id, 0)
        body: dict[str, Any] = {
            "eventID": event_id,
            "eventType": "TRANSPORT",
            **base,
            "transportEventTypeCode": code,
            "eventLocation": location,
            "transportCall": _transport_call(reference, transport_mode, location),
        }
        return [DcsaEvent(event_id, source.id, 0, "TRANSPORT", None, reference, body)]
    codes = EQUIPMENT_CODES.get(event.event_type)
    if codes is None or equipment is None:
        return []
    results = []
    for sequence, (code, mode) in enumerate(codes):
        event_id = event_uuid(source.id, sequence)
        body = {
            "eventID": event_id,
            "eventType": "EQUIPMENT",
            **base,
            "equipmentEventTypeCode": code,
            "equipmentReference": equipment.reference,
            "eventLocation": location,
        }
        if equipment.iso_code:
            body["ISOEquipmentCode"] = equipment.iso_code
        laden = _laden(event, equipment, code)
        if laden is not None:
            body["emptyIndicatorCode"] = "LADEN" if laden else "EMPTY"
        if mode is not None:
            body["transportCall"] = _transport_call(reference, mode, location)
        if equipment.booking_reference:
            body["documentReferences"] = [
                {"documentReferenceType": "BKG", "documentReferenceValue": equipment.booking_reference}
            ]
        results.append(DcsaEvent(event_id, source.id, sequence, "EQUIPMENT", equipment.reference, reference, body))
    return results
