"""Bodies and answers of the billing API (amounts are decimal strings in the tariff's currency)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from landbridge.api.schemas_ops import CommandIn
from landbridge.api.types import Instant
from landbridge.domain.invoices import InvoiceStatus

# A month of the accepted years, 2000-2099 (domain/times); a far period answered 500 (long Schemathesis run).
Period = Annotated[str, Field(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", examples=["2026-11"])]


class TariffOut(BaseModel):
    """A tariff in force: its document (see docs/billing.md) and revision (0: the scenario's file)."""

    revision: int
    source: Literal["published", "scenario"]
    published_by: str | None
    published_at: str | None
    tariff: dict[str, Any]


class ChargeOut(BaseModel):
    """One charge line: quantity × rate = amount, and the events behind it."""

    container: str
    kind: str
    payer: str | None
    payer_rule: str
    tariff_version: str
    unit: str
    quantity: int
    rate: str
    amount: str
    first_at: str
    last_at: str
    event_ids: list[int]
    waiver: str | None


class GuaranteeOut(BaseModel):
    id: int | None = None
    container: str | None = None
    kind: str
    through: str
    party: str | None
    reference: str | None
    recorded_by: str


class WaiverOut(BaseModel):
    id: int | None = None
    container: str | None = None
    kind: str
    reason: str
    start: str | None
    end: str | None
    granted_by: str


class AccountOut(BaseModel):
    """A box's charges so far, what it owes now, and whether a pick-up would be refused."""

    container: str
    at: str
    currency: str
    charges: list[ChargeOut]
    total: str
    owed: str
    covered_through: str | None
    guarantees: list[GuaranteeOut]
    waivers: list[WaiverOut]
    pick_up_blocked: bool


class GuaranteeIn(CommandIn):
    container: str
    kind: Literal["paid", "guaranteed"]
    through: Instant = Field(description="covers every storage/reefer day that began before this moment")
    party: str | None = None
    reference: Annotated[str, Field(max_length=64)] | None = None


class WaiverIn(CommandIn):
    container: str
    kind: str = Field(description="a charge kind (storage, line_storage, reefer_power, discharge, …) or 'all'")
    reason: Annotated[str, Field(max_length=500)] = Field(description="required: why the charge is waived")
    start: Instant | None = None
    end: Instant | None = None


class RunIn(CommandIn):
    period: Period


class RunInvoiceOut(BaseModel):
    id: int
    party: str
    status: InvoiceStatus
    number: str | None
    total: str
    outcome: str


class UnassignedOut(BaseModel):
    container: str
    kind: str
    amount: str


class CheckerOut(BaseModel):
    agrees: bool
    by_payer: dict[str, str]


class RunOut(BaseModel):
    """A billing run: one draft (or unchanged invoice) per paying party, and the checker's verdict."""

    period: str
    tariff: str
    currency: str
    invoices: list[RunInvoiceOut]
    unassigned: list[UnassignedOut]
    checker: CheckerOut


class InvoiceLineOut(BaseModel):
    container: str
    kind: str
    payer_rule: str
    tariff_version: str
    unit: str
    quantity: int
    rate: str
    amount: str
    first_at: str
    last_at: str
    event_ids: list[int]
    waiver: str | None


class InvoiceSummaryOut(BaseModel):
    id: int
    number: str | None
    kind: str
    status: InvoiceStatus
    party: str
    period: str
    currency: str
    tariff: str
    total: str
    credits_invoice: int | None
    reason: str | None
    created_at: str
    finalised_at: str | None
    finalised_by: str | None


class InvoiceOut(InvoiceSummaryOut):
    lines: list[InvoiceLineOut]


class CreditIn(CommandIn):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class InvoiceCheckOut(BaseModel):
    invoice: int
    number: str | None
    invoice_total: str
    checker_total: str
    agrees: bool
