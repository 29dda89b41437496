"""Invoices: the states an invoice or credit note passes through."""

from __future__ import annotations

from enum import StrEnum


class InvoiceStatus(StrEnum):
    """An invoice is a draft (a billing run may replace it), final (numbered, never changed) or credited
    (a credit note cancels it); a credit note is final when issued."""

    DRAFT = "draft"
    FINAL = "final"
    CREDITED = "credited"

    @classmethod
    def standing(cls) -> tuple[InvoiceStatus, ...]:
        """The statuses of an invoice that stands for its party and period: a draft, or a final one not credited."""
        return (cls.DRAFT, cls.FINAL)
