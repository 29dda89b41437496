"""Outbound interchanges: written to the outbox in the transaction that made them, delivered by a
worker to a folder or an HTTP endpoint, at least once, each under its own control reference.

A delivery is marked done only after the file is in place (written to a temporary name, then
renamed) or the endpoint answered 2xx; a crash in between sends it again under the same reference,
which the receiver's duplicate check (ours does the same) absorbs. Failures back off
exponentially up to an hour.
"""

from __future__ import annotations

import os
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import select

from landbridge.domain.events import utc_now
from landbridge.interchange.edifact.syntax import read_interchanges
from landbridge.services.interchange.partners import Partner
from landbridge.services.interchange.transaction import in_transaction
from landbridge.store.interchange_tables import EdiInterchangeRow, EdiOutboxRow, EdiPartnerRow
from landbridge.store.unit_of_work import UnitOfWork

MAX_BACKOFF = timedelta(hours=1)


def enqueue_text(
    uow: UnitOfWork,
    partner: Partner,
    message_type: str,
    text: str,
    *,
    subject: str | None = None,
    control_reference: str | None = None,
    message_count: int = 1,
) -> EdiOutboxRow:
    """Put an interchange (already numbered in its UNB) in the outbox and the interchange log."""
    if control_reference is None:
        first = next(iter(read_interchanges(text)), None)
        header = first.header if first is not None else None
        control_reference = header.control_reference if header is not None else ""
    now = utc_now()
    row = EdiOutboxRow(
        partner_code=partner.code,
        message_type=message_type,
        control_reference=control_reference,
        subject=(subject or "")[:64] or None,
        payload=text,
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    uow.session.add(row)
    uow.session.add(
        EdiInterchangeRow(
            direction="out",
            sender="CNLYGLPCT",
            recipient=partner.unb_id,
            control_reference=control_reference,
            partner_code=partner.code,
            message_types=message_type,
            message_count=message_count,
            accepted_count=message_count,
            status="queued",
            content_sha256="",
            source_name=subject,
            processed_at=now,
            report={"subject": subject},
            contrl=None,
        )
    )
    uow.session.flush()
    return row


@dataclass(frozen=True)
class DeliveryResult:
    """What one delivery attempt did."""

    control_reference: str
    partner: str
    delivered: bool
    error: str | None = None


def _deliver(row: EdiOutboxRow, partner: EdiPartnerRow) -> None:
    if partner.delivery_kind == "folder":
        folder = Path(partner.delivery_target or "")
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{row.control_reference}.edi"
        temporary = folder / f".{row.control_reference}.edi.part"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(row.payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
    elif partner.delivery_kind == "http":
        request = urllib.request.Request(
            partner.delivery_target or "",
            data=row.payload.encode("utf-8"),
            headers={"Content-Type": "application/edifact", "X-Control-Reference": row.control_reference},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            if not 200 <= response.status < 300:
                raise OSError(f"HTTP {response.status}")
    else:
        raise OSError(f"partner {partner.code} has no delivery configured")


def deliver_due(uow: UnitOfWork, *, now: datetime | None = None, limit: int = 100) -> list[DeliveryResult]:
    """Send every due outbox entry once; each result is recorded in its own transaction."""
    moment = now or utc_now()
    with uow:
        due = [
            (row.id, row.partner_code)
            for row in uow.session.scalars(
                select(EdiOutboxRow)
                .where(EdiOutboxRow.delivered_at.is_(None), EdiOutboxRow.next_attempt_at <= moment)
                .order_by(EdiOutboxRow.id)
                .limit(limit)
            )
        ]
    results: list[DeliveryResult] = []
    for row_id, partner_code in due:
        result = in_transaction(uow, partial(_deliver_one, row_id=row_id, partner_code=partner_code, moment=moment))
        if result is not None:
            results.append(result)
    return results


def _deliver_one(uow: UnitOfWork, *, row_id: int, partner_code: str, moment: datetime) -> DeliveryResult | None:
    """Send one outbox entry and record the result (one transaction)."""
    row = uow.session.get(EdiOutboxRow, row_id)
    partner = uow.session.get(EdiPartnerRow, partner_code)
    if row is None or partner is None or row.delivered_at is not None:
        return None
    error: str | None = None
    try:
        _deliver(row, partner)
    except OSError as failure:
        error = str(failure) or type(failure).__name__
    row.attempts += 1
    log = uow.session.scalar(
        select(EdiInterchangeRow).where(
            EdiInterchangeRow.direction == "out", EdiInterchangeRow.control_reference == row.control_reference
        )
    )
    if error is None:
        row.delivered_at = utc_now()
        row.last_error = None
        if log is not None and log.status == "queued":
            log.status = "delivered"
    else:
        row.last_error = error[:2000]
        row.next_attempt_at = moment + min(MAX_BACKOFF, timedelta(seconds=30 * 2 ** min(row.attempts, 10)))
        if log is not None:
            log.status = "failed" if row.attempts >= 5 else "queued"
    return DeliveryResult(row.control_reference, partner.code, error is None, error)
