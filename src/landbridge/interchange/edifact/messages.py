"""The registry of the messages we read and write, and the one entry point that reads a message:
envelope checks, the segment table, then the typed model — every fault collected, nothing raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import partial
from typing import IO

from landbridge.interchange.edifact import baplie, coarri, codeco, coparn, coprar, movins, vermas
from landbridge.interchange.edifact import contrl as contrl_module
from landbridge.interchange.edifact.baplie import Bayplan
from landbridge.interchange.edifact.contrl import Acknowledgement
from landbridge.interchange.edifact.equipment import (
    MASS_PROPERTIES_D00B,
    MASS_PROPERTIES_D95B,
    ContainerMessage,
    parse_container_message,
)
from landbridge.interchange.edifact.movins import StowageInstructions
from landbridge.interchange.edifact.syntax import (
    DEFAULT_DELIMITERS,
    VALUE_NOT_SUPPORTED,
    Delimiters,
    InterchangeHeader,
    Problem,
    RawInterchange,
    RawMessage,
    Segment,
    envelope_problems,
    interchange_text,
    message_envelope_problems,
    read_interchanges,
)
from landbridge.interchange.edifact.tables import MessageTable, check
from landbridge.interchange.edifact.vermas import VgmDeclaration

Model = ContainerMessage | Bayplan | VgmDeclaration | StowageInstructions | Acknowledgement
Parser = Callable[[RawMessage, tzinfo], tuple[Model, list[Problem]]]


@dataclass(frozen=True)
class MessageKind:
    """A message type on one directory: its SMDG version label, table and parser."""

    message_type: str
    release: str
    version: str
    table: MessageTable
    parse: Parser

    @property
    def label(self) -> str:
        """``COPRAR 2.1 (D.00B)``."""
        if self.message_type == "CONTRL":
            return "CONTRL (syntax 4)"
        return f"{self.message_type} {self.version} (D.{self.release})"


def _container(properties: frozenset[str]) -> Parser:
    return partial(parse_container_message, mass_properties=properties)


KINDS: tuple[MessageKind, ...] = (
    MessageKind("CODECO", "00B", "2.1", codeco.TABLE_D00B, _container(MASS_PROPERTIES_D00B)),
    MessageKind("CODECO", "95B", "1.6", codeco.TABLE_D95B, _container(MASS_PROPERTIES_D95B)),
    MessageKind("COPRAR", "00B", "2.1", coprar.TABLE_D00B, _container(MASS_PROPERTIES_D00B)),
    MessageKind("COPRAR", "95B", "1.6", coprar.TABLE_D95B, _container(MASS_PROPERTIES_D95B)),
    MessageKind("COARRI", "00B", "2.1", coarri.TABLE_D00B, _container(MASS_PROPERTIES_D00B)),
    MessageKind("COARRI", "95B", "1.6", coarri.TABLE_D95B, _container(MASS_PROPERTIES_D95B)),
    MessageKind("COPARN", "00B", "2.1", coparn.TABLE_D00B, _container(MASS_PROPERTIES_D00B)),
    MessageKind("COPARN", "95B", "1.6", coparn.TABLE_D95B, _container(MASS_PROPERTIES_D95B)),
    MessageKind("BAPLIE", "95B", "2.2", baplie.TABLE_22, baplie.parse_bayplan),
    MessageKind("BAPLIE", "13B", "3.1", baplie.TABLE_31, baplie.parse_bayplan),
    MessageKind("VERMAS", "16A", "1.0", vermas.TABLE_D16A, vermas.parse_vgm),
    MessageKind("MOVINS", "95B", "2.0", movins.TABLE_D95B, movins.parse_instructions),
    MessageKind("CONTRL", "1", "4", contrl_module.TABLE, contrl_module.parse_acknowledgement),
)
_BY_KEY = {(kind.message_type, kind.release): kind for kind in KINDS}


def kind_for(raw: RawMessage) -> MessageKind | None:
    """The kind of a received message from its UNH S009, or None when we do not support it."""
    message_type, _, release, _, _ = raw.identifier
    return _BY_KEY.get((message_type, release))


def kind_named(message_type: str, version: str | None = None) -> MessageKind:
    """A kind by type and (optional) SMDG version label; the newest when no version is given."""
    matching = [kind for kind in KINDS if kind.message_type == message_type.upper()]
    if version is not None:
        matching = [kind for kind in matching if kind.version == version]
    if not matching:
        raise KeyError(f"{message_type} {version or ''}".strip())
    return max(matching, key=lambda kind: kind.version)


@dataclass
class ReadMessage:
    """One message read: its kind, typed model and every fault (errors and tolerated warnings)."""

    raw: RawMessage
    kind: MessageKind | None
    model: Model | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The faults that reject the message."""
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def ok(self) -> bool:
        """No error (warnings allowed)."""
        return not self.errors


def read_message(raw: RawMessage, zone: tzinfo) -> ReadMessage:
    """Envelope, table and content checks of one message, and its model when the type is known."""
    problems = [*raw.problems, *message_envelope_problems(raw)]
    kind = kind_for(raw)
    if kind is None:
        message_type, version, release, _, _ = raw.identifier
        problems.append(
            Problem(
                VALUE_NOT_SUPPORTED,
                f"message {message_type or '?'} {version}:{release} is not one we read "
                f"({', '.join(sorted({k.label for k in KINDS}))})",
                "UNH",
                1,
                2,
                1,
            )
        )
        return ReadMessage(raw, None, None, problems)
    association = raw.identifier[4]
    if association not in kind.table.associations:
        problems.append(
            Problem(
                VALUE_NOT_SUPPORTED,
                f"association code {association!r} is not one of {sorted(kind.table.associations)}",
                "UNH",
                1,
                2,
                5,
                "warning",
            )
        )
    problems.extend(check(kind.table, raw.segments))
    model, content = kind.parse(raw, zone)
    problems.extend(content)
    return ReadMessage(raw, kind, model, problems)


@dataclass
class ReadInterchange:
    """One interchange read: envelope faults and its messages."""

    raw: RawInterchange
    problems: list[Problem]
    messages: list[ReadMessage]

    @property
    def header(self) -> InterchangeHeader | None:
        """The UNB."""
        return self.raw.header


def read(source: IO[str] | Iterable[str] | str, zone: tzinfo) -> Iterator[ReadInterchange]:
    """Every interchange of a stream, read and checked (one at a time, so memory stays bounded)."""
    for raw in read_interchanges(source):
        yield ReadInterchange(raw, envelope_problems(raw), [read_message(message, zone) for message in raw.messages])


def write(
    header: InterchangeHeader,
    models: Sequence[Model],
    zone: tzinfo,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """An interchange of ``models`` (each numbered by its own ``reference``)."""
    messages: list[list[Segment]] = [model.to_segments(zone, delimiters.decimal) for model in models]
    return interchange_text(header, messages, delimiters)
