"""Optimistic concurrency: ``ETag`` on containers, vessel visits and trains; ``If-Match`` on their commands.

A client reads an object and gets its entity tag; it sends the tag back in ``If-Match`` with the
command. The command compares the tag with the object's *inside its own transaction, after it holds
the object's lock*, and refuses with 412 when they differ. So of many concurrent commands sent
with the same tag exactly one wins: the others find the tag changed once they get the lock. The
tag is taken from the request, never read by the handler when it starts (a queued request would
then see the newest state and win too).

Tags: a container's is its version (``"7"``: the ``version`` field of its JSON); a vessel visit's
and a train's are digests of their state (``"v-…"``, ``"t-…"``), a train's including its loads.

The API sets the pending precondition for the request (:func:`expect`, from ``api/deps.py``);
the lock helpers of the operations call :func:`check` for their kind of object; ``execute``
calls :func:`ensure_checked` so an ``If-Match`` on a command that has no such object is refused
rather than ignored.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from landbridge.domain.errors import DomainError
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

Kind = Literal["container", "vessel_visit", "train"]
HEADER = "If-Match"
IF_MATCH_PATTERN = r'^(\*|"[!#-~]{1,64}"(, ?"[!#-~]{1,64}")*)$'
"""``*`` or a comma-separated list of strong entity tags (weak ``W/"…"`` tags never match: strong comparison)."""
_MALFORMED = 'names no entity tag: give "*" or tags from ETag headers, e.g. If-Match: "7" (weak W/ tags never match)'


class PreconditionFailed(DomainError):
    """The object changed since the client read it (HTTP 412)."""


@dataclass
class Precondition:
    """What the request said it saw: the kind of object, which one (None: the command's first), the tags."""

    kind: Kind
    subject: str | None
    tags: tuple[str, ...]
    checked: bool = False


_pending: ContextVar[Precondition | None] = ContextVar("landbridge_precondition", default=None)


def parse_if_match(value: str) -> tuple[str, ...]:
    """The entity tags of an ``If-Match`` header (``*`` matches any existing object).

    A value that names no strong entity tag gives no tags: it can match nothing, so the command's
    precondition fails (412) when it runs — after the request itself was found well-formed.
    """
    if re.fullmatch(IF_MATCH_PATTERN, value) is None:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def expect(kind: Kind, subject: str | None, tags: tuple[str, ...]) -> None:
    """Note the request's precondition for the command about to run (in this request's context)."""
    _pending.set(Precondition(kind, subject, tags))


def clear() -> None:
    """Forget the request's precondition (tests, and code that runs several commands)."""
    _pending.set(None)


def begin_attempt() -> None:
    """One try of a command starts: a retried transaction must check its precondition again."""
    pending = _pending.get()
    if pending is not None:
        pending.checked = False


def _digest(prefix: str, state: Any) -> str:
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return f'"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"'


def container_etag(row: tables.ContainerRow) -> str:
    """A container's tag: its version."""
    return f'"{row.version}"'


def vessel_visit_etag(row: tables.VesselVisitRow) -> str:
    """A vessel visit's tag: a digest of its stored state."""
    state = [row.vessel_name, row.imo_number, row.eta, row.etb, row.etd, row.berth_code, row.status]
    return _digest("v", state)


def train_etag(uow: UnitOfWork, row: tables.TrainVisitRow) -> str:
    """A train's tag: a digest of its state, its wagons and what they carry."""
    from landbridge.services.operations.rail import train_view

    return _digest("t", train_view(uow, row))


def check(kind: Kind, subject: str, current_tag: Any) -> None:
    """In the command's transaction, with ``subject`` locked: 412 when the request's tag is stale.

    ``current_tag`` is the tag or a zero-argument callable giving it (computed only when needed).
    """
    pending = _pending.get()
    if pending is None or pending.checked or pending.kind != kind:
        return
    if pending.subject is not None and pending.subject != subject:
        return
    pending.checked = True
    if not pending.tags:
        raise PreconditionFailed(HEADER, _MALFORMED)
    if "*" in pending.tags:
        return
    tag = current_tag() if callable(current_tag) else current_tag
    if tag not in pending.tags:
        raise PreconditionFailed(HEADER, f"{kind.replace('_', ' ')} {subject} has changed (now {tag}); read it again")


def ensure_checked() -> None:
    """After a command: an ``If-Match`` that guarded no object of the command fails (412), never is ignored.

    RFC 9110: a tag that matches no current representation of the target fails the precondition;
    only ``*`` (the target exists) passes.
    """
    pending = _pending.get()
    if pending is not None and not pending.checked and not pending.tags:
        raise PreconditionFailed(HEADER, _MALFORMED)
    if pending is not None and not pending.checked and "*" not in pending.tags:
        raise PreconditionFailed(
            HEADER, f"this command changes no {pending.kind.replace('_', ' ')} with an entity tag; send no If-Match"
        )


def etag_of(uow: UnitOfWork, kind: Kind, subject: str) -> str | None:
    """The current tag of an object (None when it does not exist), for ``ETag`` headers on reads."""
    with uow:
        if kind == "container":
            container = uow.session.get(tables.ContainerRow, subject)
            return None if container is None else container_etag(container)
        if kind == "vessel_visit":
            visit = uow.session.get(tables.VesselVisitRow, subject)
            return None if visit is None else vessel_visit_etag(visit)
        train = uow.session.get(tables.TrainVisitRow, subject)
        return None if train is None else train_etag(uow, train)
