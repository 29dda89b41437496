"""The container messages' common shape: COPRAR, COARRI, CODECO and COPARN are all a header, a
transport (TDT group), parties (NAD group) and a list of equipment (EQD group) with its references,
times, places, masses, seals and hazards. One typed model and one table builder serve all four;
each message module adds its document codes and its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from decimal import Decimal

from landbridge.interchange.edifact.common import (
    Dangerous,
    FreeText,
    Location,
    Measure,
    Party,
    Reader,
    Reference,
    Seal,
    Stamp,
    Transport,
    first_reference,
    first_stamp,
    format_decimal,
)
from landbridge.interchange.edifact.syntax import (
    INVALID_VALUE,
    Problem,
    RawMessage,
    Segment,
    segment,
    wrap_message,
)
from landbridge.interchange.edifact.tables import Group, MessageTable, Seg, q

FULL = "5"
EMPTY = "4"
# Equipment status (8249): 2 export, 3 import, 6 transhipment (the codes the container MIGs use).
STATUS_CODES = q("1", "2", "3", "4", "5", "6", "7")
LOCATION_QUALIFIERS = q("5", "7", "8", "9", "11", "13", "61", "76", "88", "98", "147", "165")
DATE_QUALIFIERS = q("7", "132", "133", "136", "137", "178", "179", "180", "186", "200", "203", "36", "396", "798")
REFERENCE_QUALIFIERS = q("BN", "BM", "AAQ", "ABT", "ACD", "AKM", "ATZ", "CU", "CV", "RE", "SQ", "VON", "VM", "ZZZ")
PARTY_FUNCTIONS = q("CF", "CA", "CZ", "CN", "FW", "GF", "HR", "MS", "MR", "TR", "SPC", "TB", "BA")
SEAL_ISSUERS = frozenset({"", "AA", "AB", "AC", "CA", "CU", "SH", "TO"})
TRANSPORT_STAGES = q("1", "10", "20", "30")
TEXT_SUBJECTS = q("AAA", "AAI", "AAY", "ABS", "DAR", "HAN", "OSI", "ZZZ")
MASS_PROPERTIES_D00B = frozenset({"G", "T", "AAL", "VGM"})
MASS_PROPERTIES_D95B = frozenset({"G", "T", "AAL"})


@dataclass(frozen=True)
class Equipment:
    """One container in an EQD group: EQD+CN+number+type:102:5+supplier+status+full/empty."""

    number: str
    iso_type: str = ""
    supplier: str = ""
    status: str = ""
    full_empty: str = ""
    references: tuple[Reference, ...] = ()
    stamps: tuple[Stamp, ...] = ()
    locations: tuple[Location, ...] = ()
    measures: tuple[Measure, ...] = ()
    temperature_c: Decimal | None = None
    seals: tuple[Seal, ...] = ()
    free_texts: tuple[FreeText, ...] = ()
    dangerous: tuple[Dangerous, ...] = ()
    parties: tuple[Party, ...] = ()
    transport: Transport | None = None

    @property
    def load_state(self) -> str | None:
        """``full`` / ``empty`` from the full/empty indicator (8169)."""
        return {FULL: "full", EMPTY: "empty"}.get(self.full_empty)

    def mass_kg(self, prop: str) -> Decimal | None:
        """A mass by its property code (G gross, VGM verified gross, T tare) in kg."""
        for measure in self.measures:
            if measure.attribute == prop:
                return measure.mass_kg
        return None

    @property
    def gross_mass_kg(self) -> Decimal | None:
        """The gross mass (``MEA+AAE+G``), falling back to the VGM."""
        found = self.mass_kg("G")
        return found if found is not None else self.mass_kg("VGM")

    @property
    def vgm_kg(self) -> Decimal | None:
        """The SOLAS verified gross mass (``MEA+AAE+VGM``)."""
        return self.mass_kg("VGM")

    @property
    def booking_reference(self) -> str | None:
        """``RFF+BN``."""
        return first_reference(self.references, "BN")

    def location(self, qualifier: str) -> str | None:
        """The code of the first LOC with this qualifier (9 loading, 11 discharge, 147 cell, 165 terminal)."""
        return next((item.code for item in self.locations if item.qualifier == qualifier), None)

    def when(self, *qualifiers: str) -> datetime | None:
        """The first time with one of these DTM qualifiers."""
        return first_stamp(self.stamps, *qualifiers)

    def to_segments(self, zone: tzinfo, decimal_mark: str = ".") -> list[Segment]:
        """The EQD group in our order (EQD RFF DTM LOC MEA TMP SEL FTX DGS NAD, then TDT)."""
        segments = [
            segment(
                "EQD",
                "CN",
                self.number,
                (self.iso_type, "102", "5") if self.iso_type else "",
                self.supplier,
                self.status,
                self.full_empty,
            ),
            *(item.to_segment() for item in self.references),
            *(item.to_segment(zone) for item in self.stamps),
            *(item.to_segment() for item in self.locations),
            *(item.to_segment(decimal_mark) for item in self.measures),
        ]
        if self.temperature_c is not None:
            segments.append(segment("TMP", "2", (format_decimal(self.temperature_c, decimal_mark), "CEL")))
        segments.extend(item.to_segment() for item in self.seals)
        segments.extend(item.to_segment() for item in self.free_texts)
        segments.extend(item.to_segment() for item in self.dangerous)
        segments.extend(item.to_segment() for item in self.parties)
        if self.transport is not None:
            segments.extend(self.transport.to_segments(zone))
        return segments


@dataclass(frozen=True)
class ContainerMessage:
    """A COPRAR, COARRI, CODECO or COPARN: header, transport, parties and equipment."""

    message_type: str
    document_code: str
    document_number: str
    function: str = "9"
    release: str = "00B"
    association: str = "SMDG21"
    stamps: tuple[Stamp, ...] = ()
    free_texts: tuple[FreeText, ...] = ()
    references: tuple[Reference, ...] = ()
    transport: Transport | None = None
    parties: tuple[Party, ...] = ()
    equipment: tuple[Equipment, ...] = ()
    declared_count: int | None = None
    reference: str = field(default="1", compare=False)

    @property
    def identifier(self) -> tuple[str, str, str, str, str]:
        """UNH S009."""
        return (self.message_type, "D", self.release, "UN", self.association)

    def party(self, function: str) -> Party | None:
        """The first party with this function."""
        return next((item for item in self.parties if item.function == function), None)

    def to_segments(self, zone: tzinfo, decimal_mark: str = ".") -> list[Segment]:
        """The whole message, UNH…UNT."""
        body: list[Segment] = [segment("BGM", self.document_code, self.document_number, self.function)]
        body.extend(item.to_segment(zone) for item in self.stamps)
        body.extend(item.to_segment() for item in self.free_texts)
        body.extend(item.to_segment() for item in self.references)
        if self.transport is not None:
            body.extend(self.transport.to_segments(zone))
        body.extend(item.to_segment() for item in self.parties)
        for item in self.equipment:
            body.extend(item.to_segments(zone, decimal_mark))
        if self.declared_count is not None:
            body.append(segment("CNT", ("16", str(self.declared_count))))
        return wrap_message(self.reference, self.identifier, body)

    def with_reference(self, reference: str) -> ContainerMessage:
        """The same message under another UNH reference."""
        return replace(self, reference=reference)


def container_table(
    message_type: str,
    release: str,
    associations: frozenset[str],
    document_codes: frozenset[str],
    *,
    transport: str,
    equipment: str,
    notes: str = "",
) -> MessageTable:
    """The table of a container message; ``transport``/``equipment`` are the TDT and EQD groups' status (M/C)."""
    return MessageTable(
        message_type,
        release,
        associations,
        (
            Seg("UNH", "M", 1, required=((1, 1, "message reference"), (2, 1, "message type"))),
            Seg("BGM", "M", 1, document_codes, required=((2, 1, "document number (1004)"),)),
            Seg("DTM", "C", 9, DATE_QUALIFIERS),
            Seg("FTX", "C", 9, TEXT_SUBJECTS),
            Seg("RFF", "C", 9, REFERENCE_QUALIFIERS, required=((1, 2, "reference"),)),
            Group(
                "SG-TDT",
                "M" if transport == "M" else "C",
                1,
                (
                    Seg("TDT", "M", 1, TRANSPORT_STAGES),
                    Seg("RFF", "C", 9, REFERENCE_QUALIFIERS),
                    Seg("LOC", "C", 9, LOCATION_QUALIFIERS, required=((2, 1, "location code"),)),
                    Seg("DTM", "C", 9, DATE_QUALIFIERS),
                ),
            ),
            Group(
                "SG-NAD",
                "M",
                9,
                (Seg("NAD", "M", 1, PARTY_FUNCTIONS), Seg("CTA", "C", 9), Seg("COM", "C", 9)),
            ),
            Group(
                "SG-EQD",
                "M" if equipment == "M" else "C",
                9999,
                (
                    Seg("EQD", "M", 1, q("CN"), required=((2, 1, "equipment identification (8260)"),)),
                    Seg("RFF", "C", 9, REFERENCE_QUALIFIERS, required=((1, 2, "reference"),)),
                    Seg("DTM", "C", 9, DATE_QUALIFIERS),
                    Seg("LOC", "C", 9, LOCATION_QUALIFIERS, required=((2, 1, "location code"),)),
                    Seg("MEA", "C", 9, q("AAE"), required=((2, 1, "measured property"), (3, 2, "measure value"))),
                    Seg("TMP", "C", 1, q("2")),
                    Seg("SEL", "C", 9, required=((1, 1, "seal number"),)),
                    Seg("FTX", "C", 9, TEXT_SUBJECTS),
                    Seg("DGS", "C", 99, q("IMD"), required=((2, 1, "hazard class"),)),
                    Seg("NAD", "C", 9, PARTY_FUNCTIONS),
                    Group(
                        "SG-EQD-TDT",
                        "C",
                        1,
                        (
                            Seg("TDT", "M", 1, TRANSPORT_STAGES),
                            Seg("RFF", "C", 9, REFERENCE_QUALIFIERS),
                            Seg("LOC", "C", 9, LOCATION_QUALIFIERS),
                            Seg("DTM", "C", 9, DATE_QUALIFIERS),
                        ),
                    ),
                ),
            ),
            Seg("CNT", "C", 1, q("16")),
            Seg("UNT", "M", 1),
        ),
        notes,
    )


