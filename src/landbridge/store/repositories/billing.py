"""Billing: tariff revisions, guarantees, waivers, invoices, and the facts charges are computed from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, union
from sqlalchemy.orm import Session

from landbridge.domain.containers import PositionKind
from landbridge.domain.invoices import InvoiceStatus
from landbridge.store import tables
from landbridge.store.billing_tables import (
    GuaranteeRow,
    InvoiceLineRow,
    InvoiceRow,
    InvoiceSeriesRow,
    TariffRevisionRow,
    WaiverRow,
)
from landbridge.store.repositories.scope import Scope

CONTAINER_MOVES = (
    "container.discharged",
    "container.loaded_vessel",
    "container.loaded_wagon",
    "container.unloaded_wagon",
    "container.gate_in",
    "container.gate_out",
    "container.stuffed",
    "container.stripped",
    "container.gauge_transfer",
    "container.placed",  # charged only with a caused_by_party (an extra move a customer caused)
    "container.vgm_declared",  # charged only with weighed_at_base (the base weighed the box)
)
GRAIN_MOVES = ("grain.received", "grain.transferred", "grain.shipped")


class BillingRepository:
    """Reads and writes of the billing tables, and the event-log reads charges start from."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: object) -> None:
        """Add a new billing row to the transaction."""
        self._session.add(row)
        self._session.flush()

    # tariffs
    def latest_tariff(self, code: str | None = None) -> TariffRevisionRow | None:
        """The newest revision of ``code`` (of any code when None)."""
        query = select(TariffRevisionRow).order_by(TariffRevisionRow.id.desc()).limit(1)
        if code is not None:
            query = query.where(TariffRevisionRow.code == code)
        return self._session.scalar(query)

    def tariff_codes(self) -> list[str]:
        """Every tariff code ever published."""
        return list(self._session.scalars(select(TariffRevisionRow.code).distinct().order_by(TariffRevisionRow.code)))

    def next_revision(self, code: str) -> int:
        """The revision number a new publication of ``code`` gets."""
        query = select(func.max(TariffRevisionRow.revision)).where(TariffRevisionRow.code == code)
        latest = self._session.scalar(query)
        return int(latest or 0) + 1

    # guarantees and waivers
    def guarantees(self, numbers: Iterable[str]) -> list[GuaranteeRow]:
        """Guarantees recorded for these boxes."""
        wanted = list(numbers)
        query = select(GuaranteeRow).where(GuaranteeRow.container_number.in_(wanted)).order_by(GuaranteeRow.id)
        return list(self._session.scalars(query))

    def waivers(self, numbers: Iterable[str] | None = None) -> list[WaiverRow]:
        """Waivers (of these boxes, or all)."""
        query = select(WaiverRow).order_by(WaiverRow.id)
        if numbers is not None:
            query = query.where(WaiverRow.container_number.in_(list(numbers)))
        return list(self._session.scalars(query))

    # event log and box facts
    def container_events(
        self, before: datetime, numbers: Iterable[str] | None = None, *, chargeable_since: datetime | None = None
    ) -> list[Any]:
        """Container events that matter to billing, happened before ``before``, in the order they happened.

        Plain rows (id, event_type, subject_id, occurred_at, after), not ORM objects: a billing run
        reads many thousands of box events, and building an object per event was half its time.

        ``chargeable_since`` keeps only the boxes that can owe something from that moment on (see
        :meth:`boxes_chargeable_since`), each with its whole history: a month's run then reads the
        boxes of that month, not every box the base has ever handled.
        """
        row = tables.EventRow
        query = (
            select(row.id, row.event_type, row.subject_id, row.occurred_at, row.after)
            .where(
                tables.EventRow.subject_type == "container",
                tables.EventRow.event_type.in_(CONTAINER_MOVES),
                tables.EventRow.occurred_at < before,
            )
            .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
        )
        if numbers is not None:
            query = query.where(tables.EventRow.subject_id.in_(list(numbers)))
        if chargeable_since is not None:
            query = query.where(tables.EventRow.subject_id.in_(self.boxes_chargeable_since(chargeable_since)))
        return list(self._session.execute(query))

    @staticmethod
    def boxes_chargeable_since(moment: datetime) -> Any:
        """The numbers of every box that may owe a charge at or after ``moment`` (a subquery).

        A charge is a move (an event at or after the moment) or a day of a stay still open at the
        moment. A box whose stay is open at the moment either left since (an event after it) or is
        still at the base now, so the boxes with a billing event since the moment plus the boxes not
        gone are a superset; ``billing.charges.may_charge_from`` then decides on each whole history.
        """
        event, box = tables.EventRow, tables.ContainerRow
        moved_since = select(event.subject_id).where(
            event.event_type.in_(CONTAINER_MOVES),
            event.occurred_at >= moment,
            event.subject_type == "container",
        )
        gone = (PositionKind.DELIVERED.value, PositionKind.DEPARTED.value)
        still_here = select(box.number).where(box.position_kind.not_in(gone))
        return union(moved_since, still_here)

    def grain_events(self, start: datetime, end: datetime) -> list[tables.EventRow]:
        """Grain lot movements (received, transferred, shipped) that happened in [start, end), in order."""
        query = (
            select(tables.EventRow)
            .where(
                tables.EventRow.subject_type == "grain_lot",
                tables.EventRow.event_type.in_(GRAIN_MOVES),
                tables.EventRow.occurred_at >= start,
                tables.EventRow.occurred_at < end,
            )
            .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
        )
        return list(self._session.scalars(query))

    def containers(self, numbers: Iterable[str]) -> dict[str, Any]:
        """(number, iso_type, booking_reference) by number, read in chunks (a year's boxes in one IN list
        would exceed the 65,535 parameters PostgreSQL takes in one statement)."""
        box = tables.ContainerRow
        found: dict[str, Any] = {}
        for chunk in _chunks(numbers):
            query = select(box.number, box.iso_type, box.booking_reference).where(box.number.in_(chunk))
            found.update((row.number, row) for row in self._session.execute(query))
        return found

    def dangerous(self, numbers: Iterable[str]) -> set[str]:
        """Boxes carrying goods with an IMDG class."""
        line = tables.GoodsLineRow
        found: set[str] = set()
        for chunk in _chunks(numbers):
            query = select(line.container_number).where(line.container_number.in_(chunk), line.imdg_class.is_not(None))
            found.update(number for number in self._session.scalars(query) if number is not None)
        return found

    def consignments(self, bookings: Iterable[str]) -> dict[str, Any]:
        """(booking_reference, shipper_code, consignee_code) by booking reference."""
        consignment = tables.ConsignmentRow
        found: dict[str, Any] = {}
        for chunk in _chunks(bookings):
            query = select(consignment.booking_reference, consignment.shipper_code, consignment.consignee_code).where(
                consignment.booking_reference.in_(chunk)
            )
            found.update((row.booking_reference, row) for row in self._session.execute(query))
        return found

    def owner_parties(self) -> dict[str, str]:
        """ISO 6346 owner code → the party (line) owning it."""
        rows = self._session.execute(select(tables.PartyOwnerCodeRow.owner_code, tables.PartyOwnerCodeRow.party_code))
        return {code: party for code, party in rows}

    # invoices
    def invoice(self, invoice_id: int, scope: Scope, lock: bool = False) -> InvoiceRow | None:
        """An invoice the scope may see (a party: its own)."""
        query = select(InvoiceRow).where(InvoiceRow.id == invoice_id)
        if not scope.everything:
            query = query.where(InvoiceRow.party_code == scope.party)
        return self._session.scalar(query.with_for_update() if lock else query)

    def invoices(
        self, scope: Scope, period: str | None = None, party: str | None = None, status: InvoiceStatus | None = None
    ) -> list[InvoiceRow]:
        """Invoices and credit notes the scope may see, filtered."""
        query = select(InvoiceRow).order_by(InvoiceRow.period, InvoiceRow.party_code, InvoiceRow.id)
        if not scope.everything:
            query = query.where(InvoiceRow.party_code == scope.party)
        if period is not None:
            query = query.where(InvoiceRow.period == period)
        if party is not None:
            query = query.where(InvoiceRow.party_code == party)
        if status is not None:
            query = query.where(InvoiceRow.status == status)
        return list(self._session.scalars(query))

    def open_invoice(self, party: str, period: str) -> InvoiceRow | None:
        """The party's current invoice for the period (a draft or a final one not credited), locked."""
        query = (
            select(InvoiceRow)
            .where(
                InvoiceRow.party_code == party,
                InvoiceRow.period == period,
                InvoiceRow.kind == "invoice",
                InvoiceRow.status.in_(InvoiceStatus.standing()),
            )
            .order_by(InvoiceRow.id.desc())
            .limit(1)
            .with_for_update()
        )
        return self._session.scalar(query)

    def lines(self, invoice_id: int) -> list[InvoiceLineRow]:
        """An invoice's lines in order."""
        query = select(InvoiceLineRow).where(InvoiceLineRow.invoice_id == invoice_id).order_by(InvoiceLineRow.position)
        return list(self._session.scalars(query))

    def replace_lines(self, invoice_id: int, lines: list[InvoiceLineRow]) -> None:
        """Replace a draft's lines (a final invoice's lines never change).

        One DELETE and one multi-row INSERT: a year's busiest party has tens of thousands of lines,
        and writing them object by object was a third of a billing run.
        """
        self._session.execute(
            delete(InvoiceLineRow).where(InvoiceLineRow.invoice_id == invoice_id),
            execution_options={"synchronize_session": False},
        )
        if lines:
            keys = [column.key for column in InvoiceLineRow.__table__.columns if column.key not in ("id", "invoice_id")]
            values = [{**{key: getattr(line, key) for key in keys}, "invoice_id": invoice_id} for line in lines]
            self._session.execute(insert(InvoiceLineRow), values)

    def take_number(self, series: str) -> int:
        """The next number of ``series``, taken under a row lock so numbers have no gaps or repeats."""
        row = self._session.scalar(select(InvoiceSeriesRow).where(InvoiceSeriesRow.series == series).with_for_update())
        if row is None:
            row = InvoiceSeriesRow(series=series, next_number=1)
            self._session.add(row)
            self._session.flush()
        number = row.next_number
        row.next_number = number + 1
        self._session.flush()
        return number


def _chunks(values: Iterable[str], size: int = 10_000) -> Iterator[list[str]]:
    """``values`` in lists of at most ``size`` (parameters per statement stay well within every backend's limit)."""
    batch: list[str] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
