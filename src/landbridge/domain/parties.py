"""Parties and the bookings they make."""

from __future__ import annotations

from dataclasses import dataclass, field

from landbridge.domain.dangerous_goods import DangerousGoods
from landbridge.domain.errors import InvalidIdentifier
from landbridge.domain.identifiers import HSCode, UNLocode
from landbridge.domain.units import PartyRole


@dataclass
class Party:
    """A company the hub deals with: shipper, consignee, forwarder, line, rail operator, customs."""

    code: str
    name: str
    role: PartyRole
    country: str | None = None


@dataclass
class GoodsLine:
    """One line of goods in a consignment: what, how many packages, how heavy, how dangerous."""

    hs_code: HSCode
    description: str
    packages: int
    mass_kg: int
    dangerous_goods: DangerousGoods | None = None


@dataclass
class Consignment:
    """A booking: who ships what from where to where, under which reference."""

    booking_reference: str
    shipper_code: str
    consignee_code: str | None
    origin: UNLocode
    destination: UNLocode
    goods: list[GoodsLine] = field(default_factory=list)

    @property
    def mass_kg(self) -> int:
        """Total goods mass."""
        return sum(line.mass_kg for line in self.goods)

    @property
    def is_dangerous(self) -> bool:
        """Any goods line carries dangerous goods."""
        return any(line.dangerous_goods is not None for line in self.goods)


OWNER_CODE_FIELD = "owner_codes"


def owner_code(value: str) -> str:
    """An ISO 6346 owner code: the three capital letters a container number starts with (``COS``, ``MSC``).

    A shipping line registers its codes (the first three letters of its BIC codes) so that it sees
    the boxes it owns; the equipment category letter (U, J, Z) is not part of it.
    """
    code = value.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise InvalidIdentifier(OWNER_CODE_FIELD, f"owner code {value!r} must be three letters A–Z, e.g. COS")
    return code
