"""SMGS and CIM/SMGS consignment notes (rail waybills) as a typed model, JSON in and out.

A container travels China → Kazakhstan → Central Asia on one SMGS note (both are OSJD members)
and on to the EU under CIM/SMGS; at the legal boundary the note is re-consigned (SMGS ↔ CIM),
and at Dostyk/Altynkol (1435 → 1520 mm) the boxes change wagons. Both are recorded as events on
the note, so the note tells its own history.

Boxes 1–6 follow the SMGS coded-entries guide (1 consignor with the carrier's client code,
2 departure station as a 6-digit OSJD code, 3 consignor's declarations, 4 consignee, 5 destination
station, 6 border crossing stations = the route). The later parts (carriers' sections, wagons,
containers, seals, goods with their 8-digit GNG code, masses) are named, not numbered: their box
numbers differ between form editions and we print them by name.

Validation is pydantic's: a bad note is refused with the JSON path of every faulty field.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from landbridge.domain.errors import InvalidIdentifier
from landbridge.domain.identifiers import ContainerNumber, HSCode, parse_wagon_number


def _container(value: str) -> str:
    try:
        return str(ContainerNumber(value))
    except InvalidIdentifier as error:
        raise ValueError(error.reason) from None


def _wagon(value: str) -> str:
    try:
        return str(parse_wagon_number(value))
    except InvalidIdentifier as error:
        raise ValueError(error.reason) from None


def _station_code(value: str) -> str:
    if not re.fullmatch(r"[0-9]{6}", value):
        raise ValueError("an OSJD station code has 6 digits")
    return value


def _gng(value: str) -> str:
    compact = re.sub(r"[\s.]", "", value)
    if not re.fullmatch(r"[0-9]{8}", compact):
        raise ValueError("a GNG code has 8 digits (the first 6 are the HS subheading)")
    try:
        HSCode(compact[:6])
    except InvalidIdentifier as error:
        raise ValueError(f"its first 6 digits are not an HS subheading: {error.reason}") from None
    return compact


ContainerId = Annotated[str, AfterValidator(_container)]
WagonId = Annotated[str, AfterValidator(_wagon)]
StationCode = Annotated[str, AfterValidator(_station_code)]
GngCode = Annotated[str, AfterValidator(_gng)]


class Regime(StrEnum):
    """The legal regime the note travels under."""

    SMGS = "SMGS"
    CIM = "CIM"
    CIM_SMGS = "CIM/SMGS"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Party(_Model):
    """A consignor or consignee: name, address, country and the carrier's client code."""

    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=300)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    client_code: str = Field(default="", pattern=r"^([0-9]{4,16})?$", description="4–16 digits, given by the carrier")


class Station(_Model):
    """A railway station by its 6-digit OSJD code, with its name and railway."""

    code: StationCode
    name: str = Field(min_length=1, max_length=100)
    railway: str = Field(default="", max_length=10, description="railway administration, e.g. KZH, CR, PKP")


class CarrierSection(_Model):
    """One carrier's part of the route."""

    carrier: str = Field(min_length=1, max_length=100)
    from_station: Station
    to_station: Station


class Seal(_Model):
    """A seal on a container, and who fixed it."""

    number: str = Field(min_length=1, max_length=35)
    affixed_by: Literal["consignor", "carrier", "customs"] = "consignor"


class Wagon(_Model):
    """A wagon of the consignment (UIC 12-digit or 1520-gauge 8-digit number)."""

    number: WagonId
    gauge_mm: Literal[1435, 1520]
    tare_kg: int | None = Field(default=None, ge=0, le=60_000)


class ContainerEntry(_Model):
    """A container on a wagon, its masses and seals."""

    number: ContainerId
    iso_type: str = Field(pattern=r"^[0-9A-Z]{4}$")
    wagon: WagonId
    tare_kg: int = Field(ge=0, le=10_000)
    gross_mass_kg: int = Field(ge=0, le=40_000)
    seals: tuple[Seal, ...] = ()


class GoodsLine(_Model):
    """Goods by GNG code (8 digits; the first 6 are the HS subheading), packages and mass."""

    gng_code: GngCode
    description: str = Field(min_length=1, max_length=350)
    packages: int = Field(ge=0)
    package_kind: str = Field(default="", max_length=35)
    mass_kg: int = Field(gt=0)
    container: ContainerId | None = None
    un_number: str | None = Field(default=None, pattern=r"^[0-9]{4}$")

    @property
    def hs_code(self) -> str:
        """The HS subheading: the GNG code's first 6 digits."""
        return self.gng_code[:6]


class WaybillEvent(_Model):
    """Something that happened to the consignment on its way: a re-consignment or a gauge change."""

    kind: Literal["reconsignment", "gauge_change", "border_crossing"]
    at: AwareDatetime
    station: Station
    from_regime: Regime | None = None
    to_regime: Regime | None = None
    from_gauge_mm: int | None = None
    to_gauge_mm: int | None = None
    wagon_changes: dict[str, str] = Field(default_factory=dict, description="container → its new wagon")
    note: str = ""


