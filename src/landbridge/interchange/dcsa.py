"""Our domain events → DCSA Track & Trace 2.2 events, exactly as the 2.2 specification defines them.

Pure mapping, no I/O. The store tells the mapping what it needs about the container
(:class:`Equipment`) and the train, ship or truck (:class:`Transport`) of an event; the mapping
decides the DCSA event type, codes, place, local offset and references.

* Container moves become EQUIPMENT events (LOAD, DISC, GTIN, GTOT, STUF, STRP). A gauge change is a
  discharge from the 1435 mm wagon on the Chinese side of the crossing and a load onto the 1520 mm
  wagon on the Kazakh side, so it yields two equipment events.
* Train and vessel movements become TRANSPORT events (ARRI, DEPA). Operations record a train's
  departure, border arrival and arrival once for the train visit and once per container on board;
  only the visit's own event maps, so a movement appears once in the feed.
* Changes of bookings and the documents around them become SHIPMENT events: a consignment booked is
  ``BKG``/``CONF``; a hold placed and released is ``HOLD``/``RELS`` on the document it is about
  (customs ``CUS``, the line's or terminal's release ``SRM``, damage survey ``CAS``, VGM); a VGM
  declared is ``VGM``/``RECE``; a delivery order issued or cancelled is ``SRM``/``ISSU``/``VOID``; an
  SMGS consignment note issued (or re-issued) is the transport document, ``TRD``/``ISSU``.

Everything we record happened, so the classifier is always ACT. ``eventDateTime`` is the local time
where it happened (for SHIPMENT events the specification says it is the creation time), and
``eventCreatedDateTime`` is when we recorded it, in UTC with milliseconds.

Every transport call carries a ``transportCallID``: the visit reference and the place it called at
(``TR-W-0001@CNLYG``), so the events of one call at one place share one id. Transport events carry
no booking references: one train carries many shippers' boxes, and a reference list would show each
shipper the others' bookings. Who may see which event is decided by the store, not by the body.

The 2.2 schema lists ``documentReferenceType`` values as ``"BKG (Booking)"`` and ``"TRD (Transport
Document)"`` (its examples, and 2.3, use ``"BKG"``/``"TRD"``); we send the schema's values, because a
client generated from the specification accepts nothing else (see ``docs/tracking.md``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from landbridge.domain.events import Event, EventType
from landbridge.domain.times import as_utc as as_utc  # re-exported: services.tracking reads dcsa.as_utc

API_VERSION = "2.2.0"
EVENT_NAMESPACE = uuid.UUID("5b1d7c1e-4a6b-4f8e-9a52-6a0c3f1d2e77")
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")

# The code lists of the specification (components/schemas).
EVENT_TYPES = ("SHIPMENT", "TRANSPORT", "EQUIPMENT")
EQUIPMENT_EVENT_CODES = ("LOAD", "DISC", "GTIN", "GTOT", "STUF", "STRP", "PICK", "DROP", "INSP", "RSEA", "RMVD")
TRANSPORT_EVENT_CODES = ("ARRI", "DEPA")
SHIPMENT_EVENT_CODES = (
    "RECE",
    "DRFT",
    "PENA",
    "PENU",
    "REJE",
    "APPR",
    "ISSU",
    "SURR",
    "SUBM",
    "VOID",
    "CONF",
    "REQS",
    "CMPL",
    "HOLD",
    "RELS",
)
DOCUMENT_TYPE_CODES = ("CBR", "BKG", "SHI", "SRM", "TRD", "ARN", "VGM", "CAS", "CUS", "DGD", "OOG")
MODES_OF_TRANSPORT = ("VESSEL", "RAIL", "TRUCK", "BARGE")
# The 2.2 schema's own spelling of documentReferenceType (a mistake fixed in 2.3; see the module docstring).
DOCUMENT_REFERENCE_TYPES = {"BKG": "BKG (Booking)", "TRD": "TRD (Transport Document)"}

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
# (documentTypeCode, shipmentEventTypeCode) per domain event type, by its value: some of these events
# come with later operations and interchange work, and map as soon as they are recorded.
SHIPMENT_CODES: dict[str, tuple[str, str]] = {
    EventType.CONSIGNMENT_CREATED.value: ("BKG", "CONF"),  # the hub books a confirmed booking
    EventType.HOLD_PLACED.value: ("CUS", "HOLD"),
    EventType.HOLD_RELEASED.value: ("CUS", "RELS"),
    "hold.placed": ("", "HOLD"),  # a line, terminal, damage or VGM hold: the document by the hold's kind
    "hold.released": ("", "RELS"),
    "container.vgm_declared": ("VGM", "RECE"),
    "release.delivery_order_issued": ("SRM", "ISSU"),  # the line's release of import boxes for pick-up
    "release.delivery_order_cancelled": ("SRM", "VOID"),
    "waybill.created": ("TRD", "ISSU"),  # the SMGS consignment note: the rail transport document
    "waybill.reconsigned": ("TRD", "ISSU"),  # re-issued under the other legal regime (SMGS ↔ CIM/SMGS)
}
# The DCSA document a hold is about, by hold kind: the customs inspection, the line's (or terminal's)
# release of the shipment, a survey of the damage, the verified gross mass.
HOLD_DOCUMENT_TYPES = {"customs": "CUS", "line": "SRM", "terminal": "SRM", "damage": "CAS", "vgm_missing": "VGM"}
MAPPED_EVENT_TYPES = (
    frozenset(t.value for t in EQUIPMENT_CODES)
    | frozenset(t.value for t in TRANSPORT_CODES)
    | frozenset(SHIPMENT_CODES)
)

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
WIDE_GAUGE_MM = 1520


def zone_of_country(country: str | None) -> str | None:
    """The IANA time zone we use for a country (ISO 3166 alpha-2), when we know one."""
    return _ZONES.get(country.upper()) if country else None


@dataclass(frozen=True)
class Place:
    """A place events happen at: the hub, a side of a border crossing, a destination terminal."""

    name: str
    locode: str | None = None
    lat_deg: float | None = None
    lon_deg: float | None = None
    zone: str | None = None  # IANA time zone; else the LOCODE's country decides
    facility_type: str | None = None  # DCSA facilityTypeCode: POTE, BOCR, INTE…

    @property
    def time_zone(self) -> str | None:
        """Where the local offset comes from: the place's own zone, else its LOCODE's country."""
        return self.zone or zone_of_country(self.locode[:2] if self.locode else None)

    @property
    def call_key(self) -> str:
        """How the place appears in a transportCallID: its LOCODE, else its name in capitals."""
        return self.locode or re.sub(r"[^A-Z0-9]+", "-", self.name.upper()).strip("-")[:40]


@dataclass(frozen=True)
class Equipment:
    """What the mapping needs to know about the container of an event."""

    reference: str
    iso_code: str | None = None
    laden: bool | None = None
    booking_reference: str | None = None


@dataclass(frozen=True)
class Transport:
    """What the mapping needs to know about the train, vessel or truck visit of an event."""

    reference: str
    mode: str  # RAIL, VESSEL, TRUCK
    gauge_mm: int | None = None
    crossing_code: str | None = None  # the border crossing of a train's route
    vessel_name: str | None = None
    vessel_imo: str | None = None


@dataclass(frozen=True)
class SourceEvent:
    """A domain event as stored: its log id and when it was recorded."""

    id: int
    event: Event
    recorded_at: datetime


@dataclass(frozen=True)
class DcsaEvent:
    """One DCSA event, plus the keys the store indexes and filters it by."""

    event_id: str
    source_event_id: int
    sequence: int
    event_type: str
    type_code: str
    event_at: datetime
    equipment_reference: str | None
    transport_reference: str | None
    body: dict[str, Any] = field(default_factory=dict)
    transport_call_id: str | None = None
    un_location_code: str | None = None
    document_type_code: str | None = None
    vessel_imo: str | None = None
    documents: tuple[tuple[str, str], ...] = ()  # (BKG | TRD | CUS…, reference) the event concerns
    containers: tuple[str, ...] = ()  # the boxes a shipment event concerns (visibility), when it names them


HUB = Place("Lianyungang", "CNLYG", zone="Asia/Shanghai", facility_type="POTE")


@dataclass(frozen=True)
class MappingContext:
    """The hub and the named places events may refer to.

    ``places`` maps crossing codes, route codes and destination names (lower case) to places; a
    crossing's place is its 1435 mm (Chinese) side, and ``wide_gauge_sides`` maps the crossing code
    to its 1520 mm side, where wide-gauge trains are formed and depart.
    """

    hub: Place = HUB
    places: dict[str, Place] = field(default_factory=dict)
    wide_gauge_sides: dict[str, Place] = field(default_factory=dict)

    @property
    def hub_locode(self) -> str:
        """The hub's UN/LOCODE."""
        return self.hub.locode or "CNLYG"


