"""The Interchange screen: EDIFACT interchanges received and sent, newest first, with their status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landbridge.store.interchange_tables import EdiInterchangeRow, EdiOutboxRow
from landbridge.web.readmodels.common import utc


@dataclass(frozen=True)
class InterchangeLine:
    """One interchange as the screen shows it."""

    id: int
    direction: str
    partner: str
    reference: str
    message_types: str
    accepted: int
    messages: int
    status: str
    at: datetime
    first_problem: str | None


def interchanges(session: Session, limit: int = 100) -> list[InterchangeLine]:
    """The newest interchanges, both ways."""
    rows = session.scalars(select(EdiInterchangeRow).order_by(EdiInterchangeRow.id.desc()).limit(limit))
    lines = []
    for row in rows:
        report = row.report or {}
        problems = [p for p in report.get("problems", []) if p.get("severity") == "error"]
        for message in report.get("messages", []):
            problems.extend(p for p in message.get("problems", []) if p.get("severity") == "error")
        lines.append(
            InterchangeLine(
                id=row.id,
                direction=row.direction,
                partner=row.partner_code or row.sender,
                reference=row.control_reference,
                message_types=row.message_types,
                accepted=row.accepted_count,
                messages=row.message_count,
                status=row.status,
                at=utc(row.processed_at) or row.processed_at,
                first_problem=problems[0].get("text") if problems else None,
            )
        )
    return lines


def undelivered(session: Session) -> int:
    """Outbound interchanges not delivered yet."""
    return int(
        session.scalar(select(func.count()).select_from(EdiOutboxRow).where(EdiOutboxRow.delivered_at.is_(None))) or 0
    )
