"""Live slot proposal: where should an arriving container go in a yard block?

Operations call this with the block as it is (departure times of the containers in each stack,
bottom→top), the height limit and the new container's departure time. Every stack with room is
tried; the block is then "emptied" in departure order and the relocations that takes are counted
(exactly by the relocation search when times are distinct and the block is small, by the min–max
rule otherwise). Departure times are treated as known, so the expected number of relocations is
this count; ties go to the slot that does not bury an earlier departure, then to the tightest fit
(keeps roomy stacks for later arrivals), then to the lower stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from landbridge.planning.common import PlanningInputError, SolveStatus
from landbridge.planning.yard.problem import YardBay
from landbridge.planning.yard.relocation import greedy_relocations, solve_relocation

# Above this many containers the exact search is skipped: the live API must answer in milliseconds.
EXACT_LIMIT_CONTAINERS = 24


@dataclass(frozen=True)
class SlotProposal:
    """The proposed stack (0-based), the tier the container lands on (0 = ground) and its cost."""

    stack: int
    tier: int
    expected_relocations: int
    blocks_earlier_departure: bool
    relocations_before: int


def _ranks(stacks: Sequence[Sequence[float]], extra: float | None) -> tuple[list[list[int]], int | None]:
    values = sorted({v for stack in stacks for v in stack} | ({extra} if extra is not None else set()))
    rank = {v: i + 1 for i, v in enumerate(values)}
    return [[rank[v] for v in stack] for stack in stacks], (rank[extra] if extra is not None else None)


def block_relocations(
    stacks: Sequence[Sequence[float]], max_height: int, exact_time_limit_s: float = 0.05, exact: bool | None = None
) -> int:
    """Relocations needed to retrieve every container of a block in departure order.

    ``exact`` forces the method (None: exact search for small blocks with distinct times); the
    slot proposal fixes it so that "before" and "after" counts are comparable.
    """
    ranked, _ = _ranks(stacks, None)
    flat = [v for stack in stacks for v in stack]
    distinct = len(flat) == len(set(flat))
    greedy = greedy_relocations(ranked, max_height)
    greedy_count = len(greedy) if greedy is not None else len(flat) * max_height
    if exact is None:
        exact = 0 < len(flat) <= EXACT_LIMIT_CONTAINERS
    if distinct and flat and exact:
        bay = YardBay("block", tuple(tuple(s) for s in ranked), max_height)
        outcome = solve_relocation(bay, exact_time_limit_s)
        if outcome.relocations is not None and outcome.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            return min(len(outcome.relocations), greedy_count)
    return greedy_count


def propose_slot(
    stacks: Sequence[Sequence[float]],
    max_height: int,
    departure: float,
    exact_time_limit_s: float = 0.05,
) -> SlotProposal:
    """The slot for a new container that minimises the relocations of the whole block."""
    if max_height <= 0:
        raise PlanningInputError("max_height", f"must be positive, got {max_height}")
    for index, stack in enumerate(stacks):
        if len(stack) > max_height:
            raise PlanningInputError(f"stacks[{index}]", f"holds {len(stack)} containers, limit {max_height}")
    open_stacks = [i for i, stack in enumerate(stacks) if len(stack) < max_height]
    if not open_stacks:
        raise PlanningInputError("stacks", "every stack is at the height limit; no slot to propose")
    flat = [v for stack in stacks for v in stack] + [departure]
    exact = len(flat) == len(set(flat)) and len(flat) <= EXACT_LIMIT_CONTAINERS
    before = block_relocations(stacks, max_height, exact_time_limit_s, exact)
    ranked: list[tuple[tuple[int, int, float, int], SlotProposal]] = []
    for index in open_stacks:
        trial = [list(stack) for stack in stacks]
        trial[index].append(departure)
        cost = block_relocations(trial, max_height, exact_time_limit_s, exact)
        below = min(stacks[index]) if stacks[index] else None
        blocks = below is not None and below < departure
        # Tightest fit: the smallest earliest-departure above ours; for blocking stacks the latest.
        fit = (below - departure) if (below is not None and not blocks) else float("inf")
        if blocks and below is not None:
            fit = departure - below
        proposal = SlotProposal(index, len(stacks[index]), cost, blocks, before)
        ranked.append(((cost, int(blocks), fit, len(stacks[index])), proposal))
    ranked.sort(key=lambda row: row[0])
    return ranked[0][1]
