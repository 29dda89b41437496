"""The container yard: blocks of bays × rows × tiers, and the slot addressing used across the hub.

A ground slot holds one 20 ft stack; a 40/45 ft container occupies two consecutive bays
(an even bay number addresses the pair, as in ISO 9711 bay plans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from landbridge.domain.errors import InvalidIdentifier, RuleViolation

_SLOT_RE = re.compile(r"^(?P<block>[A-Z][A-Z0-9]?)-(?P<bay>\d{2})-(?P<row>\d{2})-(?P<tier>\d)$")


class BlockBounds(Protocol):
    """What a slot is checked against: any block with a code, bays, rows and a stack height."""

    @property
    def code(self) -> str: ...
    @property
    def bays(self) -> int: ...
    @property
    def rows(self) -> int: ...
    @property
    def max_tiers(self) -> int: ...


@dataclass(frozen=True, order=True)
class YardSlot:
    """A position in the yard: block, bay, row, tier (all from 1)."""

    block: str
    bay: int
    row: int
    tier: int

    @classmethod
    def parse(cls, text: str) -> YardSlot:
        """Parse ``A-03-02-1`` (block-bay-row-tier)."""
        match = _SLOT_RE.match(text.strip().upper())
        if match is None:
            raise InvalidIdentifier("slot", f"slot must look like A-03-02-1 (block-bay-row-tier), got {text!r}")
        return cls(match["block"], int(match["bay"]), int(match["row"]), int(match["tier"]))

    def __str__(self) -> str:
        return f"{self.block}-{self.bay:02d}-{self.row:02d}-{self.tier}"

    def check_within(self, block: BlockBounds) -> None:
        """Refuse a slot outside the block's bays, rows or stack height."""
        if self.block != block.code:
            raise RuleViolation("slot", f"slot {self} is not in block {block.code}")
        if not 1 <= self.bay <= block.bays:
            raise RuleViolation("slot", f"bay {self.bay} out of range 1-{block.bays} in block {block.code}")
        if not 1 <= self.row <= block.rows:
            raise RuleViolation("slot", f"row {self.row} out of range 1-{block.rows} in block {block.code}")
        if not 1 <= self.tier <= block.max_tiers:
            raise RuleViolation(
                "slot", f"tier {self.tier} exceeds the stack height {block.max_tiers} of block {block.code}"
            )
