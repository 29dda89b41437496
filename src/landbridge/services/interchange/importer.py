"""Import EDIFACT: each interchange idempotent, each message all or nothing, every fault answered.

Per interchange, one transaction:

1. a (sender, recipient, UNB 0020) already processed is a **duplicate**: the stored answer is
   returned and nothing changes;
2. the same content (the messages, references and times aside) already applied under another
   reference is **held**: recorded, flagged (CONTRL code 26), not applied;
3. an envelope fault the partner's tolerances do not cover rejects the **whole interchange**;
4. otherwise each message is applied in its own savepoint: a message with any error (a bad
   segment, wrong UNT count, a container number with a bad check digit, an unknown qualifier, or a
   domain rule its content breaks) is rolled back **whole** and rejected, naming the segment and
   the reason; the good messages of the same interchange **are applied** (status
   ``partially_accepted``), as a CONTRL answers each message on its own;
5. the record of the interchange (its report and the CONTRL) is written in the same transaction,
   which commits once. A crash before the commit leaves nothing; a re-import then applies it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from landbridge.domain.errors import Conflict, DomainError, RuleViolation
from landbridge.domain.events import utc_now
from landbridge.interchange.edifact.contrl import acknowledge
from landbridge.interchange.edifact.messages import ReadInterchange, ReadMessage, read
from landbridge.interchange.edifact.syntax import (
    DUPLICATE,
    NO_AGREEMENT,
    UNKNOWN_SENDER,
    InterchangeHeader,
    Problem,
    interchange_text,
)
from landbridge.services.containers import Actor
from landbridge.services.interchange.partners import OWN_UNB_ID, Partner, apply_tolerances
from landbridge.store.interchange_tables import EdiCursorRow, EdiInterchangeRow, EdiPartnerRow
from landbridge.store.savepoint import SavepointUnitOfWork
from landbridge.store.unit_of_work import UnitOfWork

APPLIED_STATUSES = ("accepted", "partially_accepted")


class ApplyError(Exception):
    """A message's content cannot be applied; carries the problem naming its segment."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.describe())
        self.problem = problem


@dataclass
class ApplyContext:
    """What a message handler gets: a savepoint unit of work, the caller, the message and its partner."""

    uow: UnitOfWork
    actor: Actor
    message: ReadMessage
    partner: Partner
    interchange_id: int
    position: int = 1
    tag: str = "UNH"
    notes: list[str] = field(default_factory=list)
    element: int | None = None

    def at(self, position: int, tag: str, element: int | None = None) -> None:
        """The segment (and element) the next command concerns, named in the CONTRL if the command fails."""
        self.position, self.tag, self.element = position, tag, element

    def positions(self, tag: str) -> list[int]:
        """The positions (UNH = 1) of every segment with this tag."""
        return [index for index, item in enumerate(self.message.raw.segments, start=1) if item.tag == tag]


Handler = Callable[[ApplyContext], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}
# Message types whose handler is safe to run for many messages in one savepoint: it raises before
# writing anything when a message would be refused, so a batch either applies whole or is redone
# message by message (each in its own savepoint) to find and reject the bad ones.
BATCHABLE: set[str] = set()
BatchHandler = Callable[[list[ApplyContext]], list[dict[str, Any]]]
# Message types with a handler for a whole interchange of them at once (one query per table to
# read, one multi-row INSERT per table to write); it gives the same result as the message-by-message
# handler, or raises BatchRefused when any message would not be applied.
BATCH_HANDLERS: dict[str, BatchHandler] = {}


class BatchRefused(Exception):
    """The batch cannot be applied as one; the importer falls back to one savepoint per message."""


def handles(message_type: str) -> Callable[[Handler], Handler]:
    """Register the function applying one message type."""

    def register(function: Handler) -> Handler:
        HANDLERS[message_type] = function
        return function

    return register


