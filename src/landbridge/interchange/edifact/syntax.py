"""EDIFACT syntax: stream → interchanges → messages → segments, and segments → text.

pydifact tokenises every segment (release characters, separators from the UNA) and serialises
ours. What pydifact cannot do we do here, without loading a file whole:

* a file of concatenated interchanges, each with its own UNA (pydifact raises on a second UNA,
  its issue #73): the scanner reads the UNA wherever a segment may start;
* bounded memory: the scanner keeps at most one chunk plus one segment; a segment longer than
  ``MAX_SEGMENT_CHARS`` is skipped and reported, never buffered whole;
* envelope checks pydifact leaves out: UNB/UNZ and UNH/UNT pairing, references and counts, each
  reported as a :class:`Problem` with its UN/EDIFACT syntax error code (ISO 9735 list 0085).

Nothing raises on bad input: every fault becomes a problem on the interchange or the message it
belongs to, so one broken message never hides the good ones beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import IO, Literal

from pydifact.control.characters import Characters
from pydifact.parser import Parser, TokenIterator
from pydifact.segments import Segment as PydifactSegment
from pydifact.serializer import Serializer
from pydifact.tokenizer import Tokenizer

Element = str | tuple[str, ...]

MAX_SEGMENT_CHARS = 65_536  # a longer segment is refused (code 39) and skipped, never held in memory
CHUNK_CHARS = 1 << 16
_WHITESPACE = " \r\n\t"

# ISO 9735 syntax error codes (data element 0085) that we report.
SYNTAX_VERSION_NOT_SUPPORTED = "2"
INVALID_VALUE = "12"
MISSING = "13"
VALUE_NOT_SUPPORTED = "14"
NOT_SUPPORTED_IN_POSITION = "15"
TOO_MANY_CONSTITUENTS = "16"
NO_AGREEMENT = "17"
UNSPECIFIED = "18"
INVALID_CHARACTERS = "21"
UNKNOWN_SENDER = "23"
DUPLICATE = "26"
REFERENCES_DO_NOT_MATCH = "28"
COUNT_DOES_NOT_MATCH = "29"
LOWER_LEVEL_EMPTY = "32"
OUTSIDE_MESSAGE = "33"
TOO_MANY_REPETITIONS = "35"
TOO_MANY_GROUP_REPETITIONS = "36"
DATA_ELEMENT_TOO_LONG = "39"

ERROR_NAMES: dict[str, str] = {
    SYNTAX_VERSION_NOT_SUPPORTED: "syntax version or level not supported",
    INVALID_VALUE: "invalid value",
    MISSING: "missing",
    VALUE_NOT_SUPPORTED: "value not supported in this position",
    NOT_SUPPORTED_IN_POSITION: "not supported in this position",
    TOO_MANY_CONSTITUENTS: "too many constituents",
    NO_AGREEMENT: "no agreement",
    UNSPECIFIED: "unspecified error",
    INVALID_CHARACTERS: "invalid character(s)",
    UNKNOWN_SENDER: "unknown interchange sender",
    DUPLICATE: "duplicate detected",
    REFERENCES_DO_NOT_MATCH: "references do not match",
    COUNT_DOES_NOT_MATCH: "control count does not match number of instances received",
    LOWER_LEVEL_EMPTY: "lower level empty",
    OUTSIDE_MESSAGE: "invalid occurrence outside message",
    TOO_MANY_REPETITIONS: "too many repetitions",
    TOO_MANY_GROUP_REPETITIONS: "too many segment group repetitions",
    DATA_ELEMENT_TOO_LONG: "data element too long",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault in an interchange, located as precisely as we can (segment position, element, component).

    ``segment_position`` counts from 1 at UNH inside a message (the CONTRL UCS numbering); for
    interchange-level faults it is ``None``. ``element``/``component`` are 1-based. A warning is
    a fault the partner's agreement tolerates: reported, but the message is applied.
    """

    code: str
    reason: str
    segment_tag: str | None = None
    segment_position: int | None = None
    element: int | None = None
    component: int | None = None
    severity: Literal["error", "warning"] = "error"

    def describe(self) -> str:
        """Where and what, for a person: ``segment 5 EQD, element 2: check digit should be 3``."""
        where: list[str] = []
        if self.segment_position is not None or self.segment_tag:
            position = f" {self.segment_position}" if self.segment_position is not None else ""
            where.append(f"segment{position} {self.segment_tag or '?'}".strip())
        if self.element is not None:
            where.append(f"element {self.element}" + (f".{self.component}" if self.component else ""))
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason

    def as_warning(self) -> Problem:
        """The same fault, tolerated."""
        return Problem(
            self.code, self.reason, self.segment_tag, self.segment_position, self.element, self.component, "warning"
        )


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The service characters of an interchange (from its UNA, else the ISO 9735 defaults)."""

    component: str = ":"
    data: str = "+"
    decimal: str = "."
    release: str = "?"
    reserved: str = " "
    terminator: str = "'"

    @classmethod
    def from_una(cls, six: str) -> Delimiters:
        """The characters a UNA declares; ``ValueError`` when they are not six distinct separators."""
        if len(six) != 6:
            raise ValueError("UNA must be followed by exactly six service characters")
        delimiters = cls(six[0], six[1], six[2], six[3], six[4], six[5])
        separators = (delimiters.component, delimiters.data, delimiters.release, delimiters.terminator)
        if len(set(separators)) != 4 or any(c.isalnum() or c in "\r\n" for c in separators):
            raise ValueError(f"UNA service characters {six!r} are not four distinct non-alphanumeric separators")
        return delimiters

    def una(self) -> str:
        """The UNA segment declaring these characters."""
        return "UNA" + self.component + self.data + self.decimal + self.release + self.reserved + self.terminator

    def characters(self) -> Characters:
        """pydifact's equivalent."""
        return Characters.from_str(self.una())


