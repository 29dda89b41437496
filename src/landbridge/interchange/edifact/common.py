"""Value types shared by the messages (dates, places, masses, seals, references, parties, transport)
and the reader that turns their segments into them, naming the segment and element of every fault.

EDIFACT times carry no offset: a partner's agreement says which zone its times are in, and the
reader attaches it, so every time in a model is aware. Writing converts back to that zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation

from landbridge.domain.errors import InvalidIdentifier
from landbridge.domain.identifiers import ContainerNumber
from landbridge.interchange.edifact.syntax import INVALID_VALUE, MISSING, Problem, Segment, segment

# DTM format codes (2379) we read and write.
DATE_FORMATS: dict[str, str] = {
    "102": "%Y%m%d",
    "203": "%Y%m%d%H%M",
    "204": "%Y%m%d%H%M%S",
    "101": "%y%m%d",
    "201": "%y%m%d%H%M",
}


@dataclass(frozen=True)
class Stamp:
    """A DTM: what the time means (qualifier 2005), when, and the format it was written in."""

    qualifier: str
    at: datetime
    format: str = "203"

    def to_segment(self, zone: tzinfo) -> Segment:
        """``DTM+qualifier:value:format`` in the partner's zone."""
        return segment(
            "DTM", (self.qualifier, self.at.astimezone(zone).strftime(DATE_FORMATS[self.format]), self.format)
        )


@dataclass(frozen=True)
class Location:
    """A LOC: function (3227: 9 loading, 11 discharge, 147 stowage cell, 165 terminal…), code and code list."""

    qualifier: str
    code: str
    code_list: str = ""
    agency: str = ""
    name: str = ""
    sublocation: str = ""
    sublocation_list: str = ""
    sublocation_agency: str = ""

    def to_segment(self) -> Segment:
        """``LOC+qualifier+code:list:agency:name+sublocation:list:agency`` (e.g. the terminal in a port)."""
        return segment(
            "LOC",
            self.qualifier,
            (self.code, self.code_list, self.agency, self.name),
            (self.sublocation, self.sublocation_list, self.sublocation_agency),
        )


_KG_PER_UNIT = {"KGM": Decimal(1), "TNE": Decimal(1000), "LBR": Decimal("0.45359237")}


@dataclass(frozen=True)
class Measure:
    """A MEA: purpose (AAE measurement, WT/VGM in BAPLIE 2), measured attribute (G gross, T tare, VGM…), unit, value."""

    purpose: str
    attribute: str
    unit: str
    value: Decimal

    def to_segment(self, decimal_mark: str = ".") -> Segment:
        """``MEA+purpose+property+unit:value``."""
        return segment("MEA", self.purpose, self.attribute, (self.unit, format_decimal(self.value, decimal_mark)))

    @property
    def mass_kg(self) -> Decimal | None:
        """The value in kilograms when it is a mass."""
        factor = _KG_PER_UNIT.get(self.unit)
        return None if factor is None else Decimal(self.value * factor)


@dataclass(frozen=True)
class Seal:
    """A SEL: seal number and who fixed it (CA carrier, SH shipper, CU customs, TO terminal)."""

    number: str
    issuer: str = ""

    def to_segment(self) -> Segment:
        """``SEL+number+issuer``."""
        return segment("SEL", self.number, self.issuer)


@dataclass(frozen=True)
class Reference:
    """An RFF: qualifier (1153: BN booking, BM bill of lading, VON voyage…) and value."""

    qualifier: str
    value: str

    def to_segment(self) -> Segment:
        """``RFF+qualifier:value``."""
        return segment("RFF", (self.qualifier, self.value))


@dataclass(frozen=True)
class Party:
    """A NAD: function (3035: CF container operator, CA carrier, MS sender…), code, code list, agency, name."""

    function: str
    code: str = ""
    code_list: str = ""
    agency: str = ""
    name: str = ""

    def to_segment(self) -> Segment:
        """``NAD+function+code:list:agency++name``."""
        return segment("NAD", self.function, (self.code, self.code_list, self.agency), "", self.name)


@dataclass(frozen=True)
class FreeText:
    """An FTX: subject (4451) and text."""

    subject: str
    text: str

    def to_segment(self) -> Segment:
        """``FTX+subject+++text``."""
        return segment("FTX", self.subject, "", "", self.text)


@dataclass(frozen=True)
class Dangerous:
    """A DGS: regulation (IMD), IMDG class and UN number."""

    regulation: str
    hazard_class: str
    un_number: str

    def to_segment(self) -> Segment:
        """``DGS+IMD+class+UN``."""
        return segment("DGS", self.regulation, self.hazard_class, self.un_number)


@dataclass(frozen=True)
class Transport:
    """A TDT group: stage (20 main carriage, 1 pre-, 30 on-carriage), voyage, mode, means, carrier, vessel."""

    stage: str
    voyage: str = ""
    mode: str = ""
    means: str = ""
    carrier: str = ""
    carrier_list: str = ""
    carrier_agency: str = ""
    means_id: str = ""
    means_id_list: str = ""
    means_name: str = ""
    references: tuple[Reference, ...] = ()
    locations: tuple[Location, ...] = ()
    stamps: tuple[Stamp, ...] = ()

    def tdt(self) -> Segment:
        """The TDT segment itself."""
        return segment(
            "TDT",
            self.stage,
            self.voyage,
            self.mode,
            self.means,
            (self.carrier, self.carrier_list, self.carrier_agency),
            "",
            "",
            (self.means_id, self.means_id_list, "", self.means_name),
        )

    def to_segments(self, zone: tzinfo) -> list[Segment]:
        """TDT, then its RFF, LOC and DTM."""
        return [
            self.tdt(),
            *(item.to_segment() for item in self.references),
            *(item.to_segment() for item in self.locations),
            *(item.to_segment(zone) for item in self.stamps),
        ]

    def location(self, qualifier: str) -> str | None:
        """The code of the first location with this qualifier."""
        return next((item.code for item in self.locations if item.qualifier == qualifier), None)


