"""Tables of the billing context: tariff revisions, guarantees, waivers, invoices and their lines.

On the hub's one ``Base`` (one metadata, one migration chain) but in their own module, so billing
changes without touching the operations schema. Money is stored in integer cents (every rate has at
most two decimals, so nothing is rounded); times are aware UTC.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from landbridge.store.tables import Base
from landbridge.store.types import UtcDateTime

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class TariffRevisionRow(Base):
    """One published revision of a tariff document (the newest revision of a code is in force)."""

    __tablename__ = "billing_tariffs"
    __table_args__ = (UniqueConstraint("code", "revision", name="uq_billing_tariffs_code_revision"),)
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, object]] = mapped_column(JSON)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())


class GuaranteeRow(Base):
    """Time-based charges on a box paid or guaranteed through a moment (covers days begun before it)."""

    __tablename__ = "billing_guarantees"
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    container_number: Mapped[str] = mapped_column(String(11), ForeignKey("containers.number"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # paid | guaranteed
    through: Mapped[datetime] = mapped_column(UtcDateTime())
    party_code: Mapped[str | None] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WaiverRow(Base):
    """Charges of one kind on a box, within [start, end), not billed — with the reason."""

    __tablename__ = "billing_waivers"
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    container_number: Mapped[str] = mapped_column(String(11), ForeignKey("containers.number"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    start: Mapped[datetime | None] = mapped_column(UtcDateTime())
    end: Mapped[datetime | None] = mapped_column(UtcDateTime())
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class InvoiceSeriesRow(Base):
    """The next number of a numbering series (locked while an invoice is finalised: no gaps)."""

    __tablename__ = "billing_series"
    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer)


class InvoiceRow(Base):
    """An invoice or credit note of one party for one period: draft (no number) → final (numbered)."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("series", "number", name="uq_invoices_series_number"),)
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # invoice | credit_note
    status: Mapped[str] = mapped_column(String(16), index=True)  # draft | final | credited
    series: Mapped[str] = mapped_column(String(16))
    number: Mapped[int | None] = mapped_column(Integer)
    party_code: Mapped[str] = mapped_column(String(32), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM in hub time
    currency: Mapped[str] = mapped_column(String(3))
    tariff_code: Mapped[str] = mapped_column(String(32))
    total_cents: Mapped[int] = mapped_column(BigInteger)
    credits_invoice_id: Mapped[int | None] = mapped_column(_BIG_ID, ForeignKey("invoices.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finalised_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finalised_by: Mapped[str | None] = mapped_column(String(64))


class InvoiceLineRow(Base):
    """One line: a quantity of one charge kind on one box at one rate, and the events behind it."""

    __tablename__ = "invoice_lines"
    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    invoice_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    container_number: Mapped[str] = mapped_column(String(32))  # the box, or the grain lot of a grain line
    kind: Mapped[str] = mapped_column(String(32))
    payer_rule: Mapped[str] = mapped_column(String(16))
    tariff_version: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    rate_cents: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_at: Mapped[datetime] = mapped_column(UtcDateTime())
    event_ids: Mapped[list[int]] = mapped_column(JSON)
    waiver: Mapped[str | None] = mapped_column(Text)
