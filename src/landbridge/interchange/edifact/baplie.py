"""BAPLIE, the bay plan: every container on board and its cell (``LOC+147``, bay/row/tier as in
ISO 9711: ``BBBRRTT``), with its masses, ports of loading and discharge, hazards and carrier.

Two lines are in use: BAPLIE 2.2 on D.95B (association SMDG22; masses as ``MEA+WT`` and, since
2.2, ``MEA+VGM``; one stowage group per cell with the EQD inside it) and BAPLIE 3.1 on D.13B
(SMDG31; a ``UNS+D`` before the stowage groups, the EQD group carrying ``MEA+AAE+VGM`` and the
ports). One typed model serves both; the version decides the segments written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import tzinfo
from decimal import Decimal

from landbridge.interchange.edifact.common import (
    Dangerous,
    FreeText,
    Location,
    Measure,
    Party,
    Reader,
    Reference,
    Stamp,
    Transport,
    format_decimal,
)
from landbridge.interchange.edifact.equipment import EMPTY, FULL, LOCATION_QUALIFIERS
from landbridge.interchange.edifact.syntax import Problem, RawMessage, Segment, segment, wrap_message
from landbridge.interchange.edifact.tables import Group, MessageTable, Seg, q

VERSION_22 = "2.2"
VERSION_31 = "3.1"
_PORT_QUALIFIERS = q("6", "9", "11", "12", "13", "64", "65", "76", "83", "94", "97", "98")


@dataclass(frozen=True, order=True)
class Cell:
    """A stowage cell: bay (odd for 20 ft, even for 40 ft), row (00 centre, odd starboard) and tier."""

    bay: int
    row: int
    tier: int

    @classmethod
    def parse(cls, text: str) -> Cell:
        """``0340612`` → bay 34, row 6, tier 12 (a 6-digit form with a 2-digit bay is accepted)."""
        if not text.isdigit() or len(text) not in (6, 7):
            raise ValueError(f"stowage cell {text!r} is not BBBRRTT (7 digits)")
        bay_digits = len(text) - 4
        return cls(int(text[:bay_digits]), int(text[bay_digits : bay_digits + 2]), int(text[-2:]))

    def text(self) -> str:
        """``BBBRRTT``."""
        return f"{self.bay:03d}{self.row:02d}{self.tier:02d}"


@dataclass(frozen=True)
class StowedContainer:
    """One container in its cell."""

    cell: Cell
    number: str
    iso_type: str = ""
    status: str = ""
    full_empty: str = ""
    measures: tuple[Measure, ...] = ()
    locations: tuple[Location, ...] = ()
    references: tuple[Reference, ...] = ()
    carrier: Party | None = None
    temperature_c: Decimal | None = None
    dangerous: tuple[Dangerous, ...] = ()
    free_texts: tuple[FreeText, ...] = ()

    def _mass(self, *names: str) -> Decimal | None:
        for measure in self.measures:
            if measure.purpose in names or measure.attribute in names:
                return measure.mass_kg
        return None

    @property
    def vgm_kg(self) -> Decimal | None:
        """The verified gross mass."""
        return self._mass("VGM")

    @property
    def gross_mass_kg(self) -> Decimal | None:
        """The gross mass (``WT`` in 2.x), else the VGM."""
        found = self._mass("WT", "G")
        return found if found is not None else self.vgm_kg

    def port(self, qualifier: str) -> str | None:
        """The port with this LOC qualifier (9 loading, 11 discharge)."""
        return next((item.code for item in self.locations if item.qualifier == qualifier), None)

    @property
    def load_state(self) -> str | None:
        """``full`` / ``empty``."""
        return {FULL: "full", EMPTY: "empty"}.get(self.full_empty)


@dataclass(frozen=True)
class Bayplan:
    """A BAPLIE: the vessel call (TDT group) and its containers by cell."""

    version: str
    document_number: str
    function: str = "9"
    document_code: str = ""
    stamps: tuple[Stamp, ...] = ()
    transport: Transport | None = None
    containers: tuple[StowedContainer, ...] = ()
    reference: str = field(default="1", compare=False)

    @property
    def identifier(self) -> tuple[str, str, str, str, str]:
        """UNH S009."""
        if self.version == VERSION_31:
            return ("BAPLIE", "D", "13B", "UN", "SMDG31")
        return ("BAPLIE", "D", "95B", "UN", "SMDG22")

    def to_segments(self, zone: tzinfo, decimal_mark: str = ".") -> list[Segment]:
        """The whole message in the layout of its version."""
        body: list[Segment] = [segment("BGM", self.document_code, self.document_number, self.function)]
        body.extend(item.to_segment(zone) for item in self.stamps)
        if self.transport is not None:
            body.extend(self.transport.to_segments(zone))
        if self.version == VERSION_31:
            body.append(segment("UNS", "D"))
            for unit in self.containers:
                body.extend(_unit_31(unit, zone, decimal_mark))
        else:
            for unit in self.containers:
                body.extend(_unit_22(unit, decimal_mark))
        return wrap_message(self.reference, self.identifier, body)


def _temperature(unit: StowedContainer, decimal_mark: str) -> list[Segment]:
    if unit.temperature_c is None:
        return []
    return [segment("TMP", "2", (format_decimal(unit.temperature_c, decimal_mark), "CEL"))]


def _unit_22(unit: StowedContainer, decimal_mark: str) -> list[Segment]:
    segments = [segment("LOC", "147", (unit.cell.text(), "", "5"))]
    segments.extend(item.to_segment() for item in unit.free_texts)
    segments.extend(item.to_segment(decimal_mark) for item in unit.measures)
    segments.extend(_temperature(unit, decimal_mark))
    segments.extend(item.to_segment() for item in unit.locations)
    segments.extend(item.to_segment() for item in unit.references)
    segments.append(segment("EQD", "CN", unit.number, unit.iso_type, "", unit.status, unit.full_empty))
    if unit.carrier is not None:
        segments.append(unit.carrier.to_segment())
    segments.extend(item.to_segment() for item in unit.dangerous)
    return segments


def _unit_31(unit: StowedContainer, zone: tzinfo, decimal_mark: str) -> list[Segment]:
    segments = [segment("LOC", "147", (unit.cell.text(), "9711", "5"))]
    segments.extend(item.to_segment() for item in unit.free_texts)
    segments.append(
        segment(
            "EQD",
            "CN",
            unit.number,
            (unit.iso_type, "102", "5") if unit.iso_type else "",
            "",
            unit.status,
            unit.full_empty,
        )
    )
    if unit.carrier is not None:
        segments.append(unit.carrier.to_segment())
    segments.extend(item.to_segment(decimal_mark) for item in unit.measures)
    segments.extend(item.to_segment() for item in unit.references)
    segments.extend(item.to_segment() for item in unit.locations)
    segments.extend(_temperature(unit, decimal_mark))
    segments.extend(item.to_segment() for item in unit.dangerous)
    return segments


_HEADER_TDT = Group(
    "SG-TDT",
    "M",
    3,
    (
        Seg("TDT", "M", 1, q("20")),
        Seg("RFF", "C", 9, q("VON", "VM", "ZZZ")),
        Seg("LOC", "C", 9, q("5", "61", "9", "11", "165")),
        Seg("DTM", "C", 99, q("132", "133", "136", "178", "179")),
    ),
)

TABLE_22 = MessageTable(
    "BAPLIE",
    "95B",
    q("SMDG22", "SMDG21", "SMDG20"),
    (
        Seg("UNH", "M", 1, required=((1, 1, "message reference"),)),
        Seg("BGM", "M", 1, required=((2, 1, "document number (1004)"),), qualifiers=None),
        Seg("DTM", "M", 1, q("137")),
        _HEADER_TDT,
        Group(
            "SG-LOC147",
            "C",
            9999,
            (
                Seg("LOC", "M", 1, q("147"), required=((2, 1, "stowage cell"),)),
                Seg("GID", "C", 1),
                Seg("GDS", "C", 9),
                Seg("FTX", "C", 9),
                Seg("MEA", "M", 9, q("WT", "VGM"), required=((3, 2, "mass value"),)),
                Seg("DIM", "C", 9),
                Seg("TMP", "C", 1, q("2")),
                Seg("RNG", "C", 1),
                Seg("LOC", "C", 9, _PORT_QUALIFIERS),
                Seg("RFF", "M", 1, q("BM", "ZZZ")),
                Group("SG-EQD", "C", 3, (Seg("EQD", "M", 1, q("CN")), Seg("EQA", "C", 9), Seg("NAD", "C", 1, q("CA")))),
                Group("SG-DGS", "C", 999, (Seg("DGS", "M", 1, q("IMD")), Seg("FTX", "C", 1))),
            ),
        ),
        Seg("UNT", "M", 1),
    ),
    "UNTDID D.95B BAPLIE (service.unece.org/trade/untdid/d95b/trmd/baplie_s.htm); SMDG BAPLIE 2.2 adds MEA+VGM",
)

TABLE_31 = MessageTable(
    "BAPLIE",
    "13B",
    q("SMDG31", "SMDG311"),
    (
        Seg("UNH", "M", 1, required=((1, 1, "message reference"),)),
        Seg("BGM", "M", 1, required=((2, 1, "document number (1004)"),)),
        Seg("DTM", "C", 9, q("137")),
        Seg("RFF", "C", 9),
        Seg("NAD", "C", 9),
        Group("SG-TDT", "M", 9, _HEADER_TDT.children),
        Seg("UNS", "M", 1, q("D")),
        Group(
            "SG-LOC147",
            "C",
            99999,
            (
                Seg("LOC", "M", 1, q("147"), required=((2, 1, "stowage cell"),)),
                Seg("FTX", "C", 9),
                Seg("RFF", "C", 9, q("ZZZ")),
                Group(
                    "SG-EQD",
                    "C",
                    9,
                    (
                        Seg("EQD", "M", 1, q("CN")),
                        Seg("NAD", "C", 9, q("CA", "CF")),
                        Seg("MEA", "C", 9, q("AAE"), required=((2, 1, "measured property"), (3, 2, "mass value"))),
                        Seg("HAN", "C", 9),
                        Seg("DIM", "C", 9),
                        Seg("RFF", "C", 9, q("BM", "BN", "ZZZ")),
                        Seg("GDS", "C", 9),
                        Seg("LOC", "C", 9, _PORT_QUALIFIERS),
                        Seg("TMP", "C", 1, q("2")),
                        Group("SG-DGS", "C", 999, (Seg("DGS", "M", 1, q("IMD")), Seg("FTX", "C", 9))),
                    ),
                ),
            ),
        ),
        Seg("CNT", "C", 9),
        Seg("UNT", "M", 1),
    ),
    "UNTDID D.13B BAPLIE; SMDG BAPLIE 3.1 (UNS+D, EQD group with MEA+AAE+VGM)",
)


class _UnitBuilder:
    def __init__(self, cell: Cell) -> None:
        self.cell = cell
        self.number = ""
        self.iso_type = ""
        self.status = ""
        self.full_empty = ""
        self.measures: list[Measure] = []
        self.locations: list[Location] = []
        self.references: list[Reference] = []
        self.carrier: Party | None = None
        self.temperature_c: Decimal | None = None
        self.dangerous: list[Dangerous] = []
        self.free_texts: list[FreeText] = []

    def build(self) -> StowedContainer:
        return StowedContainer(
            self.cell,
            self.number,
            self.iso_type,
            self.status,
            self.full_empty,
            tuple(self.measures),
            tuple(self.locations),
            tuple(self.references),
            self.carrier,
            self.temperature_c,
            tuple(self.dangerous),
            tuple(self.free_texts),
        )

    def take(self, reader: Reader, item: Segment, position: int) -> None:
        """A segment of this cell's stowage group."""
        tag = item.tag
        if tag == "EQD":
            if self.number:
                reader.fail(item, position, 2, 1, "a second container in the same cell")
            self.number = reader.container(item, position)
            self.iso_type = item.component(3, 1)
            self.status = item.component(5)
            self.full_empty = item.component(6)
            if self.full_empty not in ("", FULL, EMPTY):
                reader.fail(item, position, 6, 1, f"full/empty indicator {self.full_empty!r} is not 4 or 5")
        elif tag == "MEA":
            self.measures.append(reader.measure(item, position))
        elif tag == "LOC":
            if item.qualifier not in LOCATION_QUALIFIERS | _PORT_QUALIFIERS:
                reader.fail(item, position, 1, 1, f"location qualifier {item.qualifier!r} is unknown")
            self.locations.append(reader.location(item))
        elif tag == "RFF":
            self.references.append(reader.reference(item))
        elif tag == "NAD":
            self.carrier = reader.party(item)
        elif tag == "TMP":
            self.temperature_c = reader.decimal(item, position, 2, 1, "temperature")
        elif tag == "DGS":
            self.dangerous.append(reader.dangerous(item))
        elif tag == "FTX":
            self.free_texts.append(reader.free_text(item))