def handles_batch(message_type: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register the function applying many messages of one type at once (see ``BATCH_HANDLERS``)."""

    def register(function: BatchHandler) -> BatchHandler:
        BATCHABLE.add(message_type)
        BATCH_HANDLERS[message_type] = function
        return function

    return register


@dataclass
class MessageOutcome:
    """What became of one message."""

    reference: str
    message_type: str
    version: str
    status: str
    problems: list[Problem]
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "reference": self.reference,
            "message_type": self.message_type,
            "version": self.version,
            "status": self.status,
            "problems": [problem_dict(problem) for problem in self.problems],
            "summary": self.summary,
        }


@dataclass
class InterchangeOutcome:
    """What became of one interchange, with the CONTRL answering it."""

    id: int | None
    sender: str
    recipient: str
    control_reference: str
    partner_code: str | None
    status: str
    problems: list[Problem]
    messages: list[MessageOutcome]
    contrl: str | None
    duplicate_of: int | None = None

    def report(self) -> dict[str, Any]:
        """JSON-ready report (the ``report`` column and the API's answer)."""
        return {
            "id": self.id,
            "sender": self.sender,
            "recipient": self.recipient,
            "control_reference": self.control_reference,
            "partner": self.partner_code,
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "problems": [problem_dict(problem) for problem in self.problems],
            "messages": [message.as_dict() for message in self.messages],
        }


def problem_dict(problem: Problem) -> dict[str, Any]:
    """A problem as JSON: code, where, why, severity."""
    return {
        "code": problem.code,
        "segment": problem.segment_tag,
        "position": problem.segment_position,
        "element": problem.element,
        "component": problem.component,
        "reason": problem.reason,
        "severity": problem.severity,
        "text": problem.describe(),
    }


def content_digest(interchange: ReadInterchange) -> str:
    """SHA-256 of the messages' bodies: the same content under new references digests the same."""
    digest = hashlib.sha256()
    for message in interchange.messages:
        digest.update("|".join(message.raw.identifier).encode())
        digest.update(repr([(item.tag, item.elements) for item in message.raw.segments[1:-1]]).encode())
    return digest.hexdigest()


def next_reference(uow: UnitOfWork, prefix: str = "LB") -> str:
    """A unique outbound control reference (a counter row, locked for the transaction)."""
    row = uow.session.scalar(select(EdiCursorRow).where(EdiCursorRow.name == "out:sequence").with_for_update())
    if row is None:
        row = EdiCursorRow(name="out:sequence", last_event_id=0)
        uow.session.add(row)
    row.last_event_id = row.last_event_id + 1
    uow.session.flush()
    return f"{prefix}{row.last_event_id:010d}"


def own_header(uow: UnitOfWork, partner: Partner, *, syntax: str = "UNOC", version: str = "3") -> InterchangeHeader:
    """The UNB of an interchange we send to ``partner``, numbered uniquely, stamped in its zone."""
    date, time = InterchangeHeader.stamp(utc_now().astimezone(partner.zone), version)
    return InterchangeHeader(
        syntax, version, OWN_UNB_ID, "ZZZ", partner.unb_id, partner.unb_qualifier, date, time, next_reference(uow)
    )


def _partner_row(uow: UnitOfWork, unb_id: str) -> EdiPartnerRow | None:
    return uow.session.scalar(select(EdiPartnerRow).where(EdiPartnerRow.unb_id == unb_id))


def _errors(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity == "error"]


def _apply_message(
    uow: UnitOfWork, actor: Actor, message: ReadMessage, partner: Partner, interchange_id: int
) -> MessageOutcome:
    kind = message.kind
    message_type = kind.message_type if kind else message.raw.message_type
    version = kind.version if kind else ""
    problems = apply_tolerances(message.problems, partner.tolerances)
    if kind is not None and not partner.sends(kind.message_type, kind.version):
        problems.append(
            Problem(
                NO_AGREEMENT,
                f"partner {partner.code} has no agreement to send {kind.label}",
                "UNH",
                1,
                2,
                1,
            )
        )
    handler = HANDLERS.get(message_type)
    if not _errors(problems) and handler is None:
        problems.append(Problem(NO_AGREEMENT, f"{message_type} is read but not applied by this hub", "UNH", 1, 2, 1))
    if _errors(problems) or handler is None:
        return MessageOutcome(message.raw.reference, message_type, version, "rejected", problems)
    context = ApplyContext(uow, actor, message, partner, interchange_id)
    try:
        with SavepointUnitOfWork(uow) as savepoint:
            context.uow = savepoint
            summary = handler(context)
            savepoint.release()
    except ApplyError as error:
        problems.append(error.problem)
        return MessageOutcome(message.raw.reference, message_type, version, "rejected", problems)
    except (DomainError, IntegrityError) as error:
        reason = error.reason if isinstance(error, DomainError) else "it clashes with the hub's state"
        name = f"{error.field}: " if isinstance(error, DomainError) else ""
        component = None if context.element is None else 1
        problems.append(Problem("12", f"{name}{reason}", context.tag, context.position, context.element, component))
        return MessageOutcome(message.raw.reference, message_type, version, "rejected", problems)
    if context.notes:
        summary = {**summary, "notes": context.notes}
    return MessageOutcome(message.raw.reference, message_type, version, "applied", problems, summary)


def _apply_batch(
    uow: UnitOfWork, actor: Actor, messages: list[ReadMessage], partner: Partner, interchange_id: int
) -> list[MessageOutcome] | None:
    """Every message in one savepoint and one flush when all are clean and of a batchable type, else None.

    The result is the same as applying them one by one (each would have been applied): this only
    saves a savepoint and a flush per message. Any refusal, or a clash at the flush, rolls the batch
    back and returns None, and the caller applies the messages one by one.
    """
    if len(messages) < 2:
        return None
    outcomes: list[MessageOutcome] = []
    for message in messages:
        kind = message.kind
        problems = apply_tolerances(message.problems, partner.tolerances)
        if kind is None or kind.message_type not in BATCHABLE or _errors(problems):
            return None
        if not partner.sends(kind.message_type, kind.version):
            return None
        outcomes.append(MessageOutcome(message.raw.reference, kind.message_type, kind.version, "applied", problems))
    types = {outcome.message_type for outcome in outcomes}
    together = BATCH_HANDLERS.get(types.pop()) if len(types) == 1 else None
    try:
        with SavepointUnitOfWork(uow) as savepoint, savepoint.session.no_autoflush:
            contexts = [ApplyContext(savepoint, actor, message, partner, interchange_id) for message in messages]
            if together is not None:
                summaries = together(contexts)
            else:
                summaries = [HANDLERS[outcome.message_type](c) for outcome, c in zip(outcomes, contexts, strict=True)]
            for context, outcome, summary in zip(contexts, outcomes, summaries, strict=True):
                outcome.summary = {**summary, "notes": context.notes} if context.notes else summary
            savepoint.session.flush()
            savepoint.release()
    except (BatchRefused, ApplyError, DomainError, IntegrityError):
        return None
    return outcomes


def _without_secrets(report: dict[str, Any]) -> dict[str, Any]:
    """The report as kept: a delivery order's PIN is answered once to the sender, never stored."""
    messages = []
    for message in report["messages"]:
        summary = message.get("summary") or {}
        if "pin" in summary:
            message = {**message, "summary": {**summary, "pin": "(answered once, not kept)"}}
        messages.append(message)
    return {**report, "messages": messages}


def _contrl_text(
    uow: UnitOfWork,
    interchange: ReadInterchange,
    outcome_problems: list[Problem],
    messages: list[MessageOutcome],
    partner: Partner | None,
) -> str:
    header = interchange.header
    ack = acknowledge(
        header,
        outcome_problems,
        [(message.raw, outcome.problems) for message, outcome in zip(interchange.messages, messages, strict=True)],
    )
    recipient = header.sender if header else ""
    qualifier = header.sender_qualifier if header else ""
    date, time = InterchangeHeader.stamp(utc_now().astimezone(partner.zone if partner else UTC), "4")
    own = InterchangeHeader("UNOC", "4", OWN_UNB_ID, "ZZZ", recipient, qualifier, date, time, next_reference(uow))
    return interchange_text(own, [ack.to_segments()])


def _status(messages: list[MessageOutcome]) -> str:
    applied = sum(1 for message in messages if message.status == "applied")
    if applied == len(messages) and messages:
        return "accepted"
    return "partially_accepted" if applied else "rejected"


def _foreign(
    interchange: ReadInterchange, sender: str, recipient: str, reference: str, party: str
) -> InterchangeOutcome:
    """The answer to a party-scoped caller sending under a sender that is not its own: nothing recorded."""
    problem = Problem(
        UNKNOWN_SENDER, f"UNB sender {sender!r} is not a trading partner of party {party}", "UNB", None, 2, 1
    )
    messages = [
        MessageOutcome(m.raw.reference, m.raw.message_type, m.kind.version if m.kind else "", "rejected", [])
        for m in interchange.messages
    ]
    return InterchangeOutcome(None, sender, recipient, reference, None, "rejected", [problem], messages, None)


def _import_one(
    uow: UnitOfWork, actor: Actor, interchange: ReadInterchange, source_name: str | None, party: str | None = None
) -> InterchangeOutcome:
    header = interchange.header
    digest = content_digest(interchange)
    sender = header.sender if header else ""
    recipient = header.recipient if header else ""
    reference = header.control_reference if header and header.control_reference else f"sha:{digest[:31]}"
    types = ",".join(sorted({m.raw.message_type for m in interchange.messages if m.raw.message_type}))[:100]

    def work(uow: UnitOfWork) -> InterchangeOutcome:
        if party is not None:
            own = _partner_row(uow, sender) if sender else None
            if own is None or own.party_code != party:
                return _foreign(interchange, sender, recipient, reference, party)
        existing = uow.session.scalar(
            select(EdiInterchangeRow).where(
                EdiInterchangeRow.direction == "in",
                EdiInterchangeRow.sender == sender,
                EdiInterchangeRow.recipient == recipient,
                EdiInterchangeRow.control_reference == reference,
            )
        )
        if existing is not None:
            stored = existing.report
            return InterchangeOutcome(
                existing.id,
                sender,
                recipient,
                reference,
                existing.partner_code,
                "duplicate",
                [
                    Problem(
                        DUPLICATE,
                        f"interchange {reference} from {sender} was already processed "
                        f"({existing.status}); nothing was changed",
                        "UNB",
                        None,
                        5,
                        1,
                        "warning",
                    )
                ],
                [
                    MessageOutcome(m["reference"], m["message_type"], m["version"], m["status"], [])
                    for m in stored["messages"]
                ],
                existing.contrl,
                duplicate_of=existing.id,
            )
        partner_row = _partner_row(uow, sender) if sender else None
        partner = Partner.from_row(partner_row) if partner_row is not None else None
        problems = list(interchange.problems)
        if header is not None and partner is None and sender:
            problems.append(Problem(UNKNOWN_SENDER, f"no trading partner has UNB id {sender!r}", "UNB", None, 2, 1))
        if header is not None and recipient and recipient != OWN_UNB_ID:
            problems.append(Problem("7", f"recipient {recipient!r} is not this hub ({OWN_UNB_ID})", "UNB", None, 3, 1))
        if partner is not None:
            problems = apply_tolerances(problems, partner.tolerances)
        row = EdiInterchangeRow(
            direction="in",
            sender=sender,
            recipient=recipient,
            control_reference=reference,
            partner_code=partner.code if partner else None,
            message_types=types,
            message_count=len(interchange.messages),
            accepted_count=0,
            status="processing",
            content_sha256=digest,
            source_name=(source_name or "")[:200] or None,
            processed_at=utc_now(),
            report={},
        )
        uow.session.add(row)
        uow.session.flush()
        messages: list[MessageOutcome]
        held_like = None
        if not _errors(problems) and interchange.messages:
            held_like = uow.session.scalar(
                select(EdiInterchangeRow.id).where(
                    EdiInterchangeRow.direction == "in",
                    EdiInterchangeRow.content_sha256 == digest,
                    EdiInterchangeRow.status.in_(APPLIED_STATUSES),
                    EdiInterchangeRow.id != row.id,
                )
            )
        if _errors(problems) or partner is None:
            status = "rejected"
            messages = [
                MessageOutcome(m.raw.reference, m.raw.message_type, m.kind.version if m.kind else "", "rejected", [])
                for m in interchange.messages
            ]
        elif held_like is not None:
            status = "held"
            problems.append(
                Problem(
                    DUPLICATE,
                    f"the same content was applied before as interchange #{held_like}; "
                    "held for a person to decide, nothing was changed",
                    "UNB",
                    None,
                    5,
                    1,
                )
            )
            messages = [
                MessageOutcome(m.raw.reference, m.raw.message_type, m.kind.version if m.kind else "", "held", [])
                for m in interchange.messages
            ]
            row.duplicate_of = held_like
        else:
            messages = _apply_batch(uow, actor, interchange.messages, partner, row.id) or [
                _apply_message(uow, actor, message, partner, row.id) for message in interchange.messages
            ]
            status = _status(messages)
        row.status = status
        row.accepted_count = sum(1 for message in messages if message.status == "applied")
        outcome = InterchangeOutcome(
            row.id, sender, recipient, reference, row.partner_code, status, problems, messages, None, row.duplicate_of
        )
        outcome.contrl = _contrl_text(uow, interchange, problems, messages, partner)
        row.report = _without_secrets(outcome.report())
        row.contrl = outcome.contrl
        if partner is not None and partner.receives("CONTRL") is not None:
            from landbridge.services.interchange.outbox import enqueue_text

            enqueue_text(uow, partner, "CONTRL", outcome.contrl, subject=reference, control_reference=None)
        return outcome

    from landbridge.services.interchange.transaction import in_transaction

    return in_transaction(uow, work, actor)


def import_edifact(
    uow: UnitOfWork,
    source: IO[str] | Iterable[str] | str,
    actor: Actor,
    *,
    source_name: str | None = None,
    on_interchange: Callable[[InterchangeOutcome, int], None] | None = None,
    party: str | None = None,
) -> Iterator[InterchangeOutcome]:
    """Import every interchange of ``source`` (streamed); yields each outcome once committed.

    Times in the messages are read in the sending partner's zone. ``party`` limits a party-scoped
    caller (a line's or shipper's user) to interchanges sent as the partner linked to its party.
    """
    for interchange in _read_with_partner_zone(uow, source):
        try:
            outcome = _import_one(uow, actor, interchange, source_name, party)
        except Conflict:
            # the same interchange committed concurrently: answer as a duplicate
            outcome = _import_one(uow, actor, interchange, source_name, party)
        if on_interchange is not None:
            on_interchange(outcome, interchange.raw.length_chars)
        yield outcome


def _read_with_partner_zone(uow: UnitOfWork, source: IO[str] | Iterable[str] | str) -> Iterator[ReadInterchange]:
    zones: dict[str, Any] = {}
    with uow:
        for partner_row in uow.session.scalars(select(EdiPartnerRow)):
            zones[partner_row.unb_id] = Partner.from_row(partner_row).zone
    from landbridge.interchange.edifact.messages import read_message
    from landbridge.interchange.edifact.syntax import envelope_problems, read_interchanges

    for raw in read_interchanges(source):
        header = raw.header
        zone = zones.get(header.sender, UTC) if header else UTC
        yield ReadInterchange(raw, envelope_problems(raw), [read_message(message, zone) for message in raw.messages])


__all__ = [
    "BATCH_HANDLERS",
    "HANDLERS",
    "ApplyContext",
    "ApplyError",
    "BatchRefused",
    "InterchangeOutcome",
    "MessageOutcome",
    "import_edifact",
    "read",
]


FUTURE_SLACK = timedelta(minutes=5)


def interchange_time(value: datetime | None) -> datetime:
    """A reported time for an event (now when the message gives none); a time in the future is refused."""
    now = utc_now()
    if value is None:
        return now
    if value > now + FUTURE_SLACK:
        raise RuleViolation("occurred_at", f"the reported time {value.isoformat()} is in the future")
    return value.astimezone(UTC)


# The handlers register themselves on import; they import this module, so they come last.
from landbridge.services.interchange import handlers, ops_bridge  # noqa: E402, F401
