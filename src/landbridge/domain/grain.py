"""Grain: what fits in a silo (capacity, the mixing rule) and what a hopper-wagon receipt must say.

Mass is kept to the kilogram. A silo holds one owner's one crop unless it allows mixing (grain of
different owners or crops in one bin cannot be told apart again). A receipt from hopper wagons lists
each wagon with the mass it brought — the weighbridge ticket — and all wagons of one gauge, since
one receipt is one train.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from landbridge.domain.errors import InvalidIdentifier, RuleViolation
from landbridge.domain.identifiers import Wagon1520Number, parse_wagon_number

# Assumed upper bound of one hopper wagon's load (a 1520 mm grain hopper carries about 70 t).
MAX_HOPPER_LOAD_KG = 80_000


@dataclass(frozen=True)
class Silo:
    """A silo bin: capacity, and whether owners/crops may be mixed in it."""

    code: str
    capacity_kg: int
    allow_mixing: bool = False


@dataclass(frozen=True)
class StoredLot:
    """What a lot in a silo contributes to the rules: whose, which crop, how much."""

    owner_code: str
    crop: str
    mass_kg: int


@dataclass(frozen=True)
class HopperWagon:
    """One hopper wagon of a receipt and the grain it brought."""

    number: str
    mass_kg: int


def check_fits(silo: Silo, lots: Iterable[StoredLot], owner: str, crop: str, mass_kg: int, field: str) -> None:
    """Refuse grain that overfills the silo (422 at mass_kg) or mixes owners/crops where not allowed (at ``field``)."""
    stored = list(lots)
    stock = sum(lot.mass_kg for lot in stored)
    if stock + mass_kg > silo.capacity_kg:
        raise RuleViolation(
            "mass_kg",
            f"silo {silo.code} holds {silo.capacity_kg} kg; {stock} kg in stock, {mass_kg} kg more does not fit",
        )
    if not silo.allow_mixing:
        for lot in stored:
            if lot.owner_code != owner or lot.crop != crop:
                raise RuleViolation(
                    field,
                    f"silo {silo.code} holds {lot.crop} of {lot.owner_code}; it does not allow mixing owners or crops",
                )


def check_hopper_receipt(wagons: Sequence[HopperWagon], mass_kg: int, field: str = "wagons") -> int:
    """The gauge of a valid receipt: numbers valid and distinct, one gauge, masses adding up to the lot."""
    if not wagons:
        raise RuleViolation(field, "list the hopper wagons with the mass each brought")
    gauge: int | None = None
    seen: set[str] = set()
    for index, wagon in enumerate(wagons):
        where = f"{field}[{index}]"
        try:
            number = parse_wagon_number(wagon.number)
        except InvalidIdentifier as error:
            raise InvalidIdentifier(f"{where}.number", error.reason) from None
        if number in seen:
            raise RuleViolation(f"{where}.number", f"wagon {number} is listed twice")
        seen.add(number)
        wagon_gauge = 1520 if isinstance(number, Wagon1520Number) else 1435
        if gauge is None:
            gauge = wagon_gauge
        elif wagon_gauge != gauge:
            raise RuleViolation(
                f"{where}.number", f"{number} is a {wagon_gauge} mm wagon; this receipt's wagons run on {gauge} mm"
            )
        if not 0 < wagon.mass_kg <= MAX_HOPPER_LOAD_KG:
            raise RuleViolation(f"{where}.mass_kg", f"a hopper wagon brings 1–{MAX_HOPPER_LOAD_KG:,} kg")
    total = sum(wagon.mass_kg for wagon in wagons)
    if total != mass_kg:
        raise RuleViolation("mass_kg", f"the wagons brought {total:,} kg in all, not {mass_kg:,} kg")
    assert gauge is not None
    return gauge


def check_grain_berth(berth: str, purpose: str, field: str = "vessel_visit") -> None:
    """Grain is loaded only at a berth with grain gear (the scenario's ``purpose: grain``)."""
    if purpose != "grain":
        raise RuleViolation(field, f"berth {berth} has no grain gear ({purpose} berth); grain loads at a grain berth")
