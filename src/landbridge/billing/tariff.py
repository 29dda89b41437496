"""The tariff format: what the base charges, as data (YAML in the scenario, editable by an admin).

A tariff has a code, a currency and versions with validity dates; a charge uses the version in
force when its move happened (or, for time-based charges, when the charged day began). Every rate
carries at most two decimal places, so an amount is ``rate × quantity`` exactly and a total is the
plain sum of its lines: no rounding happens anywhere (stated in docs/billing.md).

Validation names the field at fault (``versions.1.storage.full.tiers.0.from_day``): overlapping
validity, a negative rate, a tier that does not start the day after the free days or leaves a gap.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Annotated, Any

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from landbridge.domain.errors import RuleViolation


class Payer(StrEnum):
    """Who pays a charge: the line (box owner), the shipper, the consignee, or the cargo side.

    ``cargo`` means the consignee for an import stay (the box came by sea) and the shipper for an
    export stay; when the named party is unknown the line pays, and when that is unknown too the
    charge is reported as unassigned rather than guessed.
    """

    LINE = "line"
    SHIPPER = "shipper"
    CONSIGNEE = "consignee"
    CARGO = "cargo"


class MoveKind(StrEnum):
    """A handling charge's move, named after the event that records it."""

    DISCHARGE = "discharge"
    LOAD = "load"
    RAIL_LOAD = "rail_load"
    RAIL_UNLOAD = "rail_unload"
    GATE_IN = "gate_in"
    GATE_OUT = "gate_out"
    CFS_STUFF = "cfs_stuff"
    CFS_STRIP = "cfs_strip"
    GAUGE_TRANSFER = "gauge_transfer"


class TimeKind(StrEnum):
    """The time-based charges, each with its own free days and tiers (as in commercial systems)."""

    STORAGE = "storage"  # a full box in the base
    LINE_STORAGE = "line_storage"  # an empty box in the base, charged to its line
    REEFER_POWER = "reefer_power"  # a full reefer plugged in


class GrainMove(StrEnum):
    """A grain lot's charged movement, named after its event ``grain.<move>``."""

    RECEIVED = "received"
    TRANSFERRED = "transferred"
    SHIPPED = "shipped"


