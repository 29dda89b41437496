"""CONTRL (syntax version 4): the acknowledgement of a received interchange.

``UCI`` answers the interchange (7 accepted, 4 rejected, 8 received), one ``UCM`` per message (7
or 4 with an ISO 9735 error code), and under a rejected message one ``UCS`` per faulty segment
(its position counted from UNH = 1 and the error code) with ``UCD`` naming the data element and
component. A CONTRL carries codes only; the JSON report of the same import carries the reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from landbridge.interchange.edifact.syntax import (
    InterchangeHeader,
    Problem,
    RawMessage,
    Segment,
    segment,
    wrap_message,
)
from landbridge.interchange.edifact.tables import Group, MessageTable, Seg, q

ACCEPTED = "7"
REJECTED = "4"
RECEIVED = "8"
IDENTIFIER = ("CONTRL", "4", "1", "UN", "")


@dataclass(frozen=True)
class ElementError:
    """A UCD: the faulty data element (and component) of a segment."""

    code: str
    element: int
    component: int | None = None


@dataclass(frozen=True)
class SegmentError:
    """A UCS: the faulty segment's position in its message and the error code."""

    position: int
    code: str
    elements: tuple[ElementError, ...] = ()


@dataclass(frozen=True)
class MessageResponse:
    """A UCM: one message's verdict."""

    reference: str
    identifier: tuple[str, ...]
    action: str
    code: str = ""
    segment_errors: tuple[SegmentError, ...] = ()


@dataclass(frozen=True)
class Acknowledgement:
    """A CONTRL message answering one interchange."""

    interchange_reference: str
    sender: str
    sender_qualifier: str
    recipient: str
    recipient_qualifier: str
    action: str
    code: str = ""
    segment_tag: str = ""
    messages: tuple[MessageResponse, ...] = ()
    reference: str = field(default="1", compare=False)

    @property
    def accepted(self) -> bool:
        """Whether the interchange was accepted (possibly with some messages rejected)."""
        return self.action == ACCEPTED

    @property
    def identifier(self) -> tuple[str, ...]:
        """UNH S009."""
        return IDENTIFIER

    def to_segments(self, zone: tzinfo | None = None, decimal_mark: str = ".") -> list[Segment]:
        """UNH UCI (UCM (UCS (UCD)*)*)* UNT."""
        body = [
            segment(
                "UCI",
                self.interchange_reference,
                (self.sender, self.sender_qualifier),
                (self.recipient, self.recipient_qualifier),
                self.action,
                self.code,
                self.segment_tag,
            )
        ]
        for message in self.messages:
            body.append(segment("UCM", message.reference, tuple(message.identifier), message.action, message.code))
            for error in message.segment_errors:
                body.append(segment("UCS", str(error.position), error.code))
                for element in error.elements:
                    body.append(
                        segment(
                            "UCD",
                            element.code,
                            (str(element.element), "" if element.component is None else str(element.component)),
                        )
                    )
        return wrap_message(self.reference, self.identifier, body)


TABLE = MessageTable(
    "CONTRL",
    "1",
    q(""),
    (
        Seg("UNH", "M", 1),
        Seg("UCI", "M", 1, required=((1, 1, "interchange control reference"), (4, 1, "action, coded"))),
        Group(
            "SG1",
            "C",
            999999,
            (
                Seg("UCM", "M", 1, required=((1, 1, "message reference"), (3, 1, "action, coded"))),
                Group(
                    "SG2",
                    "C",
                    999,
                    (Seg("UCS", "M", 1, required=((1, 1, "segment position"),)), Seg("UCD", "C", 99)),
                ),
            ),
        ),
        Seg("UNT", "M", 1),
    ),
    "ISO 9735-6 CONTRL, syntax version 4",
)


def _segment_errors(problems: Sequence[Problem]) -> tuple[SegmentError, ...]:
    by_position: dict[int, list[Problem]] = {}
    for problem in problems:
        if problem.severity == "error":
            by_position.setdefault(problem.segment_position or 1, []).append(problem)
    errors: list[SegmentError] = []
    for position in sorted(by_position):
        faults = by_position[position]
        elements = tuple(
            ElementError(fault.code, fault.element, fault.component) for fault in faults if fault.element is not None
        )
        segment_code = next(
            (fault.code for fault in faults if fault.element is None), "" if elements else faults[0].code
        )
        errors.append(SegmentError(position, segment_code, elements))
    return tuple(errors)


def acknowledge(
    header: InterchangeHeader | None,
    interchange_problems: Sequence[Problem],
    messages: Sequence[tuple[RawMessage, Sequence[Problem]]],
    *,
    reference: str = "1",
) -> Acknowledgement:
    """The CONTRL answering an interchange: rejected whole on an envelope error, else per message."""
    errors = [problem for problem in interchange_problems if problem.severity == "error"]
    responses = []
    for raw, problems in messages:
        failed = [problem for problem in problems if problem.severity == "error"]
        responses.append(
            MessageResponse(
                reference=raw.reference,
                identifier=tuple(part for part in raw.identifier if part) or ("",),
                action=REJECTED if failed or errors else ACCEPTED,
                code=failed[0].code if failed else "",
                segment_errors=_segment_errors(failed),
            )
        )
    first = errors[0] if errors else None
    return Acknowledgement(
        interchange_reference=header.control_reference if header else "",
        sender=header.sender if header else "",
        sender_qualifier=header.sender_qualifier if header else "",
        recipient=header.recipient if header else "",
        recipient_qualifier=header.recipient_qualifier if header else "",
        action=REJECTED if first is not None else ACCEPTED,
        code=first.code if first is not None else "",
        segment_tag=(first.segment_tag or "") if first is not None else "",
        messages=tuple(responses),
        reference=reference,
    )


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 0


def parse_acknowledgement(raw: RawMessage, zone: tzinfo | None = None) -> tuple[Acknowledgement, list[Problem]]:
    """A received CONTRL as the typed acknowledgement."""
    uci = next((item for item in raw.segments if item.tag == "UCI"), Segment("UCI"))
    messages: list[MessageResponse] = []
    for item in raw.segments:
        if item.tag == "UCM":
            value = item.elements[1] if len(item.elements) > 1 else ""
            identifier = value if isinstance(value, tuple) else (value,)
            messages.append(MessageResponse(item.component(1), identifier, item.component(3), item.component(4)))
        elif item.tag == "UCS" and messages:
            last = messages[-1]
            error = SegmentError(_number(item.component(1)), item.component(2))
            messages[-1] = MessageResponse(
                last.reference, last.identifier, last.action, last.code, (*last.segment_errors, error)
            )
        elif item.tag == "UCD" and messages and messages[-1].segment_errors:
            last = messages[-1]
            failed = last.segment_errors[-1]
            component = item.component(2, 2)
            element = ElementError(item.component(1), _number(item.component(2, 1)), _number(component) or None)
            updated = SegmentError(failed.position, failed.code, (*failed.elements, element))
            messages[-1] = MessageResponse(
                last.reference, last.identifier, last.action, last.code, (*last.segment_errors[:-1], updated)
            )
    return (
        Acknowledgement(
            interchange_reference=uci.component(1),
            sender=uci.component(2, 1),
            sender_qualifier=uci.component(2, 2),
            recipient=uci.component(3, 1),
            recipient_qualifier=uci.component(3, 2),
            action=uci.component(4),
            code=uci.component(5),
            segment_tag=uci.component(6),
            messages=tuple(messages),
            reference=raw.reference,
        ),
        [],
    )
