"""Tariffs in force: the newest published revision of a code, or the scenario's default tariff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from landbridge.billing.tariff import Tariff, default_tariff, parse_tariff, tariff_document
from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import EventType, as_utc
from landbridge.services.actor import Actor
from landbridge.services.event_time import command_time
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, subject_event
from landbridge.store.billing_tables import TariffRevisionRow
from landbridge.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class TariffInForce:
    """A tariff and where it comes from (a published revision, or revision 0: the scenario's file)."""

    tariff: Tariff
    revision: int
    published_by: str | None
    published_at: datetime | None

    def view(self) -> dict[str, Any]:
        """The JSON answer: the document and its revision."""
        return {
            "revision": self.revision,
            "source": "published" if self.revision else "scenario",
            "published_by": self.published_by,
            "published_at": None if self.published_at is None else as_utc(self.published_at).isoformat(),
            "tariff": tariff_document(self.tariff),
        }


def _from_row(row: TariffRevisionRow) -> TariffInForce:
    return TariffInForce(parse_tariff(row.document), row.revision, row.published_by, row.published_at)


def tariff_in_force(uow: UnitOfWork, code: str | None = None) -> TariffInForce:
    """The newest published revision (of ``code``, or of any code), else the scenario's default tariff."""
    row = uow.billing.latest_tariff(code)
    if row is not None:
        return _from_row(row)
    default = default_tariff()
    if code is not None and code != default.code:
        raise NotFound("code", f"no tariff {code!r}")
    return TariffInForce(default, 0, None, None)


def tariffs(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every tariff (newest revision of each code; the scenario's default when none was published)."""
    with uow:
        codes = uow.billing.tariff_codes() or [default_tariff().code]
        return [tariff_in_force(uow, code).view() for code in codes]


def tariff(uow: UnitOfWork, code: str) -> dict[str, Any]:
    """One tariff's document in force."""
    with uow:
        return tariff_in_force(uow, code).view()


def publish_tariff(
    uow: UnitOfWork,
    actor: Actor,
    *,
    code: str,
    document: dict[str, Any],
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Replace a tariff with a new revision after validation (422 naming the field); audited."""
    checked = parse_tariff(document)
    if checked.code != code:
        raise RuleViolation("tariff.code", f"the document is tariff {checked.code!r}, not {code!r}")

    def work(uow: UnitOfWork) -> dict[str, Any]:
        before = uow.billing.latest_tariff(code)
        row = TariffRevisionRow(
            code=code,
            revision=uow.billing.next_revision(code),
            document=tariff_document(checked),
            published_by=actor.name,
            published_at=command_time(),
        )
        uow.billing.add(row)
        view = _from_row(row).view()
        old = None if before is None else {"revision": before.revision, "tariff": before.document}
        subject_event(uow, EventType.TARIFF_PUBLISHED, "tariff", code, actor, old, view)
        return view

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)
