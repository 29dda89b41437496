"""Identifiers and codes of intermodal transport, validated on construction.

Each type is a ``str`` subclass holding the normalised (compact, upper-case) form, so it can be
stored, compared and serialised as a plain string while guaranteeing it passed its check.
"""

from __future__ import annotations

import re
from typing import ClassVar, Self

from stdnum import imo as _imo
from stdnum import iso6346 as _iso6346
from stdnum import luhn as _luhn
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from landbridge.domain.errors import InvalidIdentifier

_CONTAINER_RE = re.compile(r"^[A-Z]{3}[UJZ][0-9]{6}[0-9]$")


class ContainerNumber(str):
    """ISO 6346 container number: owner code, category U/J/Z, 6-digit serial, check digit."""

    __slots__ = ()

    def __new__(cls, value: str) -> Self:
        compact = re.sub(r"[\s\-./]", "", str(value)).upper()
        if len(compact) != 11:
            raise InvalidIdentifier("number", f"must have 11 characters (4 letters, 7 digits), got {len(compact)}")
        if not _CONTAINER_RE.match(compact):
            if not compact[:3].isalpha():
                raise InvalidIdentifier("number", "owner code (first 3 characters) must be letters")
            if compact[3] not in "UJZ":
                raise InvalidIdentifier("number", f"category must be U, J or Z, got {compact[3]!r}")
            raise InvalidIdentifier("number", "serial and check digit (last 7 characters) must be digits")
        expected = _iso6346.calc_check_digit(compact[:10])
        if compact[10] != expected:
            raise InvalidIdentifier("number", f"check digit should be {expected}, got {compact[10]}")
        return super().__new__(cls, compact)

    @property
    def owner_code(self) -> str:
        """The three-letter owner code (BIC prefix)."""
        return self[:3]

    @property
    def category(self) -> str:
        """U freight container, J detachable equipment, Z trailer/chassis."""
        return self[3]

    def formatted(self) -> str:
        """Printed form, e.g. ``CSQU 305438 3``."""
        return str(_iso6346.format(self))


class UICWagonNumber(str):
    """UIC 12-digit wagon number; the 12th digit is a Luhn self-check over the first 11."""

    __slots__ = ()

    def __new__(cls, value: str) -> Self:
        compact = re.sub(r"[\s-]", "", str(value))
        if not re.fullmatch(r"[0-9]{12}", compact):
            raise InvalidIdentifier("wagon_number", "UIC wagon number must be 12 digits")
        expected = _luhn.calc_check_digit(compact[:11])
        if compact[11] != expected:
            raise InvalidIdentifier("wagon_number", f"UIC check digit should be {expected}, got {compact[11]}")
        return super().__new__(cls, compact)

    @property
    def country_code(self) -> str:
        """UIC country code (digits 3–4), e.g. 33 China, 27 Kazakhstan."""
        return self[2:4]


class Wagon1520Number(str):
    """8-digit wagon number of the 1520 mm network (KZ, RU, UZ…).

    The first digit gives the wagon kind (2 covered, 4 flat, 6 gondola, 7 tank, 8 insulated) and
    the 8th is a check digit computed like UIC's (alternating weights 2,1 with digit sums, mod 10).
    """

    __slots__ = ()

    KINDS: ClassVar[dict[str, str]] = {
        "2": "covered",
        "3": "special",
        "4": "flat",
        "5": "own",
        "6": "gondola",
        "7": "tank",
        "8": "insulated",
        "9": "other",
    }

    def __new__(cls, value: str) -> Self:
        compact = re.sub(r"[\s-]", "", str(value))
        if not re.fullmatch(r"[0-9]{8}", compact):
            raise InvalidIdentifier("wagon_number", "1520-gauge wagon number must be 8 digits")
        expected = _luhn.calc_check_digit(compact[:7])
        if compact[7] != expected:
            raise InvalidIdentifier("wagon_number", f"check digit should be {expected}, got {compact[7]}")
        return super().__new__(cls, compact)

    @property
    def kind(self) -> str:
        """Wagon kind from the first digit."""
        return self.KINDS.get(self[0], "unknown")


def parse_wagon_number(value: str) -> UICWagonNumber | Wagon1520Number:
    """A UIC (12-digit) or 1520-gauge (8-digit) wagon number, whichever the length says."""
    compact = re.sub(r"[\s-]", "", str(value))
    if len(compact) == 8:
        return Wagon1520Number(compact)
    return UICWagonNumber(compact)


class IMONumber(str):
    """IMO ship identification number: 7 digits, the last a weighted check digit."""

    __slots__ = ()

    def __new__(cls, value: str) -> Self:
        try:
            compact = _imo.validate(str(value))
        except (InvalidChecksum, InvalidFormat, InvalidLength, ValidationError) as error:
            raise InvalidIdentifier("imo_number", f"not a valid IMO number ({error})") from error
        return super().__new__(cls, str(compact))


class UNLocode(str):
    """UN/LOCODE: ISO 3166 country code + 3 characters (letters or digits 2–9), e.g. CNLYG."""

    __slots__ = ()

    def __new__(cls, value: str) -> Self:
        compact = str(value).replace(" ", "").upper()
        if not re.fullmatch(r"[A-Z]{2}[A-Z2-9]{3}", compact):
            raise InvalidIdentifier("locode", f"UN/LOCODE must be 2 letters + 3 letters/digits 2-9, got {value!r}")
        return super().__new__(cls, compact)

    @property
    def country(self) -> str:
        """The ISO 3166-1 alpha-2 country code."""
        return self[:2]


class HSCode(str):
    """Harmonized System code: the 6-digit HS subheading plus an optional national extension.

    Stored as digits only (``100199`` or ``1001990000``); the first 6 digits are the international key.
    """

    __slots__ = ()

    def __new__(cls, value: str) -> Self:
        compact = re.sub(r"[\s.]", "", str(value))
        if not re.fullmatch(r"[0-9]{6}([0-9]{2}|[0-9]{4})?", compact):
            raise InvalidIdentifier("hs_code", "HS code must be 6 digits, optionally + 2 or 4 national digits")
        chapter = int(compact[:2])
        if not 1 <= chapter <= 97 or chapter == 77:
            raise InvalidIdentifier("hs_code", f"HS chapter {compact[:2]} does not exist")
        return super().__new__(cls, compact)

    @property
    def subheading(self) -> str:
        """The international 6-digit key."""
        return self[:6]

    @property
    def national_extension(self) -> str:
        """Digits beyond the sixth (EAEU TN VED or Chinese tariff), possibly empty."""
        return self[6:]
