"""Where the demo day stacks its boxes: free ground stacks of the scenario's own yard blocks.

The layout comes from the scenario (blocks, bays, rows, laden tiers, which block has reefer plugs),
so a scenario with another yard plays a demo day that fits it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

from landbridge.domain.iso_types import size_type
from landbridge.scenarios.model import YardBlockSpec, YardSpec

Stack = tuple[str, int, int]  # block, bay, row


class PlannedBox(Protocol):
    """What the plan needs to know of a box."""

    number: str
    iso_type: str
    group: str


def bays_40ft(block: YardBlockSpec) -> tuple[int, ...]:
    """Even bays of the first three quarters of a block: a 40 ft box at bay b covers b-1 and b."""
    last = (block.bays * 3 // 4) // 2 * 2
    return tuple(range(2, last + 1, 2))


def bays_20ft(block: YardBlockSpec) -> tuple[int, ...]:
    """The last quarter of a block, kept for 20 ft stacks so a 20 never sits beside a 40 pair."""
    return tuple(range((block.bays * 3 // 4) // 2 * 2 + 1, block.bays + 1))


@dataclass(frozen=True)
class YardLayout:
    """The ground stacks the demo may use, by kind of box, and the laden tiers of each block."""

    stacks_40ft: tuple[Stack, ...]
    stacks_20ft: tuple[Stack, ...]
    stacks_reefer: tuple[Stack, ...]
    max_laden_tiers: dict[str, int]

    @classmethod
    def of(cls, yard: YardSpec) -> YardLayout:
        """Dry boxes on blocks without reefer plugs or dangerous goods; reefers on the first block with plugs."""
        plain = [b for b in yard.blocks if not b.reefer_plugs and not b.dangerous_goods]
        reefer = [b for b in yard.blocks if b.reefer_plugs][:1]
        return cls(
            stacks_40ft=tuple(
                (b.code, bay, row) for b in plain for bay in bays_40ft(b) for row in range(1, b.rows + 1)
            ),
            stacks_20ft=tuple(
                (b.code, bay, row) for b in plain for bay in bays_20ft(b) for row in range(1, b.rows + 1)
            ),
            stacks_reefer=tuple(
                (b.code, bay, row) for b in reefer for bay in bays_40ft(b) for row in range(1, b.rows + 1)
            ),
            max_laden_tiers={b.code: b.max_tiers_full for b in yard.blocks},
        )


class YardPlan:
    """Free ground stacks drawn in seeded order; each group keeps its own stacks so loads take top boxes.

    A yard planner segregates boxes by outbound train: a box never waits under one for another
    train, so every load lifts a top box and no rehandle is needed.
    """

    def __init__(self, draw: random.Random, layout: YardLayout) -> None:
        self._draw = draw
        self._max_tiers = layout.max_laden_tiers
        self._free: dict[str, list[Stack]] = {
            "40": list(layout.stacks_40ft),
            "20": list(layout.stacks_20ft),
            "reefer": list(layout.stacks_reefer),
        }
        for stacks in self._free.values():
            draw.shuffle(stacks)
        self.stacks: dict[Stack, list[str]] = {}
        self._open: dict[tuple[str, str], tuple[Stack, int]] = {}  # (group, kind) -> stack, cap

    def slot_for(self, box: PlannedBox, stacks_of: str | None = None) -> str:
        """The next slot for this box: on the open stack of its group (or of ``stacks_of``), else a fresh one."""
        box_type = size_type(box.iso_type)
        kind = "reefer" if box_type.is_reefer else ("40" if box_type.length_ft >= 40 else "20")
        key = (stacks_of or box.group, kind)
        stack, cap = self._open.get(key, (None, 0))
        if stack is None or len(self.stacks[stack]) >= cap:
            stack = self._free[kind].pop()
            cap = self._draw.randint(1, self._max_tiers[stack[0]])  # laden stacks stop at the block's limit
            self.stacks[stack] = []
            self._open[key] = (stack, cap)
        self.stacks[stack].append(box.number)
        block, bay, row = stack
        return f"{block}-{bay:02d}-{row:02d}-{len(self.stacks[stack])}"

    def take(self, number: str) -> None:
        """Forget a box that left its stack (it must be on top)."""
        for boxes in self.stacks.values():
            if boxes and boxes[-1] == number:
                boxes.pop()
                return
        raise AssertionError(f"{number} is not on top of a planned stack")

    def load_order(self, numbers: list[str]) -> list[str]:
        """The given boxes in an order that always lifts a top box first."""
        wanted = set(numbers)
        ordered: list[str] = []
        for boxes in self.stacks.values():
            ordered.extend(n for n in reversed(boxes) if n in wanted)
        return ordered
