"""VERMAS 1.0 on D.16A: the SOLAS verified gross mass of containers, who verified it, how (method
SM1 weighing the packed box, SM2 adding up its contents) and when (``DTM+798``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal

from landbridge.interchange.edifact.common import (
    Location,
    Measure,
    Party,
    Reader,
    Reference,
    Seal,
    Stamp,
    first_reference,
    first_stamp,
)
from landbridge.interchange.edifact.syntax import MISSING, Problem, RawMessage, Segment, segment, wrap_message
from landbridge.interchange.edifact.tables import Group, MessageTable, Seg, q

DOCUMENT_CODE = "XXX"  # VERMAS 1.0 uses the mutually agreed code in BGM 1001 (SMDG MIG)
METHODS = q("SM1", "SM2")


@dataclass(frozen=True)
class VerifiedMass:
    """One container's VGM declaration."""

    number: str
    iso_type: str = ""
    references: tuple[Reference, ...] = ()
    locations: tuple[Location, ...] = ()
    seals: tuple[Seal, ...] = ()
    measure: Measure | None = None
    stamps: tuple[Stamp, ...] = ()
    method: str = ""
    parties: tuple[Party, ...] = ()
    signatory: str = ""

    @property
    def vgm_kg(self) -> Decimal | None:
        """The verified gross mass in kg."""
        return None if self.measure is None else self.measure.mass_kg

    @property
    def determined_at(self) -> datetime | None:
        """When the mass was determined (``DTM+798``)."""
        return first_stamp(self.stamps, "798")

    @property
    def booking_reference(self) -> str | None:
        """``RFF+BN``."""
        return first_reference(self.references, "BN")

    @property
    def verified_by(self) -> str:
        """The signatory, else the responsible party's name or code."""
        if self.signatory:
            return self.signatory
        party = next((item for item in self.parties if item.function in ("SPC", "TB")), None)
        return "" if party is None else (party.name or party.code)


@dataclass(frozen=True)
class VgmDeclaration:
    """A VERMAS message."""

    document_number: str
    function: str = "9"
    document_code: str = DOCUMENT_CODE
    stamps: tuple[Stamp, ...] = ()
    references: tuple[Reference, ...] = ()
    parties: tuple[Party, ...] = ()
    containers: tuple[VerifiedMass, ...] = ()
    reference: str = field(default="1", compare=False)

    @property
    def identifier(self) -> tuple[str, str, str, str, str]:
        """UNH S009."""
        return ("VERMAS", "D", "16A", "UN", "SMDG10")

    def to_segments(self, zone: tzinfo, decimal_mark: str = ".") -> list[Segment]:
        """The whole message."""
        body: list[Segment] = [segment("BGM", self.document_code, self.document_number, self.function)]
        body.extend(item.to_segment(zone) for item in self.stamps)
        body.extend(item.to_segment() for item in self.references)
        body.extend(item.to_segment() for item in self.parties)
        for unit in self.containers:
            body.append(segment("EQD", "CN", unit.number, (unit.iso_type, "102", "5") if unit.iso_type else ""))
            body.extend(item.to_segment() for item in unit.references)
            body.extend(item.to_segment() for item in unit.locations)
            body.extend(item.to_segment() for item in unit.seals)
            if unit.measure is not None:
                body.append(unit.measure.to_segment(decimal_mark))
            body.extend(item.to_segment(zone) for item in unit.stamps)
            if unit.method:
                body.append(segment("DOC", (unit.method, "VGM", "306")))
            for party in unit.parties:
                body.append(party.to_segment())
            if unit.signatory:
                body.append(segment("CTA", "RP", ("", unit.signatory)))
        return wrap_message(self.reference, self.identifier, body)


