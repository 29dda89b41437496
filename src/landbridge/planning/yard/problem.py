"""Yard bay instances: stacks of containers (bottom to top) with a height limit.

Three readers, one object. Caserta–Voß ``.dat`` files (``W N`` then ``height c1 … ch`` per stack,
number 1 leaves first, height limit = tiers + 2), Bortfeldt–Forster ``.bay`` files (same layout,
groups may repeat, height limit taken from the file name ``cpmp_<S>_<H>_<N>_<G>_<B>_<k>.bay``) and
our own JSON ``{"name": …, "max_height": H, "stacks": [[…], …]}``. Every reader raises
:class:`PlanningInputError` naming the line or field and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from landbridge.planning.common import PlanningInputError, parse_instance_json, read_instance_text

# CV instances are stacked ``h`` high and may grow to ``h + 2`` (the restricted BRP convention).
CV_EXTRA_TIERS = 2
_BF_NAME = re.compile(r"^cpmp_(\d+)_(\d+)_(\d+)_(\d+)_(\d+)_(\d+)$")


@dataclass(frozen=True)
class YardBay:
    """A bay: ``stacks[i]`` lists retrieval priorities bottom→top; smaller leaves earlier."""

    name: str
    stacks: tuple[tuple[int, ...], ...]
    max_height: int

    @property
    def n_containers(self) -> int:
        """Number of containers in the bay."""
        return sum(len(stack) for stack in self.stacks)

    @property
    def priorities_distinct(self) -> bool:
        """True when no two containers share a priority (required by the relocation problem)."""
        flat = [p for stack in self.stacks for p in stack]
        return len(flat) == len(set(flat))


def _ints(line: str, line_no: int) -> list[int]:
    try:
        return [int(token) for token in line.split()]
    except ValueError as error:
        raise PlanningInputError(f"line {line_no}", f"expected whole numbers, got {line.strip()!r}") from error


def _parse_stack_file(text: str, name: str, max_height: int | None) -> YardBay:
    """Parse the shared CV/BF layout; ``max_height=None`` means tiers + 2 (CV convention)."""
    lines = [(no, line) for no, line in enumerate(text.splitlines(), start=1)]
    meaningful = [(no, line) for no, line in lines if line.strip()]
    if not meaningful:
        raise PlanningInputError("line 1", "empty file; expected 'stacks containers'")
    head_no, head = meaningful[0]
    header = _ints(head, head_no)
    if len(header) != 2:
        raise PlanningInputError(f"line {head_no}", f"header needs 2 numbers (stacks containers), got {len(header)}")
    n_stacks, n_containers = header
    if n_stacks <= 0:
        raise PlanningInputError(f"line {head_no}", f"number of stacks must be positive, got {n_stacks}")
    # Stack lines follow the header one per stack; BF files write an empty stack as "0 " or "0".
    body = lines[head_no:]
    stacks: list[tuple[int, ...]] = []
    for no, line in body:
        if len(stacks) == n_stacks:
            if line.strip():
                raise PlanningInputError(f"line {no}", f"more than the {n_stacks} stack lines announced")
            continue
        if not line.strip():
            continue
        values = _ints(line, no)
        height, items = values[0], values[1:]
        if height != len(items):
            raise PlanningInputError(f"line {no}", f"stack height {height} but {len(items)} containers follow")
        if any(item <= 0 for item in items):
            raise PlanningInputError(f"line {no}", "container priorities must be positive")
        stacks.append(tuple(items))
    if len(stacks) != n_stacks:
        raise PlanningInputError("stacks", f"header announces {n_stacks} stacks, file has {len(stacks)}")
    total = sum(len(stack) for stack in stacks)
    if total != n_containers:
        raise PlanningInputError("containers", f"header announces {n_containers}, stacks hold {total}")
    if max_height is None:
        tiers = -(-n_containers // n_stacks)
        max_height = tiers + CV_EXTRA_TIERS
    return _validated(YardBay(name=name, stacks=tuple(stacks), max_height=max_height))


def _validated(bay: YardBay) -> YardBay:
    if bay.max_height <= 0:
        raise PlanningInputError("max_height", f"must be positive, got {bay.max_height}")
    for index, stack in enumerate(bay.stacks):
        if len(stack) > bay.max_height:
            raise PlanningInputError(
                f"stacks[{index}]", f"holds {len(stack)} containers, above the height limit {bay.max_height}"
            )
    return bay


def read_bay(path: Path) -> YardBay:
    """Read a bay from a ``.dat`` (CV), ``.bay`` (BF) or ``.json`` file."""
    text = read_instance_text(path)
    if path.suffix == ".json":
        return bay_from_json(parse_instance_json(text), default_name=path.stem)
    if path.suffix == ".bay":
        match = _BF_NAME.match(path.stem)
        if match is None:
            raise PlanningInputError("file name", f"{path.name} is not cpmp_<S>_<H>_<N>_<G>_<B>_<k>.bay")
        return _parse_stack_file(text, path.stem, max_height=int(match.group(2)))
    return _parse_stack_file(text, path.stem, max_height=None)


def bay_to_json(bay: YardBay) -> dict[str, Any]:
    """The bay as the JSON :func:`bay_from_json` reads (and the checker too)."""
    return {"name": bay.name, "max_height": bay.max_height, "stacks": [list(stack) for stack in bay.stacks]}


def bay_from_json(data: Any, default_name: str = "bay") -> YardBay:
    """Build a bay from ``{"name", "max_height", "stacks"}``."""
    if not isinstance(data, dict):
        raise PlanningInputError("instance", "expected a JSON object")
    height = data.get("max_height")
    if not isinstance(height, int) or isinstance(height, bool):
        raise PlanningInputError("max_height", f"expected an integer, got {height!r}")
    raw_stacks = data.get("stacks")
    if not isinstance(raw_stacks, list):
        raise PlanningInputError("stacks", "expected a list of stacks")
    stacks: list[tuple[int, ...]] = []
    for index, raw in enumerate(raw_stacks):
        if not isinstance(raw, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw):
            raise PlanningInputError(f"stacks[{index}]", "expected a list of integer priorities")
        if any(v <= 0 for v in raw):
            raise PlanningInputError(f"stacks[{index}]", "priorities must be positive")
        stacks.append(tuple(raw))
    name = data.get("name", default_name)
    return _validated(YardBay(name=str(name), stacks=tuple(stacks), max_height=height))
