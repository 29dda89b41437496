"""The command runner every operation goes through, and helpers shared by the contexts.

``execute`` opens the unit of work, replays a stored idempotent answer if there is one, runs the
command, stores the answer under the key, and commits once. Races end in a 409 naming the field:
a unique constraint (a yard or wagon cell already filled) raises ``IntegrityError``, and a clash
with a concurrent writer (PostgreSQL serialization failure or deadlock, SQLite lock timeout) is
retried a few times with the one back-off of :mod:`landbridge.services.retry` before giving up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError

from landbridge.domain.containers import PositionKind
from landbridge.domain.errors import Conflict, NotFound
from landbridge.domain.events import Event, EventType
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.iso_types import size_type
from landbridge.services import preconditions
from landbridge.services.actor import Actor
from landbridge.services.event_time import append_all_in_order, append_in_order, command_time, occurring_at
from landbridge.services.idempotency import IdempotencyKey, Outcome, remember, stored_outcome
from landbridge.services.retry import is_clash, wait_after_clash
from landbridge.store import tables
from landbridge.store.repositories import Scope
from landbridge.store.unit_of_work import ReadOnlyViolation, UnitOfWork

MAX_ATTEMPTS = 5

# Which unique constraint a lost race hit → the field and reason the caller reads in the 409.
_CONSTRAINT_CONFLICTS: list[tuple[tuple[str, ...], str, str]] = [
    (("uq_yard_cells_position", "yard_cells."), "slot", "the slot was filled by a concurrent move"),
    (("uq_yard_slots", "yard_slots."), "slot", "the slot was filled by a concurrent move"),
    (("uq_wagon_cells_position", "wagon_cells."), "slot", "the wagon slot was filled by a concurrent load"),
    (("pk_containers", "containers.number"), "number", "the container is already registered"),
    (("uq_wagons_train", "wagons."), "wagons", "wagon number or position repeated in the train"),
    (("pk_train_visits", "train_visits.reference"), "reference", "the train visit already exists"),
    (("pk_vessel_visits", "vessel_visits.reference"), "reference", "the vessel visit already exists"),
    (("pk_grain_lots", "grain_lots.reference"), "reference", "the grain lot already exists"),
    (("pk_truck_visits", "truck_visits.reference"), "reference", "the truck visit already exists"),
    (("pk_gate_appointments", "gate_appointments.reference"), "reference", "the appointment already exists"),
    (("uq_parties_code", "parties.code"), "code", "the party already exists"),
    (("uq_consignments", "consignments.booking_reference"), "booking_reference", "the booking already exists"),
]


def _is_idempotency_race(error: IntegrityError) -> bool:
    text = str(error.orig)
    return "idempotency_keys" in text or "pk_idempotency_keys" in text


def conflict_for(error: IntegrityError) -> Conflict:
    """The 409 a unique-constraint violation means to the caller."""
    text = str(error.orig)
    for needles, field, reason in _CONSTRAINT_CONFLICTS:
        if any(needle in text for needle in needles):
            return Conflict(field, reason)
    return Conflict("request", "the command clashed with a concurrent change; read the state and retry")


def execute(
    uow: UnitOfWork,
    actor: Actor,
    work: Callable[[UnitOfWork], Any],
    *,
    status_code: int = 200,
    idempotency: IdempotencyKey | None = None,
    attempts: int = MAX_ATTEMPTS,
    occurred_at: datetime | None = None,
) -> Outcome:
    """Run ``work`` in one transaction with its idempotency record; commit once; map races to 409.

    A clash with a concurrent writer runs ``work`` again in a fresh transaction, up to ``attempts``
    times, after the back-off of :mod:`landbridge.services.retry`. A unit of work joined to another's
    transaction does not retry: the clash has broken the outer transaction, so it goes up to the
    outer ``execute``, which retries the whole command.

    ``occurred_at`` is when the command happened (default now; naive or future → 422): every
    event and time the command writes carries it (see :mod:`landbridge.services.event_time`).
    """
    if uow.read_only:  # a GET's unit of work: the route must ask for ``uow.writing()`` (it is a bug, not a 4xx)
        raise ReadOnlyViolation("a command cannot run on a unit of work for reading")
    with occurring_at(occurred_at):
        return _execute(uow, actor, work, status_code, idempotency, attempts)


def _execute(
    uow: UnitOfWork,
    actor: Actor,
    work: Callable[[UnitOfWork], Any],
    status_code: int,
    idempotency: IdempotencyKey | None,
    attempts: int,
) -> Outcome:
    for attempt in range(attempts):
        preconditions.begin_attempt()
        rechecked = False
        try:
            with uow:
                keys = uow.idempotency
                if idempotency is not None:
                    previous = stored_outcome(keys, actor.name, idempotency)
                    if previous is not None:
                        return previous
                try:
                    outcome = Outcome(status_code, work(uow))
                except Conflict:
                    # Most refusals of a contested move end here: look for the repeat's answer in this
                    # transaction (its next statement sees what committed since), not in a second one.
                    if idempotency is not None:
                        found = _stored_after_conflict(uow, actor, idempotency)
                        rechecked = found is not _UNANSWERED
                        if isinstance(found, Outcome):
                            return found
                    raise
                preconditions.ensure_checked()
                if idempotency is not None:
                    remember(keys, actor.name, idempotency, outcome)
                uow.commit()
                return outcome
        except IntegrityError as error:
            if idempotency is not None and _is_idempotency_race(error):
                continue  # the same key committed concurrently: the next attempt replays its answer
            raise conflict_for(error) from error
        except Conflict:
            # A repeat of a request still in flight loses the race for the row it changes; once the
            # first has committed, its stored answer is the right reply to the repeat.
            if idempotency is not None and not rechecked:
                with uow:
                    previous = stored_outcome(uow.idempotency, actor.name, idempotency)
                if previous is not None:
                    return previous
            raise
        except DBAPIError as error:
            if not is_clash(error) or not uow.owns_transaction:
                raise
            if attempt + 1 < attempts:
                wait_after_clash(attempt + 1)
                continue
            raise Conflict("request", "the command kept clashing with concurrent changes; retry") from error
    raise Conflict("request", "the command kept clashing with concurrent changes; retry")


_UNANSWERED = object()
"""The key could not be looked up in the refused command's transaction (it was broken)."""


