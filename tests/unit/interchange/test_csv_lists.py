"""CSV lists: typed rows, or a report naming every bad line and column; written back with the same columns."""

from __future__ import annotations

from pathlib import Path

from landbridge.interchange.csv_lists import ListKind, ManifestRow, read_list, write_list

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "csv"


def test_discharge_list_with_aliased_headers_reads_typed() -> None:
    result = read_list((FIXTURES / "discharge_list_126E.csv").read_text(), ListKind.DISCHARGE)
    assert result.ok
    rows = [row for _, row in result.rows]
    assert all(isinstance(row, ManifestRow) for row in rows)
    first = rows[0]
    assert isinstance(first, ManifestRow)
    assert (first.number, first.load_state, first.vgm_kg, first.stowage_cell) == (
        "CSQU3054383",
        "full",
        24500,
        "0340612",
    )
    assert rows[3].load_state == "empty"  # type: ignore[attr-defined]


def test_every_bad_row_and_column_is_reported() -> None:
    result = read_list((FIXTURES / "discharge_list_bad.csv").read_text(), ListKind.DISCHARGE)
    assert not result.ok
    found = {(problem.line, problem.column) for problem in result.problems}
    assert found == {
        (2, "number"),
        (3, "iso_type"),
        (4, "load_state"),
        (4, "gross_mass_kg"),
        (4, "port_of_loading"),
        (4, "stowage_cell"),
        (5, None),
        (6, "number"),
    }
    assert any("check digit" in problem.reason for problem in result.problems if problem.line == 2)


def test_unknown_and_missing_columns_are_named() -> None:
    result = read_list("number;colour\nCSQU3054383;red\n", ListKind.CONTAINERS)
    assert {(p.line, p.column) for p in result.problems} == {(1, "colour"), (1, "iso_type"), (1, "load_state")}


def test_export_reads_back_to_the_same_rows() -> None:
    result = read_list((FIXTURES / "discharge_list_126E.csv").read_text(), ListKind.DISCHARGE)
    text = write_list([row for _, row in result.rows], ListKind.DISCHARGE)
    assert (
        text.splitlines()[0] == "number,iso_type,load_state,gross_mass_kg,vgm_kg,"
        "port_of_loading,port_of_discharge,booking_reference,stowage_cell"
    )
    again = read_list(text, ListKind.DISCHARGE)
    assert [row for _, row in again.rows] == [row for _, row in result.rows]


def test_bookings_list() -> None:
    text = (
        "booking,shipper,consignee,origin,destination,iso_type,container_count\n"
        "LYG-BK-9,KZGRAIN01,,CNLYG,KZALA,22G1,3\n"
    )
    result = read_list(text, ListKind.BOOKINGS)
    assert result.ok, [p.describe() for p in result.problems]
