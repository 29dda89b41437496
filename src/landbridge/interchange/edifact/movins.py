"""MOVINS, the stowage instructions: the line's plan for a call, per handling instruction (HAN: LOD
load, DIS discharge, RES restow) the cells and what goes in them (a container, or a type, port of
discharge and mass class). Shown to the planner; it changes no state.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import tzinfo

from landbridge.interchange.edifact.baplie import Cell
from landbridge.interchange.edifact.common import Location, Measure, Reader, Reference, Stamp, Transport
from landbridge.interchange.edifact.syntax import Problem, RawMessage, Segment, segment, wrap_message
from landbridge.interchange.edifact.tables import Group, MessageTable, Seg, q

HANDLING_CODES = q("LOD", "DIS", "RES", "SHI")


@dataclass(frozen=True)
class PlannedCell:
    """A cell of the plan and what is to go in it."""

    cell: Cell
    number: str = ""
    iso_type: str = ""
    locations: tuple[Location, ...] = ()
    measures: tuple[Measure, ...] = ()
    references: tuple[Reference, ...] = ()

    def port(self, qualifier: str) -> str | None:
        """The port with this LOC qualifier (11 discharge)."""
        return next((item.code for item in self.locations if item.qualifier == qualifier), None)


@dataclass(frozen=True)
class Instruction:
    """One HAN group: a handling instruction and its cells."""

    handling: str
    cells: tuple[PlannedCell, ...] = ()


@dataclass(frozen=True)
class StowageInstructions:
    """A MOVINS message."""

    document_number: str
    function: str = "9"
    stamps: tuple[Stamp, ...] = ()
    transport: Transport | None = None
    instructions: tuple[Instruction, ...] = ()
    reference: str = field(default="1", compare=False)

    @property
    def identifier(self) -> tuple[str, str, str, str, str]:
        """UNH S009."""
        return ("MOVINS", "D", "95B", "UN", "SMDG20")

    def to_segments(self, zone: tzinfo, decimal_mark: str = ".") -> list[Segment]:
        """The whole message."""
        body: list[Segment] = [segment("BGM", "", self.document_number, self.function)]
        body.extend(item.to_segment(zone) for item in self.stamps)
        if self.transport is not None:
            body.extend(self.transport.to_segments(zone))
        for instruction in self.instructions:
            body.append(segment("HAN", instruction.handling))
            for planned in instruction.cells:
                body.append(segment("LOC", "147", (planned.cell.text(), "", "5")))
                body.extend(item.to_segment() for item in planned.references)
                body.extend(item.to_segment(decimal_mark) for item in planned.measures)
                body.extend(item.to_segment() for item in planned.locations)
                if planned.number or planned.iso_type:
                    body.append(segment("EQD", "CN", planned.number, planned.iso_type))
        return wrap_message(self.reference, self.identifier, body)


TABLE_D95B = MessageTable(
    "MOVINS",
    "95B",
    q("SMDG20", "SMDG21", ""),
    (
        Seg("UNH", "M", 1, required=((1, 1, "message reference"),)),
        Seg("BGM", "M", 1, required=((2, 1, "document number (1004)"),)),
        Seg("DTM", "M", 1, q("137")),
        Seg("RFF", "C", 1),
        Seg("NAD", "C", 1),
        Group(
            "SG-TDT",
            "M",
            1,
            (
                Seg("TDT", "M", 1, q("20")),
                Seg("RFF", "C", 9, q("VON", "ZZZ")),
                Seg("LOC", "C", 9, q("5", "61", "165")),
                Seg("DTM", "C", 99, q("132", "133", "136", "178")),
            ),
        ),
        Group(
            "SG-HAN",
            "M",
            99,
            (
                Seg("HAN", "M", 1, HANDLING_CODES),
                Group(
                    "SG-LOC147",
                    "C",
                    9999,
                    (
                        Seg("LOC", "M", 1, q("147"), required=((2, 1, "stowage cell"),)),
                        Seg("RFF", "C", 9),
                        Seg("FTX", "C", 9),
                        Seg("MEA", "C", 9, q("WT", "VGM", "AAE")),
                        Seg("LOC", "C", 9, q("9", "11", "13", "83")),
                        Seg("EQD", "C", 1, q("CN")),
                    ),
                ),
            ),
        ),
        Seg("UNT", "M", 1),
    ),
    "UNTDID D.95B MOVINS (HAN group of stowage instructions)",
)


class _CellBuilder:
    def __init__(self, cell: Cell) -> None:
        self.cell = cell
        self.number = ""
        self.iso_type = ""
        self.locations: list[Location] = []
        self.measures: list[Measure] = []
        self.references: list[Reference] = []

    def build(self) -> PlannedCell:
        return PlannedCell(
            self.cell, self.number, self.iso_type, tuple(self.locations), tuple(self.measures), tuple(self.references)
        )


def parse_instructions(raw: RawMessage, zone: tzinfo) -> tuple[StowageInstructions, list[Problem]]:
    """The typed stowage instructions and the faults of their content."""
    reader = Reader(zone)
    document_number, function = "", "9"
    stamps: list[Stamp] = []
    transport: Transport | None = None
    t_references: list[Reference] = []
    t_locations: list[Location] = []
    t_stamps: list[Stamp] = []
    instructions: list[tuple[str, list[_CellBuilder]]] = []
    planned: _CellBuilder | None = None
    for position, item in enumerate(raw.segments, start=1):
        tag = item.tag
        if tag == "BGM":
            document_number, function = item.component(2), item.component(3) or "9"
        elif tag == "TDT":
            transport = reader.transport(item)
        elif tag == "HAN":
            instructions.append((item.component(1), []))
            planned = None
        elif tag == "LOC" and item.qualifier == "147" and instructions:
            try:
                cell = Cell.parse(item.component(2, 1))
            except ValueError as error:
                reader.fail(item, position, 2, 1, str(error))
                cell = Cell(0, 0, 0)
            planned = _CellBuilder(cell)
            instructions[-1][1].append(planned)
        elif planned is None:
            if tag == "DTM":
                stamp = reader.stamp(item, position)
                if stamp is not None:
                    (t_stamps if transport is not None else stamps).append(stamp)
            elif tag == "RFF" and transport is not None:
                t_references.append(reader.reference(item))
            elif tag == "LOC" and transport is not None:
                t_locations.append(reader.location(item))
        elif tag == "EQD":
            if item.component(2):
                planned.number = reader.container(item, position)
            planned.iso_type = item.component(3, 1)
        elif tag == "LOC":
            planned.locations.append(reader.location(item))
        elif tag == "MEA":
            planned.measures.append(reader.measure(item, position))
        elif tag == "RFF":
            planned.references.append(reader.reference(item))
    if transport is not None:
        transport = replace(
            transport, references=tuple(t_references), locations=tuple(t_locations), stamps=tuple(t_stamps)
        )
    message = StowageInstructions(
        document_number=document_number,
        function=function,
        stamps=tuple(stamps),
        transport=transport,
        instructions=tuple(
            Instruction(handling, tuple(entry.build() for entry in cells)) for handling, cells in instructions
        ),
        reference=raw.reference,
    )
    return message, reader.problems