def _stored_after_conflict(uow: UnitOfWork, actor: Actor, idempotency: IdempotencyKey) -> Outcome | object | None:
    """The stored answer to the key, read in the transaction a ``Conflict`` has just ended.

    PostgreSQL runs READ COMMITTED: this statement sees a repeat that committed while this one
    waited for its locks, as a new transaction would, without a second checkout, ``BEGIN`` and
    ``ROLLBACK``. On SQLite this transaction holds the write lock, so nothing can have committed
    since the first lookup. In a transaction the database broke (a failed statement a rule turned
    into the 409) the lookup fails: ``_UNANSWERED``, and the caller looks in a new one as before.
    """
    try:
        return stored_outcome(uow.idempotency, actor.name, idempotency)
    except DBAPIError:
        return _UNANSWERED


def parse_container(number: str, field: str = "container") -> ContainerNumber:
    """A container number from input; a malformed one cannot exist, so it is 404 like an unknown one."""
    from landbridge.domain.errors import InvalidIdentifier

    try:
        return ContainerNumber(number)
    except InvalidIdentifier as error:
        raise NotFound(field, f"no container {number!r} ({error.reason})") from None


def locked_container(
    uow: UnitOfWork, number: str, field: str = "container", seen_version: int | None = None
) -> tables.ContainerRow:
    """The container's row, locked for this transaction; 404 naming ``field`` when unknown.

    ``seen_version`` is the version read when the request arrived (see :func:`peek_version`): if
    another request moved the box while this one waited for the lock, this one loses with a 409
    instead of silently moving the box a second time from a place its caller never saw.
    """
    parsed = parse_container(number, field)
    row = uow.containers.row_for_update(parsed)
    if row is None:
        raise NotFound(field, f"no container {parsed}")
    if seen_version is not None and row.version != seen_version:
        raise Conflict(field, f"{parsed} was changed by a concurrent request; read it again and retry")
    preconditions.check("container", row.number, preconditions.container_etag(row))
    return row


def peek_version(uow: UnitOfWork, number: str) -> int | None:
    """No longer a guard: always None (kept so the commands' call sites stay as they are).

    A version read when the handler starts is not what the client saw — requests queued behind a
    move read the newest version and all won. The version a command is checked against now comes
    from the request (``If-Match``, see :mod:`landbridge.services.preconditions`).
    """
    del uow, number
    return None