def local_time(moment: datetime, zone: str | None, milliseconds: bool = False) -> str:
    """RFC 3339 with the offset of ``zone`` at that instant (UTC when the zone is unknown)."""
    moment = as_utc(moment)
    if zone is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.isoformat(timespec="milliseconds" if milliseconds else "seconds")


def rfc3339(moment: datetime, locode: str | None = None, milliseconds: bool = False) -> str:
    """RFC 3339 with an explicit offset: local to the LOCODE's country when known, else UTC."""
    return local_time(moment, zone_of_country(locode[:2] if locode else None), milliseconds)


def created_time(recorded_at: datetime) -> str:
    """``eventCreatedDateTime``: UTC with milliseconds (what the feed shows is what filters compare)."""
    return local_time(recorded_at, None, milliseconds=True)


def event_uuid(source_event_id: int, sequence: int) -> str:
    """A stable eventID: the same domain event always maps to the same DCSA event."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"landbridge:{source_event_id}:{sequence}"))


def is_mapped(event_type: EventType | str) -> bool:
    """Whether this domain event type appears in the DCSA feed."""
    return str(event_type.value if isinstance(event_type, EventType) else event_type) in MAPPED_EVENT_TYPES


def transport_reference(event: Event) -> str | None:
    """The train, vessel or truck visit an event belongs to."""
    if event.subject_type in ("train", "train_visit", "vessel", "vessel_visit", "truck", "truck_visit") or (
        event.event_type in TRANSPORT_CODES and event.subject_type != "container"
    ):
        return event.subject_id
    for payload in (event.after, event.before):
        if not payload:
            continue
        for key in _TRANSPORT_KEYS:
            value = payload.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def gauge_transfer_trains(event: Event) -> tuple[str | None, str | None]:
    """The 1435 mm train a gauge change unloads from and the 1520 mm train it loads onto."""
    named = (event.after or {}).get("from_train")
    new = transport_reference(replace(event, before=None))
    old = named if isinstance(named, str) and named else transport_reference(replace(event, after=None))
    return old or new, new or old


def place_of(raw: str | None, context: MappingContext) -> Place:
    """The place a recorded location names: a LOCODE, a crossing, a route's destination, else the hub."""
    if raw and _LOCODE.match(raw):
        if raw == context.hub_locode:
            return context.hub
        known = next((p for p in context.places.values() if p.locode == raw), None)
        return known or Place(raw, raw)
    place = context.places.get(raw.lower()) if raw else None
    if place is not None:
        return place
    if raw:  # a yard slot, a track, a gate lane inside the hub
        return replace(context.hub, name=f"{context.hub.name} {raw}"[:100])
    return context.hub


