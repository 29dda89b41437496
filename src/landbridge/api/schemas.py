"""Request and response bodies of the API (pydantic); validation errors name the field."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from landbridge.api.types import Instant
from landbridge.domain.containers import LoadState
from landbridge.domain.errors import InvalidIdentifier
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.iso_types import MAX_RATING_KG, size_type


class ContainerIn(BaseModel):
    """Register a container: ``number`` (ISO 6346) and ``iso_type`` are required."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"number": "CSQU3054383", "iso_type": "45G1"}]}
    )

    number: str = Field(description="ISO 6346 container number, check digit included", examples=["CSQU3054383"])
    iso_type: str = Field(description="ISO 6346 size-type code", examples=["45G1"])
    load_state: LoadState = LoadState.EMPTY
    gross_mass_kg: Annotated[int, Field(gt=0, le=MAX_RATING_KG)] | None = None
    seals: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(default_factory=list, max_length=5)
    reefer_setpoint_c: Annotated[float, Field(ge=-40, le=40)] | None = None
    occurred_at: Instant | None = Field(
        default=None, description="when the box was registered, ISO 8601 with offset (default: now)"
    )

    @field_validator("number")
    @classmethod
    def _valid_number(cls, value: str) -> str:
        try:
            return str(ContainerNumber(value))
        except InvalidIdentifier as error:
            raise ValueError(error.reason) from None

    @field_validator("iso_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        try:
            return size_type(value).code
        except InvalidIdentifier as error:
            raise ValueError(error.reason) from None


class ContainerOut(BaseModel):
    """A container as the hub knows it."""

    number: str
    iso_type: str
    length_ft: int
    teu: float
    load_state: str
    gross_mass_kg: int | None
    seals: list[str]
    reefer_setpoint_c: float | None
    position: dict[str, Any]


class EventOut(BaseModel):
    """One audit-trail entry."""

    event_type: str
    occurred_at: str = Field(description="when it happened (the command's occurred_at), ISO 8601 UTC")
    recorded_at: str | None = Field(default=None, description="when the hub recorded it, ISO 8601 UTC")
    actor: str
    role: str
    location: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    source_reference: str | None
