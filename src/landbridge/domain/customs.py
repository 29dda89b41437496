"""Customs holds on containers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class CustomsHold:
    """A hold placed by a customs authority; a train cannot depart with a held container."""

    container_number: str
    reason: str
    placed_by: str
    placed_at: datetime
    released_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Still in force."""
        return self.released_at is None
