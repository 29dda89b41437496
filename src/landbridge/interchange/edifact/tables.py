"""Declarative segment tables: which segments a message may hold, where, how often, with which qualifiers.

A table is data (``Seg`` and ``Group`` rules in message order), written per message and directory
from the UNTDID message structures and the SMDG implementation guides (see docs/interchange.md for
what we took from where). :func:`check` walks a message against its table and names every
misplaced, missing or repeated segment, every unknown qualifier and every missing mandatory data
element, with the ISO 9735 error code a CONTRL carries.

A rule with ``qualifiers`` only matches a segment whose qualifier is listed, so two rules for the
same tag (a stowage group's ``LOC+147`` and the ``LOC+9``/``LOC+11`` inside it) stay apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from landbridge.interchange.edifact.syntax import (
    INVALID_VALUE,
    MISSING,
    NOT_SUPPORTED_IN_POSITION,
    TOO_MANY_GROUP_REPETITIONS,
    TOO_MANY_REPETITIONS,
    Problem,
    Segment,
)

Status = Literal["M", "C"]


@dataclass(frozen=True)
class Seg:
    """One segment position: tag, mandatory (M) or conditional (C), maximum repeats, qualifiers, required data."""

    tag: str
    status: Status
    repeats: int
    qualifiers: frozenset[str] | None = None
    required: tuple[tuple[int, int, str], ...] = ()  # (element, component, name), 1-based
    qualifier_at: tuple[int, int] = (1, 1)

    def qualifier_of(self, item: Segment) -> str:
        """The value this rule reads as the qualifier."""
        return item.component(*self.qualifier_at)

    def matches(self, item: Segment) -> bool:
        """Whether the segment belongs at this position."""
        return item.tag == self.tag and (self.qualifiers is None or self.qualifier_of(item) in self.qualifiers)


@dataclass(frozen=True)
class Group:
    """A segment group: its first rule is the trigger segment that opens each repetition."""

    name: str
    status: Status
    repeats: int
    children: tuple[Seg | Group, ...]

    @property
    def trigger(self) -> Seg:
        """The segment that starts the group."""
        first = self.children[0]
        assert isinstance(first, Seg), f"group {self.name} must start with a segment"
        return first


@dataclass(frozen=True)
class MessageTable:
    """The table of one message type on one directory (UNH and UNT included)."""

    message_type: str
    release: str
    associations: frozenset[str]
    rules: tuple[Seg | Group, ...]
    notes: str = ""
    tags: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        collected: set[str] = set()

        def walk(rules: Sequence[Seg | Group]) -> None:
            for rule in rules:
                if isinstance(rule, Seg):
                    collected.add(rule.tag)
                else:
                    walk(rule.children)

        walk(self.rules)
        object.__setattr__(self, "tags", frozenset(collected))

    def rules_for(self, tag: str) -> list[Seg]:
        """Every rule of this table for ``tag`` (to explain an unexpected segment)."""
        found: list[Seg] = []

        def walk(rules: Sequence[Seg | Group]) -> None:
            for rule in rules:
                if isinstance(rule, Seg):
                    if rule.tag == tag:
                        found.append(rule)
                else:
                    walk(rule.children)

        walk(self.rules)
        return found


def q(*codes: str) -> frozenset[str]:
    """A qualifier set."""
    return frozenset(codes)


class _Walker:
    def __init__(self, table: MessageTable, segments: Sequence[Segment]) -> None:
        self.table = table
        self.segments = segments
        self.index = 0
        self.problems: list[Problem] = []
        self._rules: dict[str, list[Seg]] = {}

    def current(self) -> Segment | None:
        """The next segment, after reporting and skipping any this table has no rule for at all."""
        while self.index < len(self.segments):
            item = self.segments[self.index]
            rules = self._rules.get(item.tag)
            if rules is None:
                rules = self._rules[item.tag] = self.table.rules_for(item.tag)
            if rules and any(rule.matches(item) for rule in rules):
                return item
            self.problems.append(self.unexpected(item))
            self.index += 1
        return None

    def check_data(self, rule: Seg, item: Segment) -> None:
        position = self.index + 1
        for element, component, name in rule.required:
            if not item.component(element, component):
                self.problems.append(Problem(MISSING, f"{name} is missing", item.tag, position, element, component))

    def walk(self, rules: Sequence[Seg | Group], context: str, in_group: bool = False) -> None:
        for index, rule in enumerate(rules):
            count = 0
            if isinstance(rule, Seg):
                # a group's trigger opens one repetition: a second occurrence starts the next one
                limit_one = in_group and index == 0
                while (item := self.current()) is not None and rule.matches(item) and not (limit_one and count):
                    count += 1
                    if count > rule.repeats:
                        self.problems.append(
                            Problem(
                                TOO_MANY_REPETITIONS,
                                f"{rule.tag} may occur at most {rule.repeats} time(s) here",
                                item.tag,
                                self.index + 1,
                            )
                        )
                    self.check_data(rule, item)
                    self.index += 1
                if count == 0 and rule.status == "M":
                    expected = rule.tag + (f"+{'/'.join(sorted(rule.qualifiers))}" if rule.qualifiers else "")
                    self.problems.append(
                        Problem(MISSING, f"mandatory segment {expected} is missing {context}", rule.tag, self.index + 1)
                    )
            else:
                while (item := self.current()) is not None and rule.trigger.matches(item):
                    count += 1
                    if count > rule.repeats:
                        self.problems.append(
                            Problem(
                                TOO_MANY_GROUP_REPETITIONS,
                                f"group {rule.name} ({rule.trigger.tag}) may occur at most {rule.repeats} time(s)",
                                item.tag,
                                self.index + 1,
                            )
                        )
                    self.walk(rule.children, f"in group {rule.name}", in_group=True)
                if count == 0 and rule.status == "M":
                    self.problems.append(
                        Problem(
                            MISSING,
                            f"mandatory group {rule.name} (starting with {rule.trigger.tag}) is missing {context}",
                            rule.trigger.tag,
                            self.index + 1,
                        )
                    )

    def unexpected(self, item: Segment) -> Problem:
        position = self.index + 1
        rules = self.table.rules_for(item.tag)
        if not rules:
            return Problem(
                NOT_SUPPORTED_IN_POSITION,
                f"segment {item.tag} is not part of {self.table.message_type} {self.table.release}",
                item.tag,
                position,
            )
        allowed = sorted({code for rule in rules for code in (rule.qualifiers or ())})
        if allowed and not any(rule.matches(item) for rule in rules):
            rule = rules[0]
            return Problem(
                INVALID_VALUE,
                f"qualifier {rule.qualifier_of(item)!r} is not allowed for {item.tag} (allowed: {', '.join(allowed)})",
                item.tag,
                position,
                *rule.qualifier_at,
            )
        return Problem(NOT_SUPPORTED_IN_POSITION, f"segment {item.tag} is not expected here", item.tag, position)


def check(table: MessageTable, segments: Sequence[Segment]) -> list[Problem]:
    """Every structural fault of ``segments`` (a whole message, UNH…UNT) against ``table``."""
    walker = _Walker(table, segments)
    walker.walk(table.rules, "in the message")
    if (item := walker.current()) is not None:
        # a known segment out of place: name it; what follows cannot be placed reliably
        walker.problems.append(walker.unexpected(item))
        left = len(segments) - walker.index - 1
        if left:
            walker.problems.append(
                Problem(
                    NOT_SUPPORTED_IN_POSITION,
                    f"{left} segment(s) after it were not checked",
                    segments[walker.index + 1].tag,
                    walker.index + 2,
                )
            )
    return walker.problems
