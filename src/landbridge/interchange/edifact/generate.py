"""Seeded synthetic CODECO batches (a depot's gate reports) for the benchmark and the crash test.

Same seed, same bytes. Every container number is distinct and check-digit valid, every time is in
the past, and each interchange is preceded by its own UNA, as concatenated real files are.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from stdnum import iso6346

from landbridge.interchange.edifact.syntax import (
    DEFAULT_DELIMITERS,
    InterchangeHeader,
    interchange_text,
    segment,
    wrap_message,
)

ISO_TYPES = ("22G1", "45G1", "42G1", "45R1", "22U1")


def container_number(serial: int, owner: str = "LBD") -> str:
    """A valid ISO 6346 number ``OWNU`` + 6-digit serial + check digit."""
    body = f"{owner}U{serial % 1_000_000:06d}"
    return body + iso6346.calc_check_digit(body)


def codeco_batch(
    *,
    interchanges: int,
    messages_per_interchange: int,
    seed: int = 1,
    sender: str = "DEPOTLYG",
    recipient: str = "CNLYGLPCT",
    start: datetime = datetime(2026, 11, 1, tzinfo=UTC),
    owner: str = "LBD",
) -> Iterator[str]:
    """The batch as text, one interchange at a time (so a 100 MB file never sits in memory whole)."""
    draw = random.Random(seed)
    serial = 0
    for index in range(interchanges):
        moment = start + timedelta(minutes=index)
        date, time = InterchangeHeader.stamp(moment, "3")
        header = InterchangeHeader("UNOC", "3", sender, "ZZZ", recipient, "ZZZ", date, time, f"{seed:03d}{index:08d}")
        messages = []
        for number in range(1, messages_per_interchange + 1):
            serial += 1
            move = moment + timedelta(seconds=number)
            body = [
                segment("BGM", "34", f"DEP-{index}-{number}", "9"),
                segment("DTM", ("137", moment.strftime("%Y%m%d%H%M"), "203")),
                segment("NAD", "MS", (sender, "160", "ZZZ")),
                segment(
                    "EQD", "CN", container_number(serial, owner), (draw.choice(ISO_TYPES), "102", "5"), "2", "2", "5"
                ),
                segment("DTM", ("7", move.strftime("%Y%m%d%H%M"), "203")),
                segment("LOC", "165", ("CNLYG", "139", "6"), ("DEPOT", "TER", "ZZZ")),
                segment("MEA", "AAE", "G", ("KGM", str(draw.randint(4_000, 30_000)))),
                segment("SEL", f"SL{serial:08d}", "SH"),
            ]
            messages.append(wrap_message(str(number), ("CODECO", "D", "00B", "UN", "SMDG21"), body))
        yield interchange_text(header, messages, DEFAULT_DELIMITERS)


def bayplan(boxes: int, *, seed: int = 1, version: str = "3.1", imo: str = "9412347") -> str:
    """A BAPLIE of a ship with ``boxes`` containers, every cell distinct (bays 1–99 odd, rows 0–20, tiers 2–20 even)."""
    from landbridge.interchange.edifact.baplie import Bayplan, Cell, StowedContainer
    from landbridge.interchange.edifact.common import Location, Measure, Party, Reference, Stamp, Transport
    from landbridge.interchange.edifact.messages import write

    draw = random.Random(seed)
    cells = [
        Cell(bay, row, tier) for bay in range(1, 100, 2) for row in range(0, 21) for tier in (*range(2, 21, 2), 82, 84)
    ]
    chosen = sorted(draw.sample(cells, boxes))
    discharge = ("CNLYG", "KRPUS", "JPHKT")
    arrival = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
    units = tuple(
        StowedContainer(
            cell=cell,
            number=container_number(index + 1, "LBB"),
            iso_type=draw.choice(ISO_TYPES),
            full_empty="5",
            measures=(
                (Measure("AAE", "VGM", "KGM", Decimal(draw.randint(8_000, 30_000))),)
                if version == "3.1"
                else (Measure("VGM", "", "KGM", Decimal(draw.randint(8_000, 30_000))),)
            ),
            locations=(Location("9", "CNSHA", "139", "6"), Location("11", draw.choice(discharge), "139", "6")),
            references=(Reference("BM", "1"),),
            carrier=Party("CA", "COS", "172", "20"),
        )
        for index, cell in enumerate(chosen)
    )
    plan = Bayplan(
        version=version,
        document_number=f"BAY-{boxes}",
        document_code="659" if version == "3.1" else "",
        stamps=(Stamp("137", arrival),),
        transport=Transport(
            stage="20",
            voyage="126E",
            carrier="COS",
            carrier_list="172",
            carrier_agency="20",
            means_id=imo,
            means_id_list="146",
            means_name="COSCO LIANYUNGANG",
            locations=(Location("5", "CNSHA", "139", "6"), Location("61", "CNLYG", "139", "6")),
        ),
        containers=units,
    )
    date, time = InterchangeHeader.stamp(arrival, "3")
    header = InterchangeHeader("UNOC", "3", "COSCO", "ZZZ", "CNLYGLPCT", "ZZZ", date, time, f"BPL{boxes:06d}")
    return write(header, [plan], UTC)
