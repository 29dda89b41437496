"""The time a command happened (``occurred_at``) and the rule that keeps each subject's history in order.

A command may report something that happened earlier (the railway reports a border arrival two
hours late); every event it appends carries that time, while ``recorded_at`` says when we wrote
it. :func:`occurring_at` sets the command's time for the events and rows written inside it;
:func:`append_in_order` refuses an event dated before its subject's latest one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime

from landbridge.domain.events import Event, EventType, as_utc, check_in_order, checked_occurred_at, utc_now
from landbridge.store.unit_of_work import UnitOfWork

_COMMAND_TIME: ContextVar[datetime | None] = ContextVar("landbridge_command_time", default=None)
# Whether the caller reported the command's time (True) or it is the server's "now" (False).
_REPORTED: ContextVar[bool] = ContextVar("landbridge_command_time_reported", default=False)


def command_time() -> datetime:
    """When the command being executed happened; now outside a command."""
    return _COMMAND_TIME.get() or utc_now()


@contextmanager
def occurring_at(occurred_at: datetime | None) -> Iterator[datetime]:
    """Run a command at its reported time (validated: aware, not in the future); default now.

    A command run inside another (a plan applied step by step) without a time of its own takes the
    outer command's time.
    """
    outer = _COMMAND_TIME.get()
    inherits = occurred_at is None and outer is not None
    moment = outer if inherits and outer is not None else checked_occurred_at(occurred_at, utc_now())
    token = _COMMAND_TIME.set(moment)
    reported = _REPORTED.set(_REPORTED.get() if inherits else occurred_at is not None)
    try:
        yield moment
    finally:
        _REPORTED.reset(reported)
        _COMMAND_TIME.reset(token)


def append_in_order(uow: UnitOfWork, event: Event) -> None:
    """Append ``event`` unless it is dated before the latest event of its subject (422 at occurred_at).

    Only a time the caller reported can be out of order. A command without one is dated "now" when
    it starts; if a concurrent command on the same subject committed a later event while this one
    waited for the lock (or the previous event was reported a little ahead of our clock), the event
    is dated when it is written instead — never refused for a time the caller did not give.
    """
    uow.events.append(_in_order(event, uow.events.latest_moment(event.subject_type, event.subject_id)))


def append_all_in_order(uow: UnitOfWork, events: Sequence[Event]) -> None:
    """:func:`append_in_order` for many events about subjects of one type, in this order, all or none.

    The subjects' latest moments are read in one statement and the events written with one
    multi-row INSERT (a train's ~50 boxes when it departs: issue #19); each event is checked
    against its subject's latest as if appended one by one (the same ids, in the same order).
    """
    if not events:
        return
    subject_type = events[0].subject_type
    if any(event.subject_type != subject_type for event in events):
        raise ValueError("append_all_in_order takes events about subjects of one type")
    latest = uow.events.latest_moments(subject_type, [event.subject_id for event in events])
    checked: list[Event] = []
    for event in events:
        event = _in_order(event, latest[event.subject_id])
        latest[event.subject_id] = (event.event_type, event.occurred_at)
        checked.append(event)
    uow.events.append_many(checked)


def _in_order(event: Event, previous: tuple[EventType, datetime] | None) -> Event:
    """``event``, dated no earlier than ``previous`` when its time was not reported; refused when it was (422)."""
    if previous is not None:
        previous_type, previous_at = previous
        if not _REPORTED.get() and as_utc(event.occurred_at) < as_utc(previous_at):
            event = replace(event, occurred_at=max(utc_now(), as_utc(previous_at)))
        check_in_order(event.occurred_at, f"{event.subject_type} {event.subject_id}", previous_type.value, previous_at)
    return event
