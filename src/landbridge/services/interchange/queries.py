"""Read side of the interchange log: interchanges received and sent, with their status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from landbridge.domain.errors import NotFound
from landbridge.store.interchange_tables import EdiInterchangeRow
from landbridge.store.unit_of_work import UnitOfWork


def _view(row: EdiInterchangeRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "direction": row.direction,
        "partner": row.partner_code,
        "sender": row.sender,
        "recipient": row.recipient,
        "control_reference": row.control_reference,
        "message_types": row.message_types,
        "message_count": row.message_count,
        "accepted_count": row.accepted_count,
        "status": row.status,
        "duplicate_of": row.duplicate_of,
        "source_name": row.source_name,
        "processed_at": row.processed_at.isoformat(),
    }


def interchanges(
    uow: UnitOfWork,
    *,
    limit: int = 50,
    direction: str | None = None,
    status: str | None = None,
    partner: str | None = None,
) -> list[dict[str, Any]]:
    """The newest interchanges, optionally of one direction, status or partner."""
    query = select(EdiInterchangeRow).order_by(EdiInterchangeRow.id.desc()).limit(max(1, min(limit, 500)))
    if direction is not None:
        query = query.where(EdiInterchangeRow.direction == direction)
    if status is not None:
        query = query.where(EdiInterchangeRow.status == status)
    if partner is not None:
        query = query.where(EdiInterchangeRow.partner_code == partner)
    with uow:
        return [_view(row) for row in uow.session.scalars(query)]


def interchange(uow: UnitOfWork, interchange_id: int) -> dict[str, Any]:
    """One interchange with its report and CONTRL; 404 naming ``id``."""
    with uow:
        row = uow.session.get(EdiInterchangeRow, interchange_id)
        if row is None:
            raise NotFound("id", f"no interchange {interchange_id}")
        return {**_view(row), "report": row.report, "contrl": row.contrl}
