"""ISO 6346 size-type codes: our own table of the common codes with the properties the hub uses.

The first character gives the length (2 = 20 ft, 4 = 40 ft, L = 45 ft), the second the height
(0 = 8 ft, 2 = 8 ft 6 in, 5 = 9 ft 6 in high cube), the last two the type group.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from landbridge.domain.errors import InvalidIdentifier

_LENGTH_FT = {"2": 20, "4": 40, "L": 45}
_LENGTH_MM = {"2": 6058, "4": 12192, "L": 13716}
_HEIGHT_MM = {"0": 2438, "2": 2591, "5": 2896}
# ISO 668:2020 rating R (maximum gross mass) for series 1: 36,000 kg for 1C/1CC (20 ft), 1A/1AA/1AAA
# (40 ft) and 1EE/1EEE (45 ft) alike — the 2013 table's 30,480 kg was raised by Amd 1:2016. The one
# maximum the hub checks (registration, correction, stuffing, VGM); a box plated lower is still
# refused by its VGM against the plate only when the plate is recorded, which the hub does not do.
_MAX_GROSS_MASS_KG = {20: 36_000, 40: 36_000, 45: 36_000}
MAX_RATING_KG = max(_MAX_GROSS_MASS_KG.values())
# TEU per box length: the statistical convention of ITF / Eurostat / UNECE, "Illustrated Glossary for
# Transport Statistics", 4th edition (2009), "Sizes of containers": 20 ft = 1, over 20 and under
# 40 ft = 1.5, 40 ft = 2, over 40 ft = 2.25 TEU. The one rule for billing (TEU-days) and reports.
_TEU_BY_LENGTH_FT = {20: Decimal(1), 30: Decimal("1.5"), 40: Decimal(2), 45: Decimal("2.25")}


def teu_of_length(length_ft: int) -> Decimal:
    """Twenty-foot equivalent units of a box ``length_ft`` long (45 ft → 2.25; see the source above)."""
    if length_ft <= 20:
        return _TEU_BY_LENGTH_FT[20]
    if length_ft < 40:
        return _TEU_BY_LENGTH_FT[30]
    return _TEU_BY_LENGTH_FT[40] if length_ft == 40 else _TEU_BY_LENGTH_FT[45]


_TYPE_NAMES = {
    "G": "general purpose",
    "R": "reefer",
    "U": "open top",
    "P": "flat rack / platform",
    "T": "tank",
    "B": "dry bulk",
    "H": "insulated",
    "V": "ventilated",
}


@dataclass(frozen=True)
class IsoSizeType:
    """A decoded ISO 6346 size-type code."""

    code: str
    length_ft: int
    length_mm: int
    height_mm: int
    type_group: str
    description: str

    @property
    def teu(self) -> float:
        """Twenty-foot equivalent units (:func:`teu_of_length`): 1 for 20 ft, 2 for 40 ft, 2.25 for 45 ft."""
        return float(teu_of_length(self.length_ft))

    @property
    def max_gross_mass_kg(self) -> int:
        """ISO 668 rating R: the most the box may weigh, cargo and tare included."""
        return _MAX_GROSS_MASS_KG[self.length_ft]

    @property
    def is_reefer(self) -> bool:
        """Needs a reefer plug while stored."""
        return self.type_group == "R"

    @property
    def is_tank(self) -> bool:
        """Tank container."""
        return self.type_group == "T"

    @property
    def is_open_top(self) -> bool:
        """Open top: cannot carry a container stacked on top of it."""
        return self.type_group == "U"

    @property
    def is_high_cube(self) -> bool:
        """9 ft 6 in high."""
        return self.height_mm >= 2896


def _entry(code: str, description: str) -> IsoSizeType:
    return IsoSizeType(
        code=code,
        length_ft=_LENGTH_FT[code[0]],
        length_mm=_LENGTH_MM[code[0]],
        height_mm=_HEIGHT_MM[code[1]],
        type_group=code[2],
        description=description,
    )


ISO_SIZE_TYPES: dict[str, IsoSizeType] = {
    entry.code: entry
    for entry in (
        _entry("22G1", "20 ft general purpose, vents"),
        _entry("22G0", "20 ft general purpose"),
        _entry("22R1", "20 ft integral reefer"),
        _entry("22U1", "20 ft open top"),
        _entry("22P1", "20 ft flat rack, fixed ends"),
        _entry("22T1", "20 ft tank, non-dangerous liquids"),
        _entry("22T6", "20 ft tank, dangerous liquids"),
        _entry("22B0", "20 ft dry bulk (grain)"),
        _entry("22V0", "20 ft ventilated"),
        _entry("25G1", "20 ft high cube general purpose"),
        _entry("42G1", "40 ft general purpose"),
        _entry("42R1", "40 ft integral reefer"),
        _entry("42U1", "40 ft open top"),
        _entry("42P1", "40 ft flat rack"),
        _entry("42T1", "40 ft tank"),
        _entry("45G1", "40 ft high cube general purpose"),
        _entry("45R1", "40 ft high cube reefer"),
        _entry("45U1", "40 ft high cube open top"),
        _entry("L5G1", "45 ft high cube general purpose"),
        _entry("L5R1", "45 ft high cube reefer"),
    )
}


def size_type(code: str) -> IsoSizeType:
    """Decode a size-type code; unknown codes are refused with the list of known ones."""
    normalised = str(code).strip().upper()
    found = ISO_SIZE_TYPES.get(normalised)
    if found is None:
        raise InvalidIdentifier(
            "iso_type", f"unknown ISO size-type code {code!r}; known: {', '.join(sorted(ISO_SIZE_TYPES))}"
        )
    return found