def _is_corridor_place(raw: str | None, context: MappingContext) -> bool:
    if not raw:
        return False
    return raw.lower() in context.places or (bool(_LOCODE.match(raw)) and raw != context.hub_locode)


def _event_place(event: Event, transport: Transport | None, context: MappingContext, sequence: int) -> Place:
    """Where the event happened, with the side of a border crossing it happened on."""
    raw = event.location
    if event.event_type is EventType.CONTAINER_GAUGE_TRANSFER and sequence == 1:
        return context.wide_gauge_sides.get((raw or "").lower()) or place_of(raw, context)
    if (
        transport is not None
        and transport.mode == "RAIL"
        and transport.gauge_mm == WIDE_GAUGE_MM
        and transport.crossing_code
        and not _is_corridor_place(raw, context)
    ):
        # A 1520 mm train never runs at the hub: it is formed at its route's crossing and leaves from there.
        side = context.wide_gauge_sides.get(transport.crossing_code.lower())
        if side is not None:
            return side
    return place_of(raw, context)


def location_object(place: Place) -> dict[str, Any]:
    """The DCSA ``location`` object of a place."""
    location: dict[str, Any] = {"locationName": place.name[:100]}
    if place.lat_deg is not None and place.lon_deg is not None:
        location["latitude"] = f"{place.lat_deg:.4f}"
        location["longitude"] = f"{place.lon_deg:.4f}"
    if place.locode:
        location["UNLocationCode"] = place.locode
    return location


def transport_call_id(reference: str, place: Place) -> str:
    """One id per call of a visit at a place; a stable UUID when the readable form would be too long."""
    readable = f"{reference}@{place.call_key}"
    if len(readable) <= 100:
        return readable
    return str(uuid.uuid5(EVENT_NAMESPACE, f"call:{readable}"))


