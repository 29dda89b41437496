"""Domain events → DCSA Track & Trace 2.2 event bodies, as the 2.2 specification defines them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from landbridge.domain.events import Event, EventType
from landbridge.interchange.dcsa import (
    Equipment,
    MappingContext,
    Place,
    SourceEvent,
    Transport,
    event_uuid,
    to_dcsa,
)
from tests.contract.dcsa_spec import assert_valid_if_spec_present

AT = datetime(2026, 1, 15, 2, 25, tzinfo=UTC)
RECORDED = datetime(2026, 1, 15, 2, 40, 12, 345000, tzinfo=UTC)
BOX = Equipment(reference="CSQU3054383", iso_code="45G1", laden=True, booking_reference="BK123456")
KHORGOS = Place("Khorgos", "CNHRS", 44.21, 80.41, "Asia/Shanghai", "BOCR")
ALTYNKOL = Place("Altynkol", None, 44.21, 80.41, "Asia/Almaty", "BOCR")
CONTEXT = MappingContext(places={"khorgos": KHORGOS}, wide_gauge_sides={"khorgos": ALTYNKOL})
CN_TRAIN = Transport("TR-W-001", "RAIL", 1435, "khorgos")
KZ_TRAIN = Transport("TR-K-001", "RAIL", 1520, "khorgos")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def _event(
    event_type: EventType, subject_type: str = "container", subject_id: str = "CSQU3054383", **kwargs: object
) -> SourceEvent:
    return SourceEvent(
        7, Event(event_type, subject_type, subject_id, "tester", "rail_operator", occurred_at=AT, **kwargs), RECORDED
    )


def test_gate_out_is_an_actual_equipment_event_in_local_time() -> None:
    truck = Transport("TV-7", "TRUCK")
    (event,) = to_dcsa(_event(EventType.CONTAINER_GATE_OUT, location="CNLYG"), BOX, CONTEXT, (truck,))
    body = event.body
    assert body["eventType"] == "EQUIPMENT" and body["eventClassifierCode"] == "ACT"
    assert body["equipmentEventTypeCode"] == "GTOT"
    assert body["equipmentReference"] == "CSQU3054383" and body["ISOEquipmentCode"] == "45G1"
    assert body["emptyIndicatorCode"] == "LADEN"
    assert body["eventLocation"] == {"locationName": "Lianyungang", "UNLocationCode": "CNLYG"}
    assert body["eventDateTime"] == "2026-01-15T10:25:00+08:00"  # Lianyungang local time, from the occurred time
    assert body["eventCreatedDateTime"] == "2026-01-15T02:40:12.345+00:00"  # the recorded time
    assert body["transportCall"]["transportCallID"] == "TV-7@CNLYG"
    assert body["transportCall"]["modeOfTransport"] == "TRUCK"
    assert body["documentReferences"] == [
        {"documentReferenceType": "BKG (Booking)", "documentReferenceValue": "BK123456"}
    ]
    assert_valid_if_spec_present([body])


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
    visit = Transport("V-1", "")
    for event_type, codes in expected.items():
        mapped = to_dcsa(_event(event_type), BOX, CONTEXT, (visit,))
        got = [
            (m.body["equipmentEventTypeCode"], m.body.get("transportCall", {}).get("modeOfTransport")) for m in mapped
        ]
        assert got == codes, event_type
        assert_valid_if_spec_present([m.body for m in mapped])


def test_stuffing_makes_a_box_laden_and_stripping_empty() -> None:
    empty = Equipment(reference="CSQU3054383", iso_code="45G1", laden=False)
    assert to_dcsa(_event(EventType.CONTAINER_STUFFED), empty, CONTEXT)[0].body["emptyIndicatorCode"] == "LADEN"
    assert to_dcsa(_event(EventType.CONTAINER_STRIPPED), BOX, CONTEXT)[0].body["emptyIndicatorCode"] == "EMPTY"


def test_train_at_border_is_a_rail_arrival_at_the_crossing_without_bookings() -> None:
    source = _event(EventType.TRAIN_AT_BORDER, "train_visit", "TR-W-001", location="khorgos")
    (event,) = to_dcsa(source, None, CONTEXT, (CN_TRAIN,))
    body = event.body
    assert body["eventType"] == "TRANSPORT" and body["transportEventTypeCode"] == "ARRI"
    assert body["transportCall"] == {
        "transportCallID": "TR-W-001@CNHRS",
        "modeOfTransport": "RAIL",
        "UNLocationCode": "CNHRS",
        "facilityTypeCode": "BOCR",
        "location": {
            "locationName": "Khorgos",
            "latitude": "44.2100",
            "longitude": "80.4100",
            "UNLocationCode": "CNHRS",
        },
    }
    assert "eventLocation" not in body  # 2.2 puts a transport event's place in transportCall.location
    assert "documentReferences" not in body  # one train carries many shippers' bookings
    assert event.transport_reference == "TR-W-001" and event.equipment_reference is None
    assert_valid_if_spec_present([body])


def test_a_wide_gauge_train_departs_from_the_kazakh_side_of_its_crossing() -> None:
    # Formed at Khorgos/Altynkol, never at the hub: not CNLYG, and Kazakhstan's offset.
    departure = _event(EventType.TRAIN_DEPARTED, "train_visit", "TR-K-001")
    (event,) = to_dcsa(departure, None, CONTEXT, (KZ_TRAIN,))
    call = event.body["transportCall"]
    assert call["location"]["locationName"] == "Altynkol" and "UNLocationCode" not in call
    assert call["transportCallID"] == "TR-K-001@ALTYNKOL"
    assert event.body["eventDateTime"] == "2026-01-15T07:25:00+05:00"


def test_a_gauge_change_unloads_on_the_chinese_side_and_loads_on_the_kazakh_side() -> None:
    change = _event(EventType.CONTAINER_GAUGE_TRANSFER, location="khorgos", after={"train": "TR-K-001"})
    discharge, load = to_dcsa(change, BOX, CONTEXT, (CN_TRAIN, KZ_TRAIN))
    assert discharge.body["transportCall"]["transportCallID"] == "TR-W-001@CNHRS"
    assert discharge.body["eventDateTime"].endswith("+08:00")
    assert load.body["transportCall"]["transportCallID"] == "TR-K-001@ALTYNKOL"
    assert load.body["eventDateTime"].endswith("+05:00")
    assert (discharge.transport_reference, load.transport_reference) == ("TR-W-001", "TR-K-001")
    assert_valid_if_spec_present([discharge.body, load.body])


def test_a_vessel_call_names_the_vessel() -> None:
    ship = Transport("V-2601", "VESSEL", vessel_name="XIN YA ZHOU", vessel_imo="9321483")
    (event,) = to_dcsa(
        _event(EventType.VESSEL_BERTHED, "vessel_visit", "V-2601", location="CNLYG"), None, CONTEXT, (ship,)
    )
    assert event.body["transportCall"]["vessel"] == {"vesselIMONumber": "9321483", "vesselName": "XIN YA ZHOU"}
    assert event.vessel_imo == "9321483"
    assert_valid_if_spec_present([event.body])


def test_bookings_and_customs_holds_are_shipment_events() -> None:
    (booked,) = to_dcsa(_event(EventType.CONSIGNMENT_CREATED, "consignment", "BK123456"), None, CONTEXT)
    assert booked.body["eventType"] == "SHIPMENT"
    assert (booked.body["documentTypeCode"], booked.body["shipmentEventTypeCode"]) == ("BKG", "CONF")
    assert booked.body["documentID"] == "BK123456"
    # 2.2: a shipment event's eventDateTime is its eventCreatedDateTime.
    assert booked.body["eventDateTime"] == booked.body["eventCreatedDateTime"]
    hold = {"hold": {"id": 42, "reason": "inspection", "open": True}}
    (held,) = to_dcsa(_event(EventType.HOLD_PLACED, after=hold), BOX, CONTEXT)
    assert (held.body["documentTypeCode"], held.body["shipmentEventTypeCode"], held.body["documentID"]) == (
        "CUS",
        "HOLD",
        "42",
    )
    assert held.body["references"] == [{"referenceType": "EQ", "referenceValue": "CSQU3054383"}]
    assert held.body["documentReferences"][0]["documentReferenceValue"] == "BK123456"
    (released,) = to_dcsa(_event(EventType.HOLD_RELEASED, after=hold), BOX, CONTEXT)
    assert released.body["shipmentEventTypeCode"] == "RELS"
    assert_valid_if_spec_present([booked.body, held.body, released.body])


def test_wagon_load_names_its_train_and_ids_are_stable() -> None:
    source = _event(EventType.CONTAINER_LOADED_WAGON, after={"train": "TR-W-001", "wagon": "31452468001-2"})
    first, again = to_dcsa(source, BOX, CONTEXT, (CN_TRAIN,)), to_dcsa(source, BOX, CONTEXT, (CN_TRAIN,))
    assert first == again
    assert first[0].transport_reference == "TR-W-001"
    assert first[0].event_id == event_uuid(7, 0)
    assert RFC3339.match(first[0].body["eventDateTime"])


def test_events_without_a_dcsa_meaning_map_to_nothing() -> None:
    assert to_dcsa(_event(EventType.CONTAINER_REGISTERED), BOX, CONTEXT) == []
    assert to_dcsa(_event(EventType.CONTAINER_PLACED), BOX, CONTEXT) == []


def test_per_container_copies_of_a_train_movement_map_to_nothing() -> None:
    # Operations record a departure once for the train visit and once per box on board; the feed shows it once.
    per_box = _event(EventType.TRAIN_DEPARTED, after={"train": "TR-W-001"})
    assert to_dcsa(per_box, BOX, CONTEXT) == []
    (train_level,) = to_dcsa(_event(EventType.TRAIN_DEPARTED, "train_visit", "TR-W-001"), None, CONTEXT, (CN_TRAIN,))
    assert train_level.body["transportEventTypeCode"] == "DEPA"
    assert train_level.transport_reference == "TR-W-001"