class _TransportBuilder:
    def __init__(self, base: Transport) -> None:
        self.base = base
        self.references: list[Reference] = []
        self.locations: list[Location] = []
        self.stamps: list[Stamp] = []

    def build(self) -> Transport:
        return replace(
            self.base, references=tuple(self.references), locations=tuple(self.locations), stamps=tuple(self.stamps)
        )


class _EquipmentBuilder:
    def __init__(self, base: Equipment) -> None:
        self.base = base
        self.lists: dict[str, list[object]] = {
            name: []
            for name in (
                "references",
                "stamps",
                "locations",
                "measures",
                "seals",
                "free_texts",
                "dangerous",
                "parties",
            )
        }
        self.temperature_c: Decimal | None = None
        self.transport: _TransportBuilder | None = None

    def build(self) -> Equipment:
        values = {name: tuple(items) for name, items in self.lists.items()}
        return replace(
            self.base,
            temperature_c=self.temperature_c,
            transport=None if self.transport is None else self.transport.build(),
            **values,  # type: ignore[arg-type]
        )


class _MessageBuilder:
    """Where each segment of a container message goes: the header, the TDT group, or the current EQD group."""

    def __init__(self, reader: Reader, release: str, mass_properties: frozenset[str]) -> None:
        self.reader = reader
        self.release = release
        self.mass_properties = mass_properties
        self.header: dict[str, str] = {"document_code": "", "document_number": "", "function": "9"}
        self.stamps: list[Stamp] = []
        self.texts: list[FreeText] = []
        self.references: list[Reference] = []
        self.parties: list[Party] = []
        self.transport: _TransportBuilder | None = None
        self.equipment: list[_EquipmentBuilder] = []
        self.declared: int | None = None

    @property
    def current(self) -> _EquipmentBuilder | None:
        return self.equipment[-1] if self.equipment else None

    def in_transport(self) -> _TransportBuilder | None:
        """The TDT group the next RFF/LOC/DTM belongs to, if any."""
        current = self.current
        return current.transport if current is not None else self.transport

    def take(self, item: Segment, position: int) -> None:
        handler = _HANDLERS.get(item.tag)
        if handler is not None:
            handler(self, item, position)

    def bgm(self, item: Segment, position: int) -> None:
        self.header = {
            "document_code": item.component(1, 1),
            "document_number": item.component(2, 1),
            "function": item.component(3, 1) or "9",
        }

    def eqd(self, item: Segment, position: int) -> None:
        reader = self.reader
        number = reader.container(item, position)
        full_empty = item.component(6)
        if full_empty not in ("", FULL, EMPTY):
            reader.fail(item, position, 6, 1, f"full/empty indicator {full_empty!r} is not 4 (empty) or 5 (full)")
        status = item.component(5)
        if status and status not in STATUS_CODES:
            reader.fail(item, position, 5, 1, f"equipment status {status!r} is not a known code")
        base = Equipment(
            number=number,
            iso_type=item.component(3, 1),
            supplier=item.component(4),
            status=status,
            full_empty=full_empty,
        )
        self.equipment.append(_EquipmentBuilder(base))

    def tdt(self, item: Segment, position: int) -> None:
        builder = _TransportBuilder(self.reader.transport(item))
        current = self.current
        if current is not None:
            current.transport = builder
        else:
            self.transport = builder

    def rff(self, item: Segment, position: int) -> None:
        reference = self.reader.reference(item)
        transport, current = self.in_transport(), self.current
        if transport is not None:
            transport.references.append(reference)
        elif current is not None:
            current.lists["references"].append(reference)
        else:
            self.references.append(reference)

    def loc(self, item: Segment, position: int) -> None:
        location = self.reader.location(item)
        transport, current = self.in_transport(), self.current
        if transport is not None:
            transport.locations.append(location)
        elif current is not None:
            current.lists["locations"].append(location)

    def dtm(self, item: Segment, position: int) -> None:
        stamp = self.reader.stamp(item, position)
        if stamp is None:
            return
        transport, current = self.in_transport(), self.current
        if transport is not None:
            transport.stamps.append(stamp)
        elif current is not None:
            current.lists["stamps"].append(stamp)
        else:
            self.stamps.append(stamp)

    def ftx(self, item: Segment, position: int) -> None:
        current = self.current
        (current.lists["free_texts"] if current is not None else self.texts).append(self.reader.free_text(item))

    def nad(self, item: Segment, position: int) -> None:
        current = self.current
        (current.lists["parties"] if current is not None else self.parties).append(self.reader.party(item))

    def mea(self, item: Segment, position: int) -> None:
        current = self.current
        if current is None:
            return
        measure = self.reader.measure(item, position)
        if measure.attribute not in self.mass_properties:
            allowed = ", ".join(sorted(self.mass_properties))
            reason = f"measured property {measure.attribute!r} is not supported on {self.release} (allowed: {allowed})"
            self.reader.fail(item, position, 2, 1, reason)
        current.lists["measures"].append(measure)

    def tmp(self, item: Segment, position: int) -> None:
        current = self.current
        if current is None:
            return
        current.temperature_c = self.reader.decimal(item, position, 2, 1, "temperature")
        unit = item.component(2, 2)
        if unit not in ("", "CEL"):
            self.reader.fail(item, position, 2, 2, f"temperature unit {unit!r} is not CEL")

    def sel(self, item: Segment, position: int) -> None:
        current = self.current
        if current is None:
            return
        seal = self.reader.seal(item)
        if seal.issuer not in SEAL_ISSUERS:
            self.reader.fail(item, position, 2, 1, f"seal issuer {seal.issuer!r} is not a known party code")
        current.lists["seals"].append(seal)

    def dgs(self, item: Segment, position: int) -> None:
        current = self.current
        if current is not None:
            current.lists["dangerous"].append(self.reader.dangerous(item))

    def cnt(self, item: Segment, position: int) -> None:
        raw_count = item.component(1, 2)
        if raw_count.isdigit():
            self.declared = int(raw_count)
        else:
            self.reader.fail(item, position, 1, 2, f"control value {raw_count!r} is not a whole number")