TABLE_D16A = MessageTable(
    "VERMAS",
    "16A",
    q("SMDG10", "VGM10", ""),
    (
        Seg("UNH", "M", 1, required=((1, 1, "message reference"),)),
        Seg("BGM", "M", 1, required=((2, 1, "document number (1004)"),)),
        Seg("DTM", "C", 9, q("137")),
        Seg("RFF", "C", 9),
        Group("SG-NAD", "C", 9, (Seg("NAD", "M", 1), Seg("CTA", "C", 9), Seg("COM", "C", 9))),
        Group(
            "SG-EQD",
            "M",
            9999,
            (
                Seg("EQD", "M", 1, q("CN"), required=((2, 1, "equipment identification (8260)"),)),
                Seg("RFF", "C", 9, q("BN", "BM", "ZZZ")),
                Seg("LOC", "C", 9),
                Seg("SEL", "C", 9),
                Seg("MEA", "M", 1, q("AAE"), required=((2, 1, "measured property"), (3, 2, "mass value"))),
                Seg("DTM", "C", 9, q("798", "137")),
                Group("SG-DOC", "C", 9, (Seg("DOC", "M", 1, METHODS, qualifier_at=(1, 1)), Seg("DTM", "C", 1))),
                Group("SG-NAD2", "C", 9, (Seg("NAD", "M", 1, q("SPC", "TB", "WPA")), Seg("CTA", "C", 9))),
            ),
        ),
        Seg("UNT", "M", 1),
    ),
    "UNTDID D.16A VERMAS; SMDG VERMAS 1.0 MIG (June 2016)",
)


class _UnitBuilder:
    def __init__(self, number: str, iso_type: str, position: int) -> None:
        self.number = number
        self.iso_type = iso_type
        self.position = position
        self.references: list[Reference] = []
        self.locations: list[Location] = []
        self.seals: list[Seal] = []
        self.measure: Measure | None = None
        self.stamps: list[Stamp] = []
        self.method = ""
        self.parties: list[Party] = []
        self.signatory = ""

    def build(self) -> VerifiedMass:
        return VerifiedMass(
            number=self.number,
            iso_type=self.iso_type,
            references=tuple(self.references),
            locations=tuple(self.locations),
            seals=tuple(self.seals),
            measure=self.measure,
            stamps=tuple(self.stamps),
            method=self.method,
            parties=tuple(self.parties),
            signatory=self.signatory,
        )


def _take_unit_segment(reader: Reader, unit: _UnitBuilder, item: Segment, position: int) -> None:
    """A segment of a container's EQD group."""
    tag = item.tag
    if tag == "RFF":
        unit.references.append(reader.reference(item))
    elif tag == "LOC":
        unit.locations.append(reader.location(item))
    elif tag == "SEL":
        unit.seals.append(reader.seal(item))
    elif tag == "MEA":
        measure = reader.measure(item, position)
        if measure.attribute != "VGM":
            reader.fail(item, position, 2, 1, f"measured property {measure.attribute!r} is not VGM")
        elif measure.mass_kg is None or measure.mass_kg <= 0:
            reader.fail(item, position, 3, 2, f"verified gross mass {measure.value} {measure.unit} is not a mass")
        unit.measure = measure
    elif tag == "DTM":
        stamp = reader.stamp(item, position)
        if stamp is not None:
            unit.stamps.append(stamp)
    elif tag == "DOC":
        unit.method = item.component(1, 1)
    elif tag == "NAD":
        unit.parties.append(reader.party(item))
    elif tag == "CTA":
        unit.signatory = item.component(2, 2)


def parse_vgm(raw: RawMessage, zone: tzinfo) -> tuple[VgmDeclaration, list[Problem]]:
    """The typed declaration and the faults of its content."""
    reader = Reader(zone)
    header = {"document_code": DOCUMENT_CODE, "document_number": "", "function": "9"}
    stamps: list[Stamp] = []
    references: list[Reference] = []
    parties: list[Party] = []
    units: list[_UnitBuilder] = []
    unit: _UnitBuilder | None = None
    for position, item in enumerate(raw.segments, start=1):
        tag = item.tag
        if tag == "BGM":
            header = {
                "document_code": item.component(1),
                "document_number": item.component(2),
                "function": item.component(3) or "9",
            }
        elif tag == "EQD":
            unit = _UnitBuilder(reader.container(item, position), item.component(3, 1), position)
            units.append(unit)
        elif unit is not None:
            _take_unit_segment(reader, unit, item, position)
        elif tag == "DTM":
            stamp = reader.stamp(item, position)
            if stamp is not None:
                stamps.append(stamp)
        elif tag == "RFF":
            references.append(reader.reference(item))
        elif tag == "NAD":
            parties.append(reader.party(item))
    for built in units:
        if built.measure is None:
            reader.problems.append(Problem(MISSING, "the container has no MEA+AAE+VGM", "EQD", built.position, 2, 1))
    declaration = VgmDeclaration(
        document_number=header["document_number"],
        function=header["function"],
        document_code=header["document_code"],
        stamps=tuple(stamps),
        references=tuple(references),
        parties=tuple(parties),
        containers=tuple(built.build() for built in units),
        reference=raw.reference,
    )
    return declaration, reader.problems