Rate = Annotated[Decimal, Field(ge=0, description="CNY (or the tariff's currency), at most 2 decimals")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _two_decimals(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError("at most 2 decimal places (amounts are rate × quantity exactly, never rounded)")
    return value


class HandlingRate(_Strict):
    """Per move and box: one rate for a 20 ft box, one for a 40/45 ft box."""

    per_20ft: Rate
    per_40ft: Rate
    payer: Payer

    _check = field_validator("per_20ft", "per_40ft")(_two_decimals)


class TonneRate(_Strict):
    """Per tonne *or part thereof* of a grain movement; the lot's owner pays."""

    per_tonne: Rate

    _check = field_validator("per_tonne")(_two_decimals)


class WeighingRate(_Strict):
    """Per box weighed at the base (a VGM recorded with ``weighed_at_base``)."""

    per_box: Rate
    payer: Payer

    _check = field_validator("per_box")(_two_decimals)


class ExtraMoveRate(_Strict):
    """Per yard move a customer caused (``caused_by_party`` on the move); that party pays."""

    per_20ft: Rate
    per_40ft: Rate

    _check = field_validator("per_20ft", "per_40ft")(_two_decimals)


class Tier(_Strict):
    """Days ``from_day``..``to_day`` of a stay (day 1 starts at arrival; ``to_day`` None = open)."""

    from_day: int = Field(ge=1)
    to_day: int | None = Field(default=None, ge=1)
    rate: Rate

    _check = field_validator("rate")(_two_decimals)


class TimeCharge(_Strict):
    """A time-based charge: free days from arrival, then tiers per TEU-day (or per box-day)."""

    free_days: int = Field(ge=0)
    unit: str = Field(default="teu_day", pattern="^(teu_day|box_day)$")
    payer: Payer
    tiers: list[Tier] = Field(min_length=1)

    @model_validator(mode="after")
    def _tiers_follow_free_days(self) -> TimeCharge:
        expected = self.free_days + 1
        for index, tier in enumerate(self.tiers):
            if tier.from_day != expected:
                where = "the day after the free days" if index == 0 else "the day after the previous tier"
                raise _FieldError(f"tiers.{index}.from_day", f"must be {expected} ({where}); got {tier.from_day}")
            last = index == len(self.tiers) - 1
            if tier.to_day is None and not last:
                raise _FieldError(f"tiers.{index}.to_day", "only the last tier may be open-ended")
            if tier.to_day is not None and tier.to_day < tier.from_day:
                raise _FieldError(f"tiers.{index}.to_day", "ends before it starts")
            if last and tier.to_day is not None:
                raise _FieldError(f"tiers.{index}.to_day", "the last tier must be open-ended (to_day: null)")
            expected = (tier.to_day or 0) + 1
        return self


class TariffVersion(_Strict):
    """The rates in force from ``valid_from`` (inclusive) to ``valid_to`` (exclusive; None = open)."""

    version: str = Field(min_length=1, max_length=32)
    valid_from: AwareDatetime
    valid_to: AwareDatetime | None = None
    handling: dict[MoveKind, HandlingRate]
    storage: TimeCharge
    line_storage: TimeCharge
    reefer_power: TimeCharge
    dg_surcharge_per_move: Rate = Decimal(0)
    grain: dict[GrainMove, TonneRate] = Field(
        default_factory=dict, description="per tonne or part thereof; a movement not listed is not charged"
    )
    weighing: WeighingRate | None = Field(default=None, description="None: weighing is not charged")
    extra_move: ExtraMoveRate | None = Field(default=None, description="None: customer-caused moves not charged")
    sources: dict[str, str] = Field(default_factory=dict)

    _check = field_validator("dg_surcharge_per_move")(_two_decimals)

    @model_validator(mode="after")
    def _valid_range(self) -> TariffVersion:
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise _FieldError("valid_to", "must be after valid_from")
        missing = [kind.value for kind in MoveKind if kind not in self.handling]
        if missing:
            raise _FieldError("handling", f"no rate for {', '.join(missing)} (give 0 for a free move)")
        return self

    def time_charge(self, kind: TimeKind) -> TimeCharge:
        """The rules of one time-based charge."""
        return {TimeKind.STORAGE: self.storage, TimeKind.LINE_STORAGE: self.line_storage}.get(kind, self.reefer_power)


class Tariff(_Strict):
    """A tariff: code, currency, the gate rule, and its versions (validity must not overlap)."""

    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    block_pick_up_when_owed: bool = True
    versions: list[TariffVersion] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> Tariff:
        ordered = sorted(enumerate(self.versions), key=lambda item: item[1].valid_from)
        for (_, earlier), (index, later) in pairwise(ordered):
            if earlier.valid_to is None or earlier.valid_to > later.valid_from:
                raise _FieldError(
                    f"versions.{index}.valid_from",
                    f"version {later.version} starts {later.valid_from.isoformat()} while version "
                    f"{earlier.version} is still valid (overlapping validity)",
                )
        names = [v.version for v in self.versions]
        if len(set(names)) != len(names):
            raise _FieldError("versions", "version names repeat")
        return self

    def version_at(self, moment: datetime) -> TariffVersion | None:
        """The version in force at ``moment`` (None when no version covers it)."""
        for version in self.versions:
            if version.valid_from <= moment and (version.valid_to is None or moment < version.valid_to):
                return version
        return None


class _FieldError(ValueError):
    """A validation error that knows the field path below the object that raised it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def parse_tariff(data: Any, field: str = "tariff") -> Tariff:
    """A validated tariff from parsed YAML/JSON, or a :class:`RuleViolation` naming the first bad field."""
    try:
        return Tariff.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        reason = str(first["msg"])
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, _FieldError):
            path = ".".join(p for p in (path, cause.path) if p)
            reason = cause.reason
        elif reason.startswith("Value error, "):
            reason = reason.removeprefix("Value error, ")
        raise RuleViolation(f"{field}.{path}" if path else field, reason) from None


def tariff_document(tariff: Tariff) -> dict[str, Any]:
    """The tariff as plain JSON data (what the API returns and the store keeps)."""
    return tariff.model_dump(mode="json")


@cache
def default_tariff() -> Tariff:
    """The shipped Lianyungang tariff (``scenarios/lianyungang.tariff.yaml``)."""
    text = resources.files("landbridge.scenarios").joinpath("lianyungang.tariff.yaml").read_text(encoding="utf-8")
    return parse_tariff(yaml.safe_load(text), "lianyungang.tariff.yaml")