_HANDLERS = {
    "BGM": _MessageBuilder.bgm,
    "EQD": _MessageBuilder.eqd,
    "TDT": _MessageBuilder.tdt,
    "RFF": _MessageBuilder.rff,
    "LOC": _MessageBuilder.loc,
    "DTM": _MessageBuilder.dtm,
    "FTX": _MessageBuilder.ftx,
    "NAD": _MessageBuilder.nad,
    "MEA": _MessageBuilder.mea,
    "TMP": _MessageBuilder.tmp,
    "SEL": _MessageBuilder.sel,
    "DGS": _MessageBuilder.dgs,
    "CNT": _MessageBuilder.cnt,
}


def parse_container_message(
    raw: RawMessage, zone: tzinfo, mass_properties: frozenset[str] = MASS_PROPERTIES_D00B
) -> tuple[ContainerMessage, list[Problem]]:
    """The typed message and the faults of its content (check digits, dates, numbers, codes)."""
    reader = Reader(zone)
    message_type, _, release, _, association = raw.identifier
    builder = _MessageBuilder(reader, release, mass_properties)
    for position, item in enumerate(raw.segments, start=1):
        builder.take(item, position)
    built = tuple(equipment.build() for equipment in builder.equipment)
    declared = builder.declared
    if declared is not None and declared != len(built):
        reader.problems.append(
            Problem(
                INVALID_VALUE,
                f"CNT+16 declares {declared} containers, the message has {len(built)}",
                "CNT",
                next(i for i, s in enumerate(raw.segments, start=1) if s.tag == "CNT"),
                1,
                2,
            )
        )
    header, stamps, texts, references, parties, transport = (
        builder.header,
        builder.stamps,
        builder.texts,
        builder.references,
        builder.parties,
        builder.transport,
    )
    message = ContainerMessage(
        message_type=message_type,
        document_code=header["document_code"],
        document_number=header["document_number"],
        function=header["function"],
        release=release,
        association=association,
        stamps=tuple(stamps),
        free_texts=tuple(texts),
        references=tuple(references),
        transport=None if transport is None else transport.build(),
        parties=tuple(parties),
        equipment=built,
        declared_count=declared,
        reference=raw.reference,
    )
    return message, reader.problems