def format_decimal(value: Decimal, decimal_mark: str = ".") -> str:
    """A decimal as EDIFACT writes it: no exponent, no trailing zeros after the mark."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", decimal_mark)


class Reader:
    """Reads typed values out of one message's segments, recording each fault with its position."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.problems: list[Problem] = []

    def fail(
        self, item: Segment, position: int, element: int | None, component: int | None, reason: str, code: str = ""
    ) -> None:
        """Record a fault at this segment and element."""
        self.problems.append(Problem(code or INVALID_VALUE, reason, item.tag, position, element, component))

    def text(self, item: Segment, position: int, element: int, component: int, name: str) -> str:
        """A mandatory value; a fault (code 13) when empty."""
        value = item.component(element, component)
        if not value:
            self.fail(item, position, element, component, f"{name} is missing", MISSING)
        return value

    def container(self, item: Segment, position: int, element: int = 2) -> str:
        """An ISO 6346 container number (check digit verified)."""
        raw = item.component(element, 1)
        try:
            return str(ContainerNumber(raw))
        except InvalidIdentifier as error:
            self.fail(item, position, element, 1, f"container number {raw!r}: {error.reason}")
            return raw

    def decimal(self, item: Segment, position: int, element: int, component: int, name: str) -> Decimal:
        """A number (either decimal mark accepted)."""
        raw = item.component(element, component)
        try:
            value = Decimal(raw.replace(",", "."))
            if not value.is_finite():
                raise InvalidOperation
            return value
        except InvalidOperation:
            self.fail(item, position, element, component, f"{name} {raw!r} is not a number")
            return Decimal(0)

    def stamp(self, item: Segment, position: int) -> Stamp | None:
        """A DTM as an aware time in the partner's zone."""
        qualifier = item.component(1, 1)
        raw = item.component(1, 2)
        code = item.component(1, 3) or ("203" if len(raw) == 12 else "102")
        pattern = DATE_FORMATS.get(code)
        if pattern is None:
            self.fail(item, position, 1, 3, f"date/time format {code!r} is not one of {', '.join(DATE_FORMATS)}")
            return None
        try:
            moment = datetime.strptime(raw, pattern).replace(tzinfo=self.zone)
        except ValueError:
            self.fail(item, position, 1, 2, f"{raw!r} is not a date/time in format {code}")
            return None
        return Stamp(qualifier, moment, code)

    def location(self, item: Segment) -> Location:
        """A LOC."""
        return Location(
            item.component(1),
            item.component(2, 1),
            item.component(2, 2),
            item.component(2, 3),
            item.component(2, 4),
            item.component(3, 1),
            item.component(3, 2),
            item.component(3, 3),
        )

    def measure(self, item: Segment, position: int) -> Measure:
        """A MEA (property in element 2, unit:value in element 3)."""
        return Measure(
            item.component(1),
            item.component(2, 1),
            self.text(item, position, 3, 1, "measure unit"),
            self.decimal(item, position, 3, 2, "measure value"),
        )

    @staticmethod
    def reference(item: Segment) -> Reference:
        """An RFF."""
        return Reference(item.component(1, 1), item.component(1, 2))

    @staticmethod
    def party(item: Segment) -> Party:
        """A NAD."""
        return Party(
            item.component(1),
            item.component(2, 1),
            item.component(2, 2),
            item.component(2, 3),
            item.component(4, 1),
        )

    @staticmethod
    def free_text(item: Segment) -> FreeText:
        """An FTX (text in element 4)."""
        return FreeText(item.component(1), item.component(4, 1))

    @staticmethod
    def seal(item: Segment) -> Seal:
        """A SEL."""
        return Seal(item.component(1, 1), item.component(2, 1))

    @staticmethod
    def dangerous(item: Segment) -> Dangerous:
        """A DGS."""
        return Dangerous(item.component(1), item.component(2, 1), item.component(3, 1))

    @staticmethod
    def transport(item: Segment) -> Transport:
        """A TDT (its RFF/LOC/DTM are added by the caller)."""
        return Transport(
            stage=item.component(1),
            voyage=item.component(2),
            mode=item.component(3, 1),
            means=item.component(4, 1),
            carrier=item.component(5, 1),
            carrier_list=item.component(5, 2),
            carrier_agency=item.component(5, 3),
            means_id=item.component(8, 1),
            means_id_list=item.component(8, 2),
            means_name=item.component(8, 4),
        )


def first_stamp(stamps: Sequence[Stamp], *qualifiers: str) -> datetime | None:
    """The time of the first stamp with one of these qualifiers."""
    return next((item.at for item in stamps if item.qualifier in qualifiers), None)


def first_reference(references: Sequence[Reference], qualifier: str) -> str | None:
    """The value of the first reference with this qualifier."""
    return next((item.value for item in references if item.qualifier == qualifier), None)
