"""Trading partners: who sends and receives which messages, in which version, and what we tolerate.

Tolerances are explicit per partner (never global): each names a kind of untidiness real files
have, and turns the matching faults into warnings that the report and the CONTRL still show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.interchange.edifact.messages import KINDS
from landbridge.interchange.edifact.syntax import Problem
from landbridge.store.interchange_tables import EdiPartnerRow
from landbridge.store.unit_of_work import UnitOfWork

OWN_UNB_ID = "CNLYGLPCT"  # our UNB identification (Lianyungang container terminal); recipients must name it


class Tolerance(StrEnum):
    """A kind of untidiness a partner's files may have, accepted with a warning."""

    WRONG_COUNTS = "wrong_counts"  # UNT/UNZ/CNT counts that disagree with what was received (code 29)
    REFERENCE_MISMATCH = "reference_mismatch"  # UNT/UNZ reference unlike UNH/UNB (code 28)
    EMPTY_RECIPIENT = "empty_recipient"  # UNB recipient left empty
    EXTRA_TRAILER_ELEMENT = "extra_trailer_element"  # UNZ with more than two data elements (code 16)
    UNKNOWN_ASSOCIATION = "unknown_association"  # UNH association code not the SMDG one


def tolerated(problem: Problem, tolerances: frozenset[str]) -> bool:
    """Whether a partner's agreement turns this fault into a warning."""
    if problem.severity == "warning":
        return True
    if Tolerance.WRONG_COUNTS in tolerances and (
        problem.code == "29" or (problem.segment_tag == "CNT" and "declares" in problem.reason)
    ):
        return True
    if Tolerance.REFERENCE_MISMATCH in tolerances and problem.code == "28":
        return True
    if Tolerance.EMPTY_RECIPIENT in tolerances and problem.segment_tag == "UNB" and problem.element == 3:
        return True
    return Tolerance.EXTRA_TRAILER_ELEMENT in tolerances and problem.code == "16" and problem.segment_tag == "UNZ"


def apply_tolerances(problems: Sequence[Problem], tolerances: frozenset[str]) -> list[Problem]:
    """The problems with the tolerated ones downgraded to warnings."""
    return [problem.as_warning() if tolerated(problem, tolerances) else problem for problem in problems]


@dataclass(frozen=True)
class Partner:
    """A trading partner as the services use it."""

    code: str
    name: str
    unb_id: str
    unb_qualifier: str
    time_zone: str
    inbound: frozenset[str]
    outbound: frozenset[str]
    tolerances: frozenset[str]
    delivery_kind: str
    delivery_target: str | None
    party_code: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The zone of the times in this partner's messages."""
        return ZoneInfo(self.time_zone)

    def receives(self, message_type: str) -> str | None:
        """The version of ``message_type`` this partner receives from us, or None."""
        for entry in self.outbound:
            kind, _, version = entry.partition(":")
            if kind == message_type:
                return version or None
        return None

    def sends(self, message_type: str, version: str) -> bool:
        """Whether the agreement covers this partner sending us this message in this version."""
        return f"{message_type}:{version}" in self.inbound or message_type in self.inbound

    @classmethod
    def from_row(cls, row: EdiPartnerRow) -> Partner:
        """The partner of a table row."""
        return cls(
            row.code,
            row.name,
            row.unb_id,
            row.unb_qualifier,
            row.time_zone,
            frozenset(row.inbound),
            frozenset(row.outbound),
            frozenset(row.tolerances),
            row.delivery_kind,
            row.delivery_target,
            row.party_code,
        )


_KNOWN = {f"{kind.message_type}:{kind.version}" for kind in KINDS} | {kind.message_type for kind in KINDS}


def _check(inbound: Sequence[str], outbound: Sequence[str], tolerances: Sequence[str], time_zone: str) -> None:
    for field, entries in (("inbound", inbound), ("outbound", outbound)):
        for entry in entries:
            if entry not in _KNOWN:
                raise RuleViolation(field, f"{entry!r} is not a message we handle ({', '.join(sorted(_KNOWN))})")
    for entry in tolerances:
        if entry not in {item.value for item in Tolerance}:
            raise RuleViolation("tolerances", f"{entry!r} is not one of {', '.join(item.value for item in Tolerance)}")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleViolation("time_zone", f"{time_zone!r} is not an IANA time zone") from None


def save_partner(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    unb_id: str,
    unb_qualifier: str = "ZZZ",
    time_zone: str = "Asia/Shanghai",
    inbound: Sequence[str] = (),
    outbound: Sequence[str] = (),
    tolerances: Sequence[str] = (),
    delivery_kind: str = "none",
    delivery_target: str | None = None,
    party_code: str | None = None,
) -> Partner:
    """Create or replace a partner's agreement (one transaction)."""
    _check(inbound, outbound, tolerances, time_zone)
    if delivery_kind not in ("none", "folder", "http"):
        raise RuleViolation("delivery_kind", "must be none, folder or http")
    if delivery_kind != "none" and not delivery_target:
        raise RuleViolation("delivery_target", f"a {delivery_kind} delivery needs a target")
    if delivery_kind == "http" and not (delivery_target or "").startswith(("http://", "https://")):
        raise RuleViolation("delivery_target", "an http delivery needs an http(s) URL")
    from landbridge.services.interchange.transaction import in_transaction

    def work(uow: UnitOfWork) -> Partner:
        other = uow.session.scalar(select(EdiPartnerRow).where(EdiPartnerRow.unb_id == unb_id))
        if other is not None and other.code != code:
            raise Conflict("unb_id", f"UNB id {unb_id} already belongs to partner {other.code}")
        row = uow.session.get(EdiPartnerRow, code) or EdiPartnerRow(code=code)
        row.name, row.unb_id, row.unb_qualifier, row.time_zone = name, unb_id, unb_qualifier, time_zone
        row.inbound, row.outbound, row.tolerances = list(inbound), list(outbound), list(tolerances)
        row.delivery_kind, row.delivery_target, row.active = delivery_kind, delivery_target, True
        row.party_code = party_code
        uow.session.add(row)
        uow.session.flush()
        return Partner.from_row(row)

    return in_transaction(uow, work)


def partners(uow: UnitOfWork) -> list[Partner]:
    """Every partner, by code."""
    with uow:
        return [
            Partner.from_row(row) for row in uow.session.scalars(select(EdiPartnerRow).order_by(EdiPartnerRow.code))
        ]


def partner(uow: UnitOfWork, code: str) -> Partner:
    """One partner; 404 naming ``partner`` when unknown."""
    with uow:
        row = uow.session.get(EdiPartnerRow, code)
        if row is None:
            raise NotFound("partner", f"no trading partner {code!r}")
        return Partner.from_row(row)