class _PlanBuilder:
    """The header and TDT group of a bay plan, and its cells as they come."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.header = {"document_code": "", "document_number": "", "function": "9"}
        self.stamps: list[Stamp] = []
        self.transport: Transport | None = None
        self.t_refs: list[Reference] = []
        self.t_locs: list[Location] = []
        self.t_stamps: list[Stamp] = []
        self.units: list[_UnitBuilder] = []
        self.seen_cells: dict[Cell, int] = {}

    def cell(self, item: Segment, position: int) -> None:
        try:
            cell = Cell.parse(item.component(2, 1))
        except ValueError as error:
            self.reader.fail(item, position, 2, 1, str(error))
            cell = Cell(0, 0, 0)
        if cell in self.seen_cells and cell != Cell(0, 0, 0):
            self.reader.fail(
                item, position, 2, 1, f"cell {cell.text()} is already used at segment {self.seen_cells[cell]}"
            )
        self.seen_cells.setdefault(cell, position)
        self.units.append(_UnitBuilder(cell))

    def header_segment(self, item: Segment, position: int) -> None:
        tag = item.tag
        if tag == "BGM":
            self.header = {
                "document_code": item.component(1),
                "document_number": item.component(2),
                "function": item.component(3) or "9",
            }
        elif tag == "TDT":
            self.transport = self.reader.transport(item)
        elif tag == "DTM":
            stamp = self.reader.stamp(item, position)
            if stamp is not None:
                (self.t_stamps if self.transport is not None else self.stamps).append(stamp)
        elif tag == "RFF" and self.transport is not None:
            self.t_refs.append(self.reader.reference(item))
        elif tag == "LOC" and self.transport is not None:
            self.t_locs.append(self.reader.location(item))


def parse_bayplan(raw: RawMessage, zone: tzinfo) -> tuple[Bayplan, list[Problem]]:
    """The typed bay plan and the faults of its content (cells, check digits, masses, cells used twice)."""
    reader = Reader(zone)
    builder = _PlanBuilder(reader)
    for position, item in enumerate(raw.segments, start=1):
        if item.tag == "LOC" and item.qualifier == "147":
            builder.cell(item, position)
        elif builder.units:
            builder.units[-1].take(reader, item, position)
        else:
            builder.header_segment(item, position)
    for index, unit in enumerate(builder.units):
        if not unit.number:
            position = _position_of_cell(raw, index)
            reader.problems.append(
                Problem("13", f"cell {unit.cell.text()} has no container (EQD)", "LOC", position, 2, 1)
            )
    transport = builder.transport
    if transport is not None:
        transport = replace(
            transport, references=tuple(builder.t_refs), locations=tuple(builder.t_locs), stamps=tuple(builder.t_stamps)
        )
    plan = Bayplan(
        version=VERSION_31 if raw.identifier[2] == "13B" else VERSION_22,
        document_code=builder.header["document_code"],
        document_number=builder.header["document_number"],
        function=builder.header["function"],
        stamps=tuple(builder.stamps),
        transport=transport,
        containers=tuple(unit.build() for unit in builder.units),
        reference=raw.reference,
    )
    return plan, reader.problems


def _position_of_cell(raw: RawMessage, index: int) -> int:
    count = -1
    for position, item in enumerate(raw.segments, start=1):
        if item.tag == "LOC" and item.qualifier == "147":
            count += 1
            if count == index:
                return position
    return 0