DEFAULT_DELIMITERS = Delimiters()


@dataclass(frozen=True, slots=True)
class Segment:
    """A segment: its tag and its data elements (a composite is a tuple of components)."""

    tag: str
    elements: tuple[Element, ...] = ()

    def component(self, element: int, component: int = 1) -> str:
        """Component ``component`` of data element ``element`` (both 1-based); ``''`` when absent."""
        if element < 1 or element > len(self.elements):
            return ""
        value = self.elements[element - 1]
        if isinstance(value, str):
            return value if component == 1 else ""
        return value[component - 1] if 0 < component <= len(value) else ""

    @property
    def qualifier(self) -> str:
        """The first component of the first element: the qualifier of most segments."""
        return self.component(1, 1)


INTERCHANGE_START = ("UNA", "UNB")
"""An interchange opens with its service string advice (UNA, optional) or its header (UNB): ISO 9735."""
INTERCHANGE_PEEK_CHARS = 4096
"""How much of a file :func:`starts_an_interchange` needs to see."""


def starts_an_interchange(head: str) -> bool:
    """Whether text starts like an EDIFACT interchange (after a byte order mark or blank lines).

    Text that does not is no interchange at all: there is no sender to answer with a CONTRL, so every
    entry point refuses it and logs nothing (otherwise each such file would be logged under the same
    empty control reference, and the second reported as a "duplicate").
    """
    return head.lstrip("\ufeff \t\r\n").startswith(INTERCHANGE_START)


def segment(tag: str, *elements: Element | None) -> Segment:
    """A segment with trailing empty elements and components dropped (as EDIFACT requires)."""
    cleaned: list[Element] = []
    for value in elements:
        if value is None:
            cleaned.append("")
        elif isinstance(value, tuple):
            parts = list(value)
            while parts and parts[-1] == "":
                parts.pop()
            cleaned.append(parts[0] if len(parts) == 1 else tuple(parts) if parts else "")
        else:
            cleaned.append(value)
    while cleaned and cleaned[-1] == "":
        cleaned.pop()
    return Segment(tag, tuple(cleaned))


