"""SMGS consignment notes: validation naming the field, JSON round trip, re-consignment, gauge change, HTML and PDF."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from landbridge.interchange.smgs import ConsignmentNote, Regime, Station, Wagon, change_gauge, reconsign
from landbridge.interchange.smgs_render import to_html, to_pdf

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "smgs" / "smgs_lianyungang_almaty.json"
DOSTYK = Station(code="700002", name="Dostyk (assumed code)", railway="KZH")


def _note() -> ConsignmentNote:
    return ConsignmentNote.from_json(SAMPLE.read_text())


def test_sample_note_reads_and_round_trips_through_json() -> None:
    note = _note()
    assert note.goods[0].hs_code == "842920"
    assert note.goods_mass_kg == 36650
    assert note.gross_mass_kg == 36650 + 3900 + 2200
    again = ConsignmentNote.from_json(note.to_json())
    assert again == note


@pytest.mark.parametrize(
    ("path", "value", "expected_loc"),
    [
        (("goods", 0, "gng_code"), "1001990", ("goods", 0, "gng_code")),
        (("goods", 0, "gng_code"), "77000000", ("goods", 0, "gng_code")),
        (("departure_station", "code"), "12345", ("departure_station", "code")),
        (("containers", 0, "number"), "CSQU3054384", ("containers", 0, "number")),
        (("wagons", 0, "number"), "313345710014", ("wagons", 0, "number")),
        (("consignor", "client_code"), "12", ("consignor", "client_code")),
        (("issued_at",), "2026-12-07T16:00:00", ("issued_at",)),
    ],
)
def test_a_bad_field_is_refused_naming_it(
    path: tuple[object, ...], value: str, expected_loc: tuple[object, ...]
) -> None:
    data = json.loads(SAMPLE.read_text())
    target = data
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    with pytest.raises(ValidationError) as caught:
        ConsignmentNote.model_validate(data)
    assert caught.value.errors()[0]["loc"] == expected_loc


def test_a_container_on_an_unknown_wagon_is_refused() -> None:
    data = json.loads(SAMPLE.read_text())
    data["containers"][0]["wagon"] = "42000018"
    with pytest.raises(ValidationError, match=r"containers\[0\]\.wagon"):
        ConsignmentNote.model_validate(data)


def test_gauge_change_moves_every_container_and_is_an_event() -> None:
    note = _note()
    at = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)
    changed = change_gauge(
        note,
        at=at,
        station=DOSTYK,
        new_wagons=(Wagon(number="42000018", gauge_mm=1520), Wagon(number="42000026", gauge_mm=1520)),
        placement={"CSQU3054383": "42000018", "CBHU8123451": "42000026"},
    )
    assert {c.wagon for c in changed.containers} == {"42000018", "42000026"}
    event = changed.events[-1]
    assert (event.kind, event.from_gauge_mm, event.to_gauge_mm) == ("gauge_change", 1435, 1520)
    assert event.wagon_changes["CSQU3054383"] == "42000018"
    with pytest.raises(ValueError, match="placement"):
        change_gauge(note, at=at, station=DOSTYK, new_wagons=(Wagon(number="42000018", gauge_mm=1520),), placement={})


def test_reconsignment_changes_the_regime_and_keeps_the_history() -> None:
    note = _note()
    at = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)
    brest = Station(code="130001", name="Brest (assumed code)", railway="BCH")
    cim = reconsign(note, at=at, station=brest, to_regime=Regime.CIM)
    assert cim.regime is Regime.CIM
    assert (cim.events[-1].from_regime, cim.events[-1].to_regime) == (Regime.SMGS, Regime.CIM)
    with pytest.raises(ValueError, match="to_regime"):
        reconsign(cim, at=at, station=brest, to_regime=Regime.CIM)


def test_html_and_pdf_renderings_show_the_boxes() -> None:
    note = reconsign(_note(), at=datetime(2026, 12, 20, tzinfo=UTC), station=DOSTYK, to_regime=Regime.CIM_SMGS)
    html = to_html(note)
    assert "1 Consignor" in html and "6 Border crossing stations" in html
    assert "Alashankou (assumed code) (100002) → Dostyk (assumed code) (700002)" in html
    assert "Керамическая плитка" in html
    assert "re-consigned SMGS → CIM/SMGS" in html
    pdf = to_pdf(note)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000
