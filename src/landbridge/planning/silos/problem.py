"""Silo allocation instances: silos with capacity and present contents, lots stored or arriving.

A lot belongs to one owner and is one crop (and optionally one grain class); a silo may only hold
lots that agree on all three unless it is marked ``allow_mixing``. Lots already in silos may be
moved (a *transfer*); arriving lots (no present contents) are taken in. Masses are whole
kilograms. Format documented in docs/planning-yard-trains-silos.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from landbridge.planning.common import PlanningInputError, parse_instance_json, read_instance_text


@dataclass(frozen=True)
class Lot:
    """A grain lot; ``key`` is what may not be mixed."""

    lot_id: str
    owner: str
    crop: str
    grain_class: str
    mass_kg: int

    @property
    def key(self) -> tuple[str, str, str]:
        """Owner, crop and class: lots sharing a silo must agree on all three."""
        return (self.owner, self.crop, self.grain_class)


@dataclass(frozen=True)
class Silo:
    """A silo bin; ``contents`` maps lot id to kilograms stored now."""

    silo_id: str
    capacity_kg: int
    allow_mixing: bool
    contents: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class SiloInstance:
    """Silos and lots; a lot with no present contents is arriving."""

    name: str
    silos: tuple[Silo, ...]
    lots: tuple[Lot, ...]

    def stored_kg(self, lot_id: str) -> int:
        """Kilograms of a lot already in silos."""
        return sum(kg for silo in self.silos for lot, kg in silo.contents if lot == lot_id)


def _text(raw: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or (not value and default is None):
        raise PlanningInputError(f"{where}.{key}", f"expected a non-empty string, got {value!r}")
    return value


def _mass(value: Any, where: str, allow_zero: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or (value == 0 and not allow_zero):
        raise PlanningInputError(where, f"expected a positive whole number of kg, got {value!r}")
    return value


def instance_from_json(data: Any, default_name: str = "silos") -> SiloInstance:
    """Validate and build a silo instance from parsed JSON."""
    if not isinstance(data, dict):
        raise PlanningInputError("instance", "expected a JSON object")
    lots_raw, silos_raw = data.get("lots"), data.get("silos")
    if not isinstance(lots_raw, list):
        raise PlanningInputError("lots", "expected a list")
    if not isinstance(silos_raw, list) or not silos_raw:
        raise PlanningInputError("silos", "expected a non-empty list")
    lots: list[Lot] = []
    for index, raw in enumerate(lots_raw):
        where = f"lots[{index}]"
        if not isinstance(raw, dict):
            raise PlanningInputError(where, "expected an object")
        lots.append(
            Lot(
                lot_id=_text(raw, "id", where),
                owner=_text(raw, "owner", where),
                crop=_text(raw, "crop", where),
                grain_class=_text(raw, "grain_class", where, default=""),
                mass_kg=_mass(raw.get("mass_kg"), f"{where}.mass_kg"),
            )
        )
    by_id = {lot.lot_id: lot for lot in lots}
    if len(by_id) != len(lots):
        raise PlanningInputError("lots", "duplicate lot id")
    silos: list[Silo] = []
    for index, raw in enumerate(silos_raw):
        where = f"silos[{index}]"
        if not isinstance(raw, dict):
            raise PlanningInputError(where, "expected an object")
        contents: list[tuple[str, int]] = []
        for number, item in enumerate(raw.get("contents", [])):
            item_where = f"{where}.contents[{number}]"
            if not isinstance(item, dict) or item.get("lot") not in by_id:
                raise PlanningInputError(
                    f"{item_where}.lot", f"unknown lot {item.get('lot') if isinstance(item, dict) else item!r}"
                )
            contents.append((str(item["lot"]), _mass(item.get("mass_kg"), f"{item_where}.mass_kg")))
        silo = Silo(
            silo_id=_text(raw, "id", where),
            capacity_kg=_mass(raw.get("capacity_kg"), f"{where}.capacity_kg"),
            allow_mixing=bool(raw.get("allow_mixing", False)),
            contents=tuple(contents),
        )
        if sum(kg for _, kg in contents) > silo.capacity_kg:
            raise PlanningInputError(f"{where}.contents", "present contents exceed the capacity")
        if not silo.allow_mixing and len({by_id[lot].key for lot, _ in contents}) > 1:
            raise PlanningInputError(f"{where}.contents", "already mixes owners, crops or classes")
        silos.append(silo)
    if len({s.silo_id for s in silos}) != len(silos):
        raise PlanningInputError("silos", "duplicate silo id")
    instance = SiloInstance(name=str(data.get("name", default_name)), silos=tuple(silos), lots=tuple(lots))
    for index, lot in enumerate(lots):
        stored = instance.stored_kg(lot.lot_id)
        if stored and stored != lot.mass_kg:
            raise PlanningInputError(
                f"lots[{index}].mass_kg", f"{lot.mass_kg} kg but silos hold {stored} kg of lot {lot.lot_id}"
            )
    return instance


def instance_to_json(instance: SiloInstance) -> dict[str, Any]:
    """The instance as the JSON :func:`instance_from_json` reads (and the checker too)."""
    return {
        "name": instance.name,
        "silos": [
            {
                "id": silo.silo_id,
                "capacity_kg": silo.capacity_kg,
                "allow_mixing": silo.allow_mixing,
                "contents": [{"lot": lot, "mass_kg": kg} for lot, kg in silo.contents],
            }
            for silo in instance.silos
        ],
        "lots": [
            {
                "id": lot.lot_id,
                "owner": lot.owner,
                "crop": lot.crop,
                **({"grain_class": lot.grain_class} if lot.grain_class else {}),
                "mass_kg": lot.mass_kg,
            }
            for lot in instance.lots
        ],
    }


def read_silo_instance(path: Path) -> SiloInstance:
    """Read a silo instance JSON file."""
    text = read_instance_text(path)
    data = parse_instance_json(text)
    return instance_from_json(data, default_name=path.stem)