def _transport_call(reference: str, mode: str, place: Place, transport: Transport | None) -> dict[str, Any]:
    call: dict[str, Any] = {"transportCallID": transport_call_id(reference, place), "modeOfTransport": mode}
    if place.locode:
        call["UNLocationCode"] = place.locode
    if place.facility_type:
        call["facilityTypeCode"] = place.facility_type
    call["location"] = location_object(place)
    if mode == "VESSEL" and transport is not None and transport.vessel_imo:
        vessel: dict[str, Any] = {"vesselIMONumber": transport.vessel_imo}
        if transport.vessel_name:
            vessel["vesselName"] = transport.vessel_name[:35]
        call["vessel"] = vessel
    return call


def _laden(event: Event, equipment: Equipment, code: str) -> bool:
    if code == "STUF":
        return True
    if code == "STRP":
        return False
    for payload in (event.after, event.before):
        state = (payload or {}).get("load_state")
        if state in ("full", "empty"):
            return bool(state == "full")
    return bool(equipment.laden)  # unknown reads as EMPTY: the field is required and we never guess LADEN


def _base(source: SourceEvent, event_type: str, event_date_time: str) -> dict[str, Any]:
    return {
        "eventCreatedDateTime": created_time(source.recorded_at),
        "eventClassifierCode": "ACT",
        "eventDateTime": event_date_time,
        "eventType": event_type,
    }


def _booking_references(booking: str | None) -> list[dict[str, str]]:
    if not booking:
        return []
    return [{"documentReferenceType": DOCUMENT_REFERENCE_TYPES["BKG"], "documentReferenceValue": booking}]


def _transport_event(source: SourceEvent, transport: Transport | None, context: MappingContext) -> list[DcsaEvent]:
    event = source.event
    if event.subject_type == "container":
        return []  # the per-box copy of a train or vessel movement; the visit's own event maps
    code, mode = TRANSPORT_CODES[event.event_type]
    reference = transport_reference(event) or event.subject_id
    place = _event_place(event, transport, context, 0)
    call = _transport_call(reference, mode, place, transport)
    event_id = event_uuid(source.id, 0)
    body = {
        "eventID": event_id,
        **_base(source, "TRANSPORT", local_time(event.occurred_at, place.time_zone)),
        "transportEventTypeCode": code,
        "transportCall": call,
    }
    return [
        DcsaEvent(
            event_id,
            source.id,
            0,
            "TRANSPORT",
            code,
            as_utc(event.occurred_at),
            None,
            reference,
            body,
            transport_call_id=call["transportCallID"],
            un_location_code=place.locode,
            vessel_imo=call.get("vessel", {}).get("vesselIMONumber"),
        )
    ]


def _equipment_events(
    source: SourceEvent,
    equipment: Equipment,
    transports: tuple[Transport | None, ...],
    context: MappingContext,
) -> list[DcsaEvent]:
    event = source.event
    results = []
    for sequence, (code, mode) in enumerate(EQUIPMENT_CODES[event.event_type]):
        transport = transports[min(sequence, len(transports) - 1)] if transports else None
        place = _event_place(event, transport, context, sequence)
        event_id = event_uuid(source.id, sequence)
        body: dict[str, Any] = {
            "eventID": event_id,
            **_base(source, "EQUIPMENT", local_time(event.occurred_at, place.time_zone)),
            "equipmentEventTypeCode": code,
            "equipmentReference": equipment.reference,
            "emptyIndicatorCode": "LADEN" if _laden(event, equipment, code) else "EMPTY",
            "eventLocation": location_object(place),
        }
        if equipment.iso_code:
            body["ISOEquipmentCode"] = equipment.iso_code
        call: dict[str, Any] | None = None
        if mode is not None and transport is not None:
            call = _transport_call(transport.reference, mode, place, transport)
            body["transportCall"] = call
        references = _booking_references(equipment.booking_reference)
        if references:
            body["documentReferences"] = references
        results.append(
            DcsaEvent(
                event_id,
                source.id,
                sequence,
                "EQUIPMENT",
                code,
                as_utc(event.occurred_at),
                equipment.reference,
                None if transport is None else transport.reference,
                body,
                transport_call_id=None if call is None else call["transportCallID"],
                un_location_code=place.locode,
                vessel_imo=None if call is None else call.get("vessel", {}).get("vesselIMONumber"),
                documents=(("BKG", equipment.booking_reference),) if equipment.booking_reference else (),
            )
        )
    return results


