"""Dangerous goods as the IMDG Code classifies them: class/division, UN number, packing group.

The IMDG list itself is IMO copyright and is not shipped; bookings carry the class and UN number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from landbridge.domain.errors import InvalidIdentifier

IMDG_CLASSES = frozenset(
    {
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "1.5",
        "1.6",
        "2.1",
        "2.2",
        "2.3",
        "3",
        "4.1",
        "4.2",
        "4.3",
        "5.1",
        "5.2",
        "6.1",
        "6.2",
        "7",
        "8",
        "9",
    }
)
PACKING_GROUPS = frozenset({"I", "II", "III"})


@dataclass(frozen=True)
class DangerousGoods:
    """The dangerous-goods data of one goods line."""

    imdg_class: str
    un_number: str
    packing_group: str | None = None

    def __post_init__(self) -> None:
        if self.imdg_class not in IMDG_CLASSES:
            raise InvalidIdentifier("imdg_class", f"{self.imdg_class!r} is not an IMDG class or division")
        if not re.fullmatch(r"[0-9]{4}", self.un_number) or self.un_number == "0000":
            raise InvalidIdentifier("un_number", "UN number must be 4 digits (0001-3599)")
        if self.packing_group is not None and self.packing_group not in PACKING_GROUPS:
            raise InvalidIdentifier("packing_group", "packing group must be I, II or III")

    @property
    def primary_class(self) -> str:
        """The class without division (``2.1`` → ``2``), the unit of yard segregation."""
        return self.imdg_class.split(".")[0]
