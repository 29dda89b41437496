"""Domain events → DCSA Track & Trace 2.2 event bodies."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from landbridge.domain.events import Event, EventType
from landbridge.interchange.dcsa import Equipment, MappingContext, Place, SourceEvent, event_uuid, to_dcsa

AT = datetime(2026, 1, 15, 2, 25, tzinfo=UTC)
BOX = Equipment(reference="CSQU3054383", iso_code="45G1", laden=True, booking_reference="BK123456")
CONTEXT = MappingContext(places={"khorgos": Place("Khorgos / Altynkol", "CNHRS", 44.21, 80.41)})
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def _event(
    event_type: EventType, subject_type: str = "container", subject_id: str = "CSQU3054383", **kwargs: object
) -> SourceEvent:
    return SourceEvent(
        7, Event(event_type, subject_type, subject_id, "tester", "rail_operator", occurred_at=AT, **kwargs), AT
    )


def test_gate_out_is_an_actual_equipment_event_in_local_time() -> None:
    (event,) = to_dcsa(_event(EventType.CONTAINER_GATE_OUT, location="CNLYG"), BOX, CONTEXT)
    body = event.body
    assert body["eventType"] == "EQUIPMENT" and body["eventClassifierCode"] == "ACT"
    assert body["equipmentEventTypeCode"] == "GTOT"
    assert body["equipmentReference"] == "CSQU3054383" and body["ISOEquipmentCode"] == "45G1"
    assert body["emptyIndicatorCode"] == "LADEN"
    assert body["eventLocation"] == {"UNLocationCode": "CNLYG"}
    assert body["eventDateTime"] == "2026-01-15T10:25:00+08:00"  # Lianyungang local time
    assert RFC3339.match(body["eventCreatedDateTime"])
    assert body["transportCall"]["modeOfTransport"] == "TRUCK"
    assert body["documentReferences"] == [{"documentReferenceType": "BKG", "documentReferenceValue": "BK123456"}]


def test_every_operation_maps_to_its_dcsa_code() -> None:
    expected = {
        EventType.CONTAINER_DISCHARGED: [("DISC", "VESSEL")],
        EventType.CONTAINER_LOADED_VESSEL: [("LOAD", "VESSEL")],
        EventType.CONTAINER_LOADED_WAGON: [("LOAD", "RAIL")],
        EventType.CONTAINER_UNLOADED_WAGON: [("DISC", "RAIL")],
        EventType.CONTAINER_GATE_IN: [("GTIN", "TRUCK")],
        EventType.CONTAINER_STUFFED: [("STUF", None)],
        EventType.CONTAINER_STRIPPED: [("STRP", None)],
        EventType.CONTAINER_GAUGE_TRANSFER: [("DISC", "RAIL"), ("LOAD", "RAIL")],
    }
    for event_type, codes in expected.items():
        mapped = to_dcsa(_event(event_type), BOX, CONTEXT)
        got = [
            (m.body["equipmentEventTypeCode"], m.body.get("transportCall", {}).get("modeOfTransport")) for m in mapped
        ]
        assert got == codes, event_type


def test_stuffing_makes_a_box_laden_and_stripping_empty() -> None:
    empty = Equipment(reference="CSQU3054383", iso_code="45G1", laden=False)
    assert to_dcsa(_event(EventType.CONTAINER_STUFFED), empty, CONTEXT)[0].body["emptyIndicatorCode"] == "LADEN"
    assert to_dcsa(_event(EventType.CONTAINER_STRIPPED), BOX, CONTEXT)[0].body["emptyIndicatorCode"] == "EMPTY"


def test_train_at_border_is_a_rail_arrival_at_the_crossing_without_bookings() -> None:
    (event,) = to_dcsa(_event(EventType.TRAIN_AT_BORDER, "train", "TR-W-001", location="khorgos"), None, CONTEXT)
    body = event.body
    assert body["eventType"] == "TRANSPORT" and body["transportEventTypeCode"] == "ARRI"
    assert body["transportCall"] == {
        "modeOfTransport": "RAIL",
        "transportCallReference": "TR-W-001",
        "UNLocationCode": "CNHRS",
    }
    assert body["eventLocation"]["locationName"] == "Khorgos / Altynkol"
    assert "documentReferences" not in body  # one train carries many shippers' bookings
    assert event.transport_reference == "TR-W-001" and event.equipment_reference is None


def test_wagon_load_names_its_train_and_ids_are_stable() -> None:
    source = _event(EventType.CONTAINER_LOADED_WAGON, after={"train": "TR-W-001", "wagon": "31452468001-2"})
    first, again = to_dcsa(source, BOX, CONTEXT), to_dcsa(source, BOX, CONTEXT)
    assert first == again
    assert first[0].transport_reference == "TR-W-001"
    assert first[0].event_id == event_uuid(7, 0)


def test_events_without_a_dcsa_meaning_map_to_nothing() -> None:
    assert to_dcsa(_event(EventType.CONTAINER_REGISTERED), BOX, CONTEXT) == []
    assert to_dcsa(_event(EventType.HOLD_PLACED), BOX, CONTEXT) == []


def test_per_container_copies_of_a_train_movement_map_to_nothing() -> None:
    # Operations record a departure once for the train visit and once per box on board; the feed shows it once.
    per_box = _event(EventType.TRAIN_DEPARTED, after={"train": "TR-W-001"})
    assert to_dcsa(per_box, BOX, CONTEXT) == []
    (train_level,) = to_dcsa(_event(EventType.TRAIN_DEPARTED, "train_visit", "TR-W-001"), None, CONTEXT)
    assert train_level.body["transportEventTypeCode"] == "DEPA"
    assert train_level.transport_reference == "TR-W-001"