def check_version(row: tables.ContainerRow, expected_version: int | None) -> None:
    """Optimistic check: refuse when the caller saw an older state of the container."""
    if expected_version is not None and row.version != expected_version:
        raise Conflict(
            "expected_version", f"container {row.number} is at version {row.version}, not {expected_version}"
        )


def position_of(row: tables.ContainerRow) -> dict[str, str | None]:
    """The container's place as stored in events (kind and reference)."""
    return {"kind": row.position_kind, "reference": row.position_reference}


def container_view(row: tables.ContainerRow) -> dict[str, Any]:
    """The JSON answer describing a container after a command."""
    iso = size_type(row.iso_type)
    return {
        "number": row.number,
        "iso_type": row.iso_type,
        "length_ft": iso.length_ft,
        "teu": iso.teu,
        "load_state": row.load_state,
        "gross_mass_kg": row.gross_mass_kg,
        "booking_reference": row.booking_reference,
        "position": position_of(row),
        "version": row.version,
    }


def set_position(row: tables.ContainerRow, kind: PositionKind, reference: str | None) -> None:
    """Move the container (in this transaction) and bump its version."""
    row.position_kind = kind.value
    row.position_reference = reference
    row.version = row.version + 1


def container_event(
    uow: UnitOfWork,
    event_type: EventType,
    row: tables.ContainerRow,
    actor: Actor,
    before: dict[str, Any],
    after: dict[str, Any] | None = None,
    location: str | None = None,
    source_reference: str | None = None,
) -> None:
    """Append an event about a container whose ``after`` carries its new place (used by replay)."""
    append_in_order(uow, _container_event_of(event_type, row, actor, before, after, location, source_reference))


def container_events(
    uow: UnitOfWork,
    event_type: EventType,
    rows: Sequence[tables.ContainerRow],
    actor: Actor,
    after: dict[str, Any] | None = None,
    location: str | None = None,
) -> None:
    """:func:`container_event` for many boxes at once, ``before`` each one's :func:`snapshot` (a train that
    departs or arrives): the same events in the same order, checked and written with two statements, not two per box."""
    events = [_container_event_of(event_type, row, actor, snapshot(row), after, location) for row in rows]
    append_all_in_order(uow, events)


def _container_event_of(
    event_type: EventType,
    row: tables.ContainerRow,
    actor: Actor,
    before: dict[str, Any],
    after: dict[str, Any] | None,
    location: str | None,
    source_reference: str | None = None,
) -> Event:
    """The event :func:`container_event` and :func:`container_events` append: ``after`` over the box's snapshot."""
    payload = snapshot(row)
    payload.update(after or {})
    return _event_by(actor, event_type, "container", row.number, before, payload, location, source_reference)


def _event_by(
    actor: Actor,
    event_type: EventType,
    subject_type: str,
    subject_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    location: str | None,
    source_reference: str | None,
) -> Event:
    """An event the actor causes now (the command's time), sourced from the actor unless told otherwise."""
    return Event(
        event_type=event_type,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor.name,
        role=actor.role,
        occurred_at=command_time(),
        location=location,
        before=before,
        after=after,
        source_reference=source_reference or actor.source,
    )


def snapshot(row: tables.ContainerRow) -> dict[str, Any]:
    """The ``before`` of a container event."""
    return {"position": position_of(row), "load_state": row.load_state, "gross_mass_kg": row.gross_mass_kg}


def subject_event(
    uow: UnitOfWork,
    event_type: EventType,
    subject_type: str,
    subject_id: str,
    actor: Actor,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    location: str | None = None,
    source_reference: str | None = None,
) -> None:
    """Append an event about a non-container subject (visit, train, lot, hold, truck…)."""
    append_in_order(
        uow, _event_by(actor, event_type, subject_type, subject_id, before, after, location, source_reference)
    )


def acting_scope(actor: Actor, scope: Scope) -> Scope:
    """What a command may touch: the scope the caller passed, and never more than the actor's own
    (a line acting for its party), so a caller that forgets the scope — a form, an import, a
    script — cannot reach another party's objects."""
    from landbridge.services.authz import scope_of  # authz runs its commands through execute (above)

    return scope if not scope.everything else scope_of(actor)