def _payload_id(event: Event, key: str) -> str | None:
    """The id of the record the event describes (``after[key]["id"]``, e.g. a hold or a VGM)."""
    for payload in (event.after, event.before):
        record = (payload or {}).get(key)
        if isinstance(record, dict) and record.get("id") is not None:
            return str(record["id"])
    return None


@dataclass(frozen=True)
class _Document:
    """What a shipment event is about: the document, the booking behind it, the boxes it concerns."""

    type_code: str
    document_id: str
    booking: str | None = None
    containers: tuple[str, ...] = ()
    transport_reference: str | None = None  # a waybill's train: the boxes aboard it are the ones it covers
    reason: str | None = None


def _document(event: Event, equipment: Equipment | None, document_type: str) -> _Document | None:
    """The document of a shipment event, or None when the event does not say enough to name one."""
    if event.subject_type == "consignment":
        return _Document(document_type, event.subject_id, booking=event.subject_id)
    if event.subject_type == "container":
        if equipment is None:
            return None
        hold = (event.after or {}).get("hold") or (event.before or {}).get("hold") or {}
        if not document_type:
            document_type = HOLD_DOCUMENT_TYPES.get(str(hold.get("kind")), "")
        if not document_type:
            return None
        record = _payload_id(event, "hold") or _payload_id(event, "vgm") or equipment.reference
        reason = hold.get("reason") if isinstance(hold.get("reason"), str) else None
        return _Document(
            document_type, record, equipment.booking_reference, (equipment.reference,), reason=reason or None
        )
    if event.subject_type == "delivery_order":
        boxes = (event.after or {}).get("containers") or (event.before or {}).get("containers") or []
        return _Document(document_type, event.subject_id, containers=tuple(str(box) for box in boxes))
    if event.subject_type == "waybill":
        train = (event.after or {}).get("train")
        return _Document(document_type, event.subject_id, transport_reference=train if isinstance(train, str) else None)
    return None


def _shipment_event(source: SourceEvent, equipment: Equipment | None) -> list[DcsaEvent]:
    event = source.event
    document_type, code = SHIPMENT_CODES[event.event_type.value]
    document = _document(event, equipment, document_type)
    if document is None:
        return []
    event_id = event_uuid(source.id, 0)
    # 2.2: "Value for eventDateTime must be the same value as eventCreatedDateTime" for shipment events.
    body: dict[str, Any] = {
        "eventID": event_id,
        **_base(source, "SHIPMENT", created_time(source.recorded_at)),
        "shipmentEventTypeCode": code,
        "documentTypeCode": document.type_code,
        "documentID": document.document_id,
    }
    if document.type_code != "BKG":
        references = _booking_references(document.booking)
        if references:
            body["documentReferences"] = references
    if document.containers:
        body["references"] = [{"referenceType": "EQ", "referenceValue": box} for box in document.containers]
    if document.reason and code == "HOLD":
        body["reason"] = document.reason
    documents: list[tuple[str, str]] = [(document.type_code, document.document_id)]
    if document.booking and document.type_code != "BKG":
        documents.append(("BKG", document.booking))
    return [
        DcsaEvent(
            event_id,
            source.id,
            0,
            "SHIPMENT",
            code,
            as_utc(source.recorded_at),
            document.containers[0] if len(document.containers) == 1 else None,
            document.transport_reference,
            body,
            document_type_code=document.type_code,
            documents=tuple(documents),
            containers=document.containers,
        )
    ]


def to_dcsa(
    source: SourceEvent,
    equipment: Equipment | None,
    context: MappingContext,
    transports: tuple[Transport | None, ...] = (),
) -> list[DcsaEvent]:
    """The DCSA events for one domain event (none when the type has no DCSA meaning).

    ``transports`` are the visits the event's DCSA events belong to, one per event (a gauge change
    has two: the 1435 mm train, then the 1520 mm train); one visit serves them all.
    """
    event = source.event
    if event.event_type in TRANSPORT_CODES:
        return _transport_event(source, transports[0] if transports else None, context)
    if event.event_type.value in SHIPMENT_CODES:
        return _shipment_event(source, equipment)
    if event.event_type in EQUIPMENT_CODES and equipment is not None:
        return _equipment_events(source, equipment, transports, context)
    return []
