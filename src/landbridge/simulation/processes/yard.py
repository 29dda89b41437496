"""The yard's stacking room, enforced: a box is taken in only while there is room for it.

Full boxes stack ``max_tiers_full`` high and empties ``max_tiers_empty`` high (O4), so room is
counted in ground-slot shares: a full TEU takes 1/tiers_full of a slot, an empty TEU
1/tiers_empty. Drop-offs by road and boxes from ships are refused above the working fill (the
rest is needed for reshuffles); trains are always unloaded, because a train that cannot unload
blocks the base's tracks for everyone.
"""

from __future__ import annotations

from landbridge.scenarios.model import YardSpec


class YardSpace:
    """Ground slots used by the boxes in the yard, against the working limit."""

    __slots__ = ("_empty_weight", "_full_weight", "ground_slots", "limit_slots", "peak_slots", "used_slots")

    def __init__(self, yard: YardSpec, working_fill: float) -> None:
        self.ground_slots = float(sum(block.bays * block.rows for block in yard.blocks))
        full_positions = sum(block.bays * block.rows * block.max_tiers_full for block in yard.blocks)
        empty_positions = sum(block.bays * block.rows * block.max_tiers_empty for block in yard.blocks)
        self._full_weight = self.ground_slots / full_positions
        self._empty_weight = self.ground_slots / empty_positions
        self.limit_slots = working_fill * self.ground_slots
        self.used_slots = 0.0
        self.peak_slots = 0.0

    def slots_of(self, teu: int, empty: bool) -> float:
        """Ground slots a box takes."""
        return teu * (self._empty_weight if empty else self._full_weight)

    def has_room(self, teu: int, empty: bool) -> bool:
        """True when a drop-off of this box stays within the working limit."""
        return self.used_slots + self.slots_of(teu, empty) <= self.limit_slots

    def put(self, teu: int, empty: bool) -> None:
        """A box enters the stack (whether or not it was checked: trains always unload)."""
        self.used_slots += self.slots_of(teu, empty)
        if self.used_slots > self.peak_slots:
            self.peak_slots = self.used_slots

    def take(self, teu: int, empty: bool) -> None:
        """A box leaves the stack."""
        self.used_slots -= self.slots_of(teu, empty)

    @property
    def share(self) -> float:
        """Share of ground slots in use now."""
        return self.used_slots / self.ground_slots if self.ground_slots else 0.0
