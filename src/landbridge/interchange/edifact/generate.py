"""Seeded synthetic CODECO batches (a depot's gate reports) for the benchmark and the crash test.

Same seed, same bytes. Every container number is distinct and check-digit valid, every time is in
the past, and each interchange is preceded by its own UNA, as concatenated real files are.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

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