@dataclass
class RawMessage:
    """A message between UNH and UNT, with the faults found in its envelope and tokens."""

    segments: list[Segment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    offset: int = 0

    @property
    def reference(self) -> str:
        """UNH 0062, the message reference."""
        return self.segments[0].component(1) if self.segments else ""

    @property
    def identifier(self) -> tuple[str, str, str, str, str]:
        """UNH S009: type, version, release, agency, association code."""
        if not self.segments:
            return ("", "", "", "", "")
        unh = self.segments[0]
        return (
            unh.component(2, 1),
            unh.component(2, 2),
            unh.component(2, 3),
            unh.component(2, 4),
            unh.component(2, 5),
        )

    @property
    def message_type(self) -> str:
        """UNH S009 0065, e.g. ``CODECO``."""
        return self.identifier[0]


@dataclass(frozen=True)
class InterchangeHeader:
    """What the UNB says: syntax, sender and recipient, preparation time, control reference."""

    syntax_identifier: str
    syntax_version: str
    sender: str
    sender_qualifier: str
    recipient: str
    recipient_qualifier: str
    prepared_date: str
    prepared_time: str
    control_reference: str
    application_reference: str = ""
    test_indicator: bool = False

    @classmethod
    def from_segment(cls, unb: Segment) -> InterchangeHeader:
        """Read a UNB segment (missing parts read as empty strings)."""
        return cls(
            syntax_identifier=unb.component(1, 1),
            syntax_version=unb.component(1, 2),
            sender=unb.component(2, 1),
            sender_qualifier=unb.component(2, 2),
            recipient=unb.component(3, 1),
            recipient_qualifier=unb.component(3, 2),
            prepared_date=unb.component(4, 1),
            prepared_time=unb.component(4, 2),
            control_reference=unb.component(5, 1),
            application_reference=unb.component(7, 1),
            test_indicator=unb.component(11, 1) == "1",
        )

    def to_segment(self) -> Segment:
        """The UNB segment (syntax 4 writes an 8-digit date, syntax 3 and below a 6-digit one)."""
        return segment(
            "UNB",
            (self.syntax_identifier, self.syntax_version),
            (self.sender, self.sender_qualifier),
            (self.recipient, self.recipient_qualifier),
            (self.prepared_date, self.prepared_time),
            self.control_reference,
            "",
            self.application_reference,
            "",
            "",
            "",
            "1" if self.test_indicator else "",
        )

    def prepared_at(self, zone: tzinfo) -> datetime | None:
        """When the sender prepared the interchange, in ``zone`` (None when unreadable)."""
        for pattern in ("%Y%m%d%H%M", "%y%m%d%H%M"):
            try:
                return datetime.strptime(self.prepared_date + self.prepared_time, pattern).replace(tzinfo=zone)
            except ValueError:
                continue
        return None

    @staticmethod
    def stamp(moment: datetime, syntax_version: str) -> tuple[str, str]:
        """UNB S004 date and time for ``moment`` (CCYYMMDD in syntax 4, YYMMDD before)."""
        date = moment.strftime("%Y%m%d" if syntax_version >= "4" else "%y%m%d")
        return date, moment.strftime("%H%M")


@dataclass
class RawInterchange:
    """One interchange as read: its envelope, its messages and interchange-level faults."""

    delimiters: Delimiters = DEFAULT_DELIMITERS
    una_present: bool = False
    header_segment: Segment | None = None
    trailer_segment: Segment | None = None
    messages: list[RawMessage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    offset: int = 0
    length_chars: int = 0
    stray_segments: int = 0

    @property
    def header(self) -> InterchangeHeader | None:
        """The UNB, read (None when the interchange had no UNB)."""
        return None if self.header_segment is None else InterchangeHeader.from_segment(self.header_segment)


# ---------------------------------------------------------------------------------------------------------------------
# Scanning: characters → segment texts, UNA-aware, bounded memory.


@dataclass(frozen=True, slots=True)
class _Una:
    delimiters: Delimiters | None
    offset: int
    text: str


@dataclass(frozen=True, slots=True)
class _Text:
    text: str
    offset: int
    terminated: bool = True


@dataclass(frozen=True, slots=True)
class _Oversized:
    offset: int
    length: int


def _chunks_of(source: IO[str] | Iterable[str] | str) -> Iterator[str]:
    if isinstance(source, str):
        for start in range(0, len(source), CHUNK_CHARS):
            yield source[start : start + CHUNK_CHARS]
        return
    read = getattr(source, "read", None)
    if read is not None:
        while True:
            chunk = read(CHUNK_CHARS)
            if not chunk:
                return
            yield chunk
    else:
        yield from source


class _Scanner:
    """Segment texts (without terminator) and UNA markers, in file order, holding one chunk and one segment."""

    def __init__(self, source: IO[str] | Iterable[str] | str, max_segment_chars: int) -> None:
        self.chunks = _chunks_of(source)
        self.max_segment_chars = max_segment_chars
        self.buffer = ""
        self.base = 0  # file offset of buffer[0]
        self.position = 0
        self.search_from = 0
        self.exhausted = False
        self.delimiters = DEFAULT_DELIMITERS
        self.skipping_from: int | None = None  # offset of an oversized segment being skipped

    def refill(self) -> bool:
        """Append the next chunk (dropping what was consumed); ``search_from`` moves with the buffer."""
        if self.exhausted:
            return False
        try:
            chunk = next(self.chunks)
        except StopIteration:
            self.exhausted = True
            return False
        if self.position:
            self.base += self.position
            self.buffer = self.buffer[self.position :]
            self.search_from = max(0, self.search_from - self.position)
            self.position = 0
        self.buffer += chunk
        return True

    def at_segment_start(self) -> bool:
        """Skip white space between segments; False at the end of the input."""
        while True:
            while self.position < len(self.buffer) and self.buffer[self.position] in _WHITESPACE:
                self.position += 1
            if self.position < len(self.buffer) or not self.refill():
                break
        if self.position >= len(self.buffer):
            return False
        while len(self.buffer) - self.position < 9 and self.refill():
            pass
        return True

    def una(self) -> _Una | None:
        """A UNA here (its six characters become the delimiters from now on), else None."""
        if not self.buffer.startswith("UNA", self.position):
            return None
        six = self.buffer[self.position + 3 : self.position + 9]
        try:
            self.delimiters = Delimiters.from_una(six)
            marker = _Una(self.delimiters, self.base + self.position, "UNA" + six)
        except ValueError:
            marker = _Una(None, self.base + self.position, "UNA" + six)
        self.position += 3 + len(six)
        return marker

    def released(self, index: int) -> bool:
        """Whether the character at ``index`` follows an odd number of release characters."""
        releases = 0
        back = index - 1
        while back >= self.position and self.buffer[back] == self.delimiters.release:
            releases += 1
            back -= 1
        return releases % 2 == 1

    def terminator(self) -> int:
        """Index of the next unreleased terminator, reading more as needed; -1 at the end of the input."""
        self.search_from = self.position
        while True:
            index = self.buffer.find(self.delimiters.terminator, self.search_from)
            if index >= 0:
                if not self.released(index):
                    return index
                self.search_from = index + 1
                continue
            if self.skipping_from is not None:
                # drop what was scanned; only the tail that may hold a release character is kept
                keep = len(self.buffer) - 1
                self.base += keep
                self.buffer = self.buffer[keep:]
                self.position = 0
                self.search_from = 0
            elif len(self.buffer) - self.position > self.max_segment_chars:
                self.skipping_from = self.base + self.position
                continue
            else:
                self.search_from = len(self.buffer)
            if not self.refill():
                return -1

    def tail(self) -> Iterator[_Text | _Oversized]:
        """What is left when the input ends without a terminator."""
        if self.skipping_from is not None:
            yield _Oversized(self.skipping_from, self.base + len(self.buffer) - self.skipping_from)
            return
        text = self.buffer[self.position :]
        if text.strip(_WHITESPACE):
            yield _Text(text, self.base + self.position, terminated=False)

    def __iter__(self) -> Iterator[_Una | _Text | _Oversized]:
        while True:
            if self.skipping_from is None:
                if not self.at_segment_start():
                    return
                marker = self.una()
                if marker is not None:
                    yield marker
                    continue
            index = self.terminator()
            if index < 0:
                yield from self.tail()
                return
            if self.skipping_from is not None:
                yield _Oversized(self.skipping_from, self.base + index + 1 - self.skipping_from)
                self.skipping_from = None
            elif index - self.position > self.max_segment_chars:
                yield _Oversized(self.base + self.position, index + 1 - self.position)
            else:
                yield _Text(self.buffer[self.position : index], self.base + self.position)
            self.position = index + 1


def _scan(source: IO[str] | Iterable[str] | str, max_segment_chars: int) -> Iterator[_Una | _Text | _Oversized]:
    """Segment texts (without terminator) and UNA markers, in file order."""
    return iter(_Scanner(source, max_segment_chars))


# ---------------------------------------------------------------------------------------------------------------------
# Tokenising one segment with pydifact.

_PARSER = Parser()


@lru_cache(maxsize=32)
def _characters(delimiters: Delimiters) -> Characters:
    return delimiters.characters()


def _checked(raw: list[str | list[str]]) -> Segment:
    tag = raw[0] if raw else None
    if not isinstance(tag, str) or len(tag) != 3 or not tag.isalnum() or not tag.isupper():
        raise ValueError(f"segment tag {str(tag)[:12]!r} is not three upper-case letters or digits")
    elements: list[Element] = [value if isinstance(value, str) else tuple(value) for value in raw[1:]]
    return Segment(tag, tuple(elements))


def _raw_segments(text: str, delimiters: Delimiters) -> list[list[str | list[str]]]:
    tokens = TokenIterator(Tokenizer().get_tokens(text, _characters(delimiters)))
    try:
        return list(_PARSER.convert_tokens_to_raw_segments(tokens))
    except ValueError:
        raise
    except Exception as error:  # pydifact raises its own EDISyntaxError and, on odd input, plain errors
        raise ValueError(str(error) or type(error).__name__) from error


def tokenise(text: str, delimiters: Delimiters) -> Segment:
    """One segment's text (without its terminator) → tag and elements; ``ValueError`` when malformed."""
    raws = _raw_segments(text + delimiters.terminator, delimiters)
    if len(raws) != 1 or not raws[0]:
        raise ValueError("not one segment")
    return _checked(raws[0])


def tokenise_many(texts: Sequence[str], delimiters: Delimiters) -> list[Segment]:
    """Several segments' texts in one pydifact pass; ``ValueError`` unless each yields exactly one segment."""
    terminator = delimiters.terminator
    raws = _raw_segments(terminator.join(texts) + terminator, delimiters)
    if len(raws) != len(texts):
        raise ValueError("segment count changed")
    return [_checked(raw) for raw in raws]


def _guess_tag(text: str) -> str | None:
    tag = text[:3]
    return tag if len(tag) == 3 and tag.isalnum() and tag.isupper() else None


_SERVICE_TAGS = frozenset({"UNB", "UNZ", "UNG", "UNE"})


def _fill(message: RawMessage, texts: list[str | None], delimiters: Delimiters) -> None:
    """Tokenise a message's segments: one pydifact pass, or segment by segment to locate a fault."""
    if None not in texts:
        try:
            message.segments = tokenise_many([text for text in texts if text is not None], delimiters)
            return
        except ValueError:
            pass
    segments: list[Segment] = []
    for position, text in enumerate(texts, start=1):
        if text is None:
            segments.append(Segment("???"))
            continue
        try:
            segments.append(tokenise(text, delimiters))
        except ValueError as error:
            tag = _guess_tag(text)
            segments.append(Segment(tag or "???"))
            message.problems.append(Problem(INVALID_CHARACTERS, str(error), tag or text[:3], position))
    message.segments = segments


# ---------------------------------------------------------------------------------------------------------------------
# Grouping segments into interchanges and messages.


class _Grouper:
    """Groups scanned segments into interchanges (UNB…UNZ) and messages (UNH…UNT), recording faults."""

    def __init__(self, max_segment_chars: int) -> None:
        self.max_segment_chars = max_segment_chars
        self.current: RawInterchange | None = None
        self.message: RawMessage | None = None
        self.pending: list[str | None] = []  # the open message's segment texts (None: an oversized one, skipped)
        self.delimiters = DEFAULT_DELIMITERS
        self.una_pending = False
        self.last_end = 0

    def close_message(self, reason: str | None) -> None:
        if self.message is not None and self.current is not None:
            _fill(self.message, self.pending, self.delimiters)
            if reason is not None:
                self.message.problems.append(Problem(MISSING, reason, "UNT"))
            self.current.messages.append(self.message)
        self.message = None
        self.pending = []

    def finish(self, reason: str | None) -> Iterator[RawInterchange]:
        self.close_message("the message has no UNT (it was cut off)")
        done, self.current = self.current, None
        if done is not None:
            if reason is not None:
                done.problems.append(Problem(MISSING, reason, "UNZ"))
            done.length_chars = max(0, self.last_end - done.offset)
            yield done

    def start(self, offset: int) -> RawInterchange:
        self.current = RawInterchange(delimiters=self.delimiters, una_present=self.una_pending, offset=offset)
        self.una_pending = False
        return self.current

    def una(self, item: _Una) -> Iterator[RawInterchange]:
        if self.current is not None:
            yield from self.finish("the interchange has no UNZ before the next UNA")
        current = self.start(item.offset)
        if item.delimiters is None:
            current.problems.append(Problem("20", f"UNA {item.text!r} declares unusable service characters", "UNA"))
        else:
            self.delimiters = item.delimiters
            current.delimiters = item.delimiters
        current.una_present = True
        self.last_end = item.offset + len(item.text)

    def oversized(self, item: _Oversized) -> None:
        self.last_end = item.offset + item.length
        reason = f"a segment of {item.length} characters exceeds the limit of {self.max_segment_chars}; skipped"
        if self.message is not None:
            self.message.problems.append(Problem(DATA_ELEMENT_TOO_LONG, reason, None, len(self.pending) + 1))
            self.pending.append(None)
            return
        current = self.current or self.start(item.offset)
        current.problems.append(Problem(DATA_ELEMENT_TOO_LONG, reason))

    def unb(self, item: _Text, parsed: Segment | None, fault: str | None) -> Iterator[RawInterchange]:
        current = self.current
        if current is not None and (current.header_segment is not None or current.messages or self.message):
            yield from self.finish("the interchange has no UNZ before the next UNB")
        current = self.current or self.start(item.offset)
        current.delimiters = self.delimiters
        current.header_segment = parsed or Segment("UNB")
        if fault:
            current.problems.append(Problem(INVALID_CHARACTERS, fault, "UNB"))

    def unz(self, current: RawInterchange, parsed: Segment | None, fault: str | None) -> Iterator[RawInterchange]:
        self.close_message("the message has no UNT before UNZ")
        current.trailer_segment = parsed or Segment("UNZ")
        if fault:
            current.problems.append(Problem(INVALID_CHARACTERS, fault, "UNZ"))
        yield from self.finish(None)

    def outside(self, current: RawInterchange, item: _Text, tag: str | None, fault: str | None) -> None:
        if tag in ("UNG", "UNE"):
            return  # functional groups carry nothing we use
        current.stray_segments += 1
        current.problems.append(
            Problem(OUTSIDE_MESSAGE, fault or "segment outside any UNH…UNT message", tag or item.text[:3])
        )

    def text(self, item: _Text) -> Iterator[RawInterchange]:
        self.last_end = item.offset + len(item.text) + (1 if item.terminated else 0)
        tag = _guess_tag(item.text)
        parsed: Segment | None = None
        fault = None if item.terminated else "the last segment has no terminator"
        if tag in _SERVICE_TAGS or self.message is None:
            try:
                parsed = tokenise(item.text, self.delimiters)
                tag = parsed.tag
            except ValueError as error:
                fault = str(error)
        if tag == "UNB":
            yield from self.unb(item, parsed, fault)
            return
        current = self.current or self.start(item.offset)
        if tag == "UNZ":
            yield from self.unz(current, parsed, fault)
            return
        if tag == "UNH":
            if self.message is not None:
                self.close_message("the message has no UNT before the next UNH")
            self.message = RawMessage(offset=item.offset)
            self.pending = []
        if self.message is None:
            self.outside(current, item, tag, fault)
            return
        self.pending.append(item.text)
        if not item.terminated:
            unterminated = Problem(INVALID_CHARACTERS, "the last segment has no terminator", tag, len(self.pending))
            self.message.problems.append(unterminated)
        if tag == "UNT":
            self.close_message(None)


def read_interchanges(
    source: IO[str] | Iterable[str] | str, *, max_segment_chars: int = MAX_SEGMENT_CHARS
) -> Iterator[RawInterchange]:
    """Interchanges from a text stream, one at a time; faults are recorded, never raised."""
    grouper = _Grouper(max_segment_chars)
    for item in _scan(source, max_segment_chars):
        if isinstance(item, _Una):
            yield from grouper.una(item)
        elif isinstance(item, _Oversized):
            grouper.oversized(item)
        else:
            yield from grouper.text(item)
    if grouper.current is not None:
        yield from grouper.finish("the interchange has no UNZ (it was cut off)")


def envelope_problems(interchange: RawInterchange) -> list[Problem]:
    """Interchange-level faults of the UNB/UNZ envelope (missing parts, references, counts)."""
    problems = list(interchange.problems)
    header = interchange.header
    if header is None:
        problems.append(Problem(MISSING, "the interchange has no UNB header", "UNB"))
        return problems
    if header.syntax_identifier[:3] != "UNO" or len(header.syntax_identifier) != 4:
        problems.append(
            Problem(INVALID_VALUE, f"syntax identifier {header.syntax_identifier!r} is not UNOx", "UNB", None, 1, 1)
        )
    if header.syntax_version not in ("1", "2", "3", "4"):
        problems.append(
            Problem(
                SYNTAX_VERSION_NOT_SUPPORTED, f"syntax version {header.syntax_version!r} is not 1–4", "UNB", None, 1, 2
            )
        )
    if not header.sender:
        problems.append(Problem(MISSING, "interchange sender identification is empty", "UNB", None, 2, 1))
    if not header.recipient:
        problems.append(Problem(MISSING, "interchange recipient identification is empty", "UNB", None, 3, 1))
    if not header.control_reference:
        problems.append(Problem(MISSING, "interchange control reference (0020) is empty", "UNB", None, 5, 1))
    trailer = interchange.trailer_segment
    if trailer is not None:
        if trailer.component(2) != header.control_reference:
            problems.append(
                Problem(
                    REFERENCES_DO_NOT_MATCH,
                    f"UNZ reference {trailer.component(2)!r} differs from UNB {header.control_reference!r}",
                    "UNZ",
                    None,
                    2,
                )
            )
        if trailer.component(1) != str(len(interchange.messages)):
            problems.append(
                Problem(
                    COUNT_DOES_NOT_MATCH,
                    f"UNZ counts {trailer.component(1)!r} messages, the interchange has {len(interchange.messages)}",
                    "UNZ",
                    None,
                    1,
                )
            )
        if len(trailer.elements) > 2:
            problems.append(
                Problem(
                    TOO_MANY_CONSTITUENTS, f"UNZ has {len(trailer.elements)} data elements, at most 2", "UNZ", None, 3
                )
            )
    if not interchange.messages:
        problems.append(Problem(LOWER_LEVEL_EMPTY, "the interchange holds no message", "UNZ"))
    return problems


def message_envelope_problems(message: RawMessage) -> list[Problem]:
    """Faults of one message's UNH/UNT: references and the segment count."""
    problems: list[Problem] = []
    if not message.segments:
        return [Problem(MISSING, "empty message", "UNH")]
    unh = message.segments[0]
    if not unh.component(1):
        problems.append(Problem(MISSING, "message reference (0062) is empty", "UNH", 1, 1))
    trailer = message.segments[-1]
    if trailer.tag != "UNT":
        return problems
    count = len(message.segments)
    if trailer.component(1) != str(count):
        problems.append(
            Problem(
                COUNT_DOES_NOT_MATCH,
                f"UNT counts {trailer.component(1)!r} segments, the message has {count}",
                "UNT",
                count,
                1,
            )
        )
    if trailer.component(2) != unh.component(1):
        problems.append(
            Problem(
                REFERENCES_DO_NOT_MATCH,
                f"UNT reference {trailer.component(2)!r} differs from UNH {unh.component(1)!r}",
                "UNT",
                count,
                2,
            )
        )
    return problems


# ---------------------------------------------------------------------------------------------------------------------
# Writing.


def wrap_message(reference: str, identifier: Sequence[str], body: Sequence[Segment]) -> list[Segment]:
    """UNH + body + UNT with the right count and reference."""
    unh = segment("UNH", reference, tuple(identifier))
    return [unh, *body, segment("UNT", str(len(body) + 2), reference)]


def serialise(segments: Iterable[Segment], delimiters: Delimiters = DEFAULT_DELIMITERS, *, newline: bool = True) -> str:
    """Segments → text with pydifact's serialiser (escaping with the release character); no UNA."""
    converted = [
        PydifactSegment(item.tag, *[list(value) if isinstance(value, tuple) else value for value in item.elements])
        for item in segments
    ]
    return Serializer(delimiters.characters()).serialize(converted, with_una_header=False, break_lines=newline)


def interchange_text(
    header: InterchangeHeader,
    messages: Sequence[Sequence[Segment]],
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    *,
    newline: bool = True,
) -> str:
    """A whole interchange: UNA, UNB, the messages (each already wrapped in UNH/UNT), UNZ."""
    body: list[Segment] = [header.to_segment()]
    for message in messages:
        body.extend(message)
    body.append(segment("UNZ", str(len(messages)), header.control_reference))
    return delimiters.una() + ("\n" if newline else "") + serialise(body, delimiters, newline=newline)
