"""Domain errors: each names the field at fault and the reason, so every entry point can report it."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the hub was broken; ``field`` names the input at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidIdentifier(DomainError, ValueError):
    """A code or number (container, wagon, IMO, LOCODE, HS…) failed its format or check digit."""


class NotFound(DomainError):
    """The object does not exist, or the caller may not see it (both answer the same)."""


class Conflict(DomainError):
    """The command clashes with the current state (already registered, slot taken…)."""


class RuleViolation(DomainError):
    """The command is well-formed but breaks an operating rule (over capacity, hold open…)."""


class Forbidden(DomainError):
    """The caller's role may not perform this action at all (object-level refusals are NotFound)."""
