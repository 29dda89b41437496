"""CSV lists applied to the hub, all or nothing per file, with a report of every bad row and column.

A file is first read whole (:mod:`landbridge.interchange.csv_lists`); any bad cell and nothing is
applied. Then every row runs through the operations services in one transaction; a row the hub
refuses (a container already registered, an unknown shipper) is reported with its line and field,
and the whole file is rolled back, so a list is never half-loaded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from landbridge.domain.containers import LoadState
from landbridge.domain.errors import DomainError, NotFound, RuleViolation
from landbridge.domain.identifiers import ContainerNumber
from landbridge.interchange.csv_lists import (
    BookingRow,
    ContainerRow,
    ListKind,
    RowProblem,
    read_list,
    write_list,
)
from landbridge.services.containers import Actor, RegisterContainer, add_registered_container
from landbridge.services.idempotency import IdempotencyKey, request_digest
from landbridge.services.operations.common import execute
from landbridge.store import tables
from landbridge.store.savepoint import SavepointUnitOfWork
from landbridge.store.unit_of_work import UnitOfWork


@dataclass
class CsvReport:
    """What became of a CSV file: applied (all rows) or not at all, and why."""

    kind: str
    rows: int
    applied: bool
    problems: list[RowProblem] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False
    """The stored answer to an upload sent again under its idempotency key (nothing applied this time)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "kind": self.kind,
            "rows": self.rows,
            "applied": self.applied,
            "problems": [{"line": p.line, "column": p.column, "reason": p.reason} for p in self.problems],
            "summary": self.summary,
        }

    @classmethod
    def applied_from(cls, answer: dict[str, Any], *, replayed: bool = False) -> CsvReport:
        """The report of an applied list from its JSON (as stored under the upload's idempotency key)."""
        return cls(str(answer["kind"]), int(answer["rows"]), True, summary=dict(answer["summary"]), replayed=replayed)


def upload_key(key: str, kind: ListKind, visit: str | None, text: str) -> IdempotencyKey:
    """An upload's idempotency key: the same list (kind, visit, file text) is the same request.

    Digested from what was uploaded, not from the multipart body: a retry or a second click sends the
    same file under another boundary, and that must replay the first answer, not be refused.
    """
    what = json.dumps({"kind": kind.value, "visit": visit, "file": text}, ensure_ascii=False, sort_keys=True)
    return IdempotencyKey(key, request_digest("POST", f"csv/{kind.value}", what.encode("utf-8")))


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


def _line_of(field: str, lines: list[int]) -> int:
    """The CSV line an ``entries[i]…`` field names (0 when the problem is the list's, e.g. its visit)."""
    if field.startswith("entries["):
        index = int(field[len("entries[") : field.index("]")])
        if 0 <= index < len(lines):
            return lines[index]
    return 0


def _replace_list(
    uow: UnitOfWork, actor: Actor, kind: ListKind, visit: str, rows: Sequence[tuple[int, Any]]
) -> list[str]:
    """The list becomes the call's discharge or load list (the operations' manifest), or a RowProblem is raised."""
    from landbridge.services.interchange.ops_bridge import replace_manifest

    try:
        with SavepointUnitOfWork(uow) as savepoint:
            listed = replace_manifest(savepoint, actor, kind.value, visit, [row for _, row in rows])
            savepoint.release()
            return listed
    except DomainError as error:
        raise _RowRefused(
            RowProblem(_line_of(error.field, [line for line, _ in rows]), error.field, error.reason)
        ) from None


class _Refused(Exception):
    """A row of the list was refused: the whole list is rolled back (the report names every row)."""


class _RowRefused(Exception):
    def __init__(self, problem: RowProblem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


def import_csv(
    uow: UnitOfWork,
    actor: Actor,
    text: str,
    kind: ListKind,
    *,
    visit: str | None = None,
    source_name: str = "csv",
    idempotency: IdempotencyKey | None = None,
) -> CsvReport:
    """Read, check and apply a CSV list in one transaction (nothing applied on any problem).

    With ``idempotency`` (:func:`upload_key`) an applied list is remembered with its report in the
    same transaction: the same list sent again under the key answers that report and applies nothing;
    another list under the key is refused at ``Idempotency-Key`` (422), as every command refuses it.
    A refused list stores nothing, so its corrected retry may reuse the key.
    """
    parsed = read_list(text, kind)
    report = CsvReport(kind.value, len(parsed.rows) + len({p.line for p in parsed.problems if p.line > 1}), False)
    if not parsed.ok:
        report.problems = list(parsed.problems)
        return report
    if kind in (ListKind.DISCHARGE, ListKind.LOAD) and not visit:
        report.problems = [RowProblem(0, "visit", "a discharge or load list belongs to a vessel visit; give visit")]
        return report
    appliers: dict[ListKind, Callable[..., str]] = {ListKind.CONTAINERS: _register, ListKind.BOOKINGS: _book}
    done: list[str] = []

    def work(uow: UnitOfWork) -> dict[str, Any]:
        done.clear()  # a clash with a concurrent writer runs the whole list again
        report.problems.clear()
        if kind in (ListKind.DISCHARGE, ListKind.LOAD):
            try:
                done.extend(_replace_list(uow, actor, kind, visit or "", parsed.rows))
            except _RowRefused as refused:
                report.problems.append(refused.problem)
                raise _Refused from None
            return applied()
        apply = appliers[kind]
        for line, row in parsed.rows:
            try:
                with SavepointUnitOfWork(uow) as savepoint:
                    done.append(apply(savepoint, actor, row, f"csv:{source_name}:{line}"[:128]))
                    savepoint.release()
            except DomainError as error:
                report.problems.append(RowProblem(line, error.field, error.reason))
        if report.problems:
            raise _Refused  # nothing of the list is kept
        return applied()

    def applied() -> dict[str, Any]:
        return CsvReport(report.kind, report.rows, True, summary={"applied": len(done)}).as_dict()

    try:
        outcome = execute(uow, actor, work, idempotency=idempotency)
    except _Refused:
        return report
    return CsvReport.applied_from(outcome.body, replayed=outcome.replayed)


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

            if not visit:
                raise RuleViolation("visit", "a discharge or load list belongs to a vessel visit; give visit")
            if uow.vessels.get(visit) is None:
                raise NotFound("visit", f"no vessel visit {visit!r}")
            rows = manifest_rows(uow, kind.value, visit)
        return write_list(rows, kind)
