"""CSV lists applied to the hub, all or nothing per file, with a report of every bad row and column.

A file is first read whole (:mod:`landbridge.interchange.csv_lists`); any bad cell and nothing is
applied. Then every row runs through the operations services in one transaction; a row the hub
refuses (a container already registered, an unknown shipper) is reported with its line and field,
and the whole file is rolled back, so a list is never half-loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from landbridge.domain.containers import LoadState
from landbridge.domain.errors import DomainError
from landbridge.domain.identifiers import ContainerNumber
from landbridge.interchange.csv_lists import (
    BookingRow,
    ContainerRow,
    ListKind,
    ManifestRow,
    RowProblem,
    read_list,
    write_list,
)
from landbridge.services.containers import Actor, RegisterContainer, add_registered_container
from landbridge.services.interchange.nested import SavepointUnitOfWork
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork


@dataclass
class CsvReport:
    """What became of a CSV file: applied (all rows) or not at all, and why."""

    kind: str
    rows: int
    applied: bool
    problems: list[RowProblem] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "kind": self.kind,
            "rows": self.rows,
            "applied": self.applied,
            "problems": [{"line": p.line, "column": p.column, "reason": p.reason} for p in self.problems],
            "summary": self.summary,
        }


def _register(uow: UnitOfWork, actor: Actor, row: ContainerRow, source: str) -> str:
    add_registered_container(
        uow,
        RegisterContainer(
            number=ContainerNumber(row.number),
            iso_type=row.iso_type,
            load_state=LoadState.FULL if row.load_state == "full" else LoadState.EMPTY,
            gross_mass_kg=row.gross_mass_kg,
            seals=tuple(row.seal_numbers),
            reefer_setpoint_c=float(row.reefer_setpoint_c) if row.reefer_setpoint_c is not None else None,
            source_reference=source,
        ),
        actor,
    )
    if row.booking_reference:
        from landbridge.services.operations import parties

        parties.assign_container(uow, actor, booking_reference=row.booking_reference, container=row.number)
    return row.number


def _book(uow: UnitOfWork, actor: Actor, row: BookingRow, source: str) -> str:
    from landbridge.services.operations import parties

    parties.create_consignment(
        uow,
        actor,
        booking_reference=row.booking_reference,
        shipper_code=row.shipper_code,
        consignee_code=row.consignee_code,
        origin=row.origin,
        destination=row.destination,
        goods=[],
    )
    return row.booking_reference


def _manifest(kind: str) -> Callable[[UnitOfWork, Actor, ManifestRow, str], str]:
    def apply(uow: UnitOfWork, actor: Actor, row: ManifestRow, source: str) -> str:
        from landbridge.services.interchange.ops_bridge import add_to_manifest

        return add_to_manifest(uow, actor, kind, row, source)

    return apply


def import_csv(
    uow: UnitOfWork, actor: Actor, text: str, kind: ListKind, *, visit: str | None = None, source_name: str = "csv"
) -> CsvReport:
    """Read, check and apply a CSV list in one transaction (nothing applied on any problem)."""
    parsed = read_list(text, kind)
    report = CsvReport(kind.value, len(parsed.rows) + len({p.line for p in parsed.problems if p.line > 1}), False)
    if not parsed.ok:
        report.problems = list(parsed.problems)
        return report
    if kind in (ListKind.DISCHARGE, ListKind.LOAD) and not visit:
        report.problems = [RowProblem(0, "visit", "a discharge or load list belongs to a vessel visit; give visit")]
        return report
    appliers: dict[ListKind, Callable[..., str]] = {
        ListKind.CONTAINERS: _register,
        ListKind.BOOKINGS: _book,
        ListKind.DISCHARGE: _manifest(f"discharge:{visit}"),
        ListKind.LOAD: _manifest(f"load:{visit}"),
    }
    apply = appliers[kind]
    done: list[str] = []
    with uow:
        for line, row in parsed.rows:
            try:
                with SavepointUnitOfWork(uow) as savepoint:
                    done.append(apply(savepoint, actor, row, f"csv:{source_name}:{line}"[:128]))
                    savepoint.commit()
            except DomainError as error:
                report.problems.append(RowProblem(line, error.field, error.reason))
        if report.problems:
            return report  # leaving without commit rolls every row back
        uow.commit()
    report.applied = True
    report.summary = {"applied": len(done)}
    return report


def export_csv(uow: UnitOfWork, kind: ListKind, *, visit: str | None = None) -> str:
    """The hub's containers or bookings (or a call's list) as CSV with the import's columns."""
    with uow:
        if kind is ListKind.CONTAINERS:
            rows: list[Any] = [
                ContainerRow(
                    number=row.number,
                    iso_type=row.iso_type,
                    load_state=row.load_state,
                    gross_mass_kg=row.gross_mass_kg,
                    booking_reference=row.booking_reference,
                    seals=";".join(row.seals or []) or None,
                    reefer_setpoint_c=Decimal(str(row.reefer_setpoint_c))
                    if row.reefer_setpoint_c is not None
                    else None,
                )
                for row in uow.session.scalars(select(tables.ContainerRow).order_by(tables.ContainerRow.number))
            ]
        elif kind is ListKind.BOOKINGS:
            rows = [
                BookingRow(
                    booking_reference=row.booking_reference,
                    shipper_code=row.shipper_code,
                    consignee_code=row.consignee_code,
                    origin=row.origin,
                    destination=row.destination,
                )
                for row in uow.session.scalars(
                    select(tables.ConsignmentRow).order_by(tables.ConsignmentRow.booking_reference)
                )
            ]
        else:
            from landbridge.services.interchange.ops_bridge import manifest_rows

            rows = manifest_rows(uow, kind.value, visit or "")
        return write_list(rows, kind)