class ConsignmentNote(_Model):
    """An SMGS or CIM/SMGS consignment note."""

    number: str = Field(min_length=1, max_length=35)
    regime: Regime = Regime.SMGS
    issued_at: AwareDatetime
    train_reference: str | None = None
    consignor: Party = Field(description="box 1")
    departure_station: Station = Field(description="box 2")
    consignor_declarations: tuple[str, ...] = Field(default=(), description="box 3")
    consignee: Party = Field(description="box 4")
    destination_station: Station = Field(description="box 5")
    border_crossings: tuple[Station, ...] = Field(default=(), description="box 6: the route")
    carriers: tuple[CarrierSection, ...] = ()
    wagons: tuple[Wagon, ...] = Field(min_length=1)
    containers: tuple[ContainerEntry, ...] = ()
    goods: tuple[GoodsLine, ...] = Field(min_length=1)
    events: tuple[WaybillEvent, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        wagons = {wagon.number for wagon in self.wagons}
        if len(wagons) != len(self.wagons):
            raise ValueError("wagons: a wagon is listed twice")
        boxes = [container.number for container in self.containers]
        if len(set(boxes)) != len(boxes):
            raise ValueError("containers: a container is listed twice")
        for index, container in enumerate(self.containers):
            if container.wagon not in wagons:
                raise ValueError(f"containers[{index}].wagon: {container.wagon} is not among the note's wagons")
            if container.gross_mass_kg < container.tare_kg:
                raise ValueError(f"containers[{index}].gross_mass_kg: lighter than its tare")
        for index, line in enumerate(self.goods):
            if line.container is not None and line.container not in boxes:
                raise ValueError(f"goods[{index}].container: {line.container} is not among the note's containers")
        return self

    @property
    def goods_mass_kg(self) -> int:
        """The mass of the goods."""
        return sum(line.mass_kg for line in self.goods)

    @property
    def gross_mass_kg(self) -> int:
        """Goods plus container tares (the mass the railway charges)."""
        return self.goods_mass_kg + sum(container.tare_kg for container in self.containers)

    def to_json(self) -> str:
        """The note as JSON (times with their offset)."""
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> ConsignmentNote:
        """A note from JSON; ``pydantic.ValidationError`` names every faulty field."""
        return cls.model_validate_json(text)


def reconsign(
    note: ConsignmentNote, *, at: datetime, station: Station, to_regime: Regime, note_text: str = ""
) -> ConsignmentNote:
    """Re-consign at the legal boundary (SMGS ↔ CIM): the regime changes and the event is kept."""
    if to_regime == note.regime:
        raise ValueError(f"to_regime: the note already travels under {note.regime.value}")
    event = WaybillEvent(
        kind="reconsignment", at=at, station=station, from_regime=note.regime, to_regime=to_regime, note=note_text
    )
    return note.model_copy(update={"regime": to_regime, "events": (*note.events, event)})


def change_gauge(
    note: ConsignmentNote,
    *,
    at: datetime,
    station: Station,
    new_wagons: tuple[Wagon, ...],
    placement: dict[str, str],
) -> ConsignmentNote:
    """Record the gauge change: every container moves to a wagon of the new gauge; the event keeps the old ones."""
    if not new_wagons:
        raise ValueError("new_wagons: at least one wagon of the new gauge is needed")
    gauges = {wagon.gauge_mm for wagon in new_wagons}
    old_gauges = {wagon.gauge_mm for wagon in note.wagons}
    if len(gauges) != 1:
        raise ValueError("new_wagons: all new wagons must have one gauge")
    to_gauge = gauges.pop()
    if to_gauge in old_gauges:
        raise ValueError(f"new_wagons: the consignment already runs on {to_gauge} mm")
    missing = [container.number for container in note.containers if container.number not in placement]
    if missing:
        raise ValueError(f"placement: no new wagon for {', '.join(missing)}")
    numbers = {wagon.number for wagon in new_wagons}
    for container, wagon in placement.items():
        if _wagon(wagon) not in numbers:
            raise ValueError(f"placement.{container}: {wagon} is not among the new wagons")
    moved = tuple(
        container.model_copy(update={"wagon": _wagon(placement[container.number])}) for container in note.containers
    )
    event = WaybillEvent(
        kind="gauge_change",
        at=at,
        station=station,
        from_gauge_mm=next(iter(old_gauges)) if len(old_gauges) == 1 else None,
        to_gauge_mm=to_gauge,
        wagon_changes={container.number: container.wagon for container in moved},
    )
    return ConsignmentNote.model_validate(
        {**note.model_dump(), "wagons": new_wagons, "containers": moved, "events": (*note.events, event)}
    )
