"""The base's machines: kinds, what each kind may lift, status rules and the schematic base plan.

A machine is a quay crane (STS), a rail-mounted gantry (RMG), a reach stacker, a terminal tractor
or a piece of grain gear. Its **pools** say where it works (``berth:L1``, ``block:A``,
``track:T1``, ``gate``); the dispatcher gives it only work in its pools. Positions are metres on a
schematic plan of the base (quay along y = 0, yard blocks behind it, loading tracks behind the
yard, the gate at the back) — enough for "least empty travel", not a survey.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from landbridge.domain.errors import RuleViolation


class EquipmentKind(StrEnum):
    """What a machine is."""

    QUAY_CRANE = "quay_crane"
    RAIL_MOUNTED_GANTRY = "rail_mounted_gantry"
    REACH_STACKER = "reach_stacker"
    TERMINAL_TRACTOR = "terminal_tractor"
    GRAIN_LOADER = "grain_loader"


class EquipmentStatus(StrEnum):
    """Only a ``working`` machine gets new jobs; ``break`` keeps its job; ``out_of_service`` gives them back."""

    WORKING = "working"
    BREAK = "break"
    OUT_OF_SERVICE = "out_of_service"


@dataclass(frozen=True)
class KindAttributes:
    """What a kind of machine may lift (assumed typical figures; a planner corrects them per machine)."""

    allowed_lengths_ft: tuple[int, ...]
    max_lift_kg: int
    twin_lift: bool


# Assumed typical figures: an STS spreader lifts 65 t (twin-lift 2 × 20 ft); an RMG 40.6 t under the
# spreader; a laden reach stacker 45 t in the first row; a tractor carries a 40/45 ft or two 20 ft
# boxes up to 65 t; grain gear tips bulk boxes of 20 ft only (30.48 t gross).
KIND_ATTRIBUTES: dict[EquipmentKind, KindAttributes] = {
    EquipmentKind.QUAY_CRANE: KindAttributes((20, 40, 45), 65_000, True),
    EquipmentKind.RAIL_MOUNTED_GANTRY: KindAttributes((20, 40, 45), 40_600, False),
    EquipmentKind.REACH_STACKER: KindAttributes((20, 40, 45), 45_000, False),
    EquipmentKind.TERMINAL_TRACTOR: KindAttributes((20, 40, 45), 65_000, True),
    EquipmentKind.GRAIN_LOADER: KindAttributes((20,), 30_480, False),
}


def check_status_change(status: EquipmentStatus, reason: str | None) -> str | None:
    """The reason to keep: required (and trimmed) for a break or out of service, dropped when working."""
    text = (reason or "").strip()
    if status is EquipmentStatus.WORKING:
        return None
    if not text:
        raise RuleViolation("reason", f"say why the machine goes {status.value.replace('_', ' ')}")
    if len(text) > 200:
        raise RuleViolation("reason", "at most 200 characters")
    return text


@dataclass(frozen=True)
class BasePlan:
    """Schematic positions (metres) of the base's work places: berths, blocks, tracks and the gate."""

    berths: tuple[str, ...]
    blocks: tuple[str, ...]
    tracks: tuple[str, ...]

    def point(self, pool: str) -> tuple[float, float]:
        """Where a pool (``berth:L1``, ``block:A``, ``track:T1``, ``gate``) lies on the plan."""
        kind, _, code = pool.partition(":")
        if kind == "berth" and code in self.berths:
            return 200.0 + 450.0 * self.berths.index(code), 0.0
        if kind == "block" and code in self.blocks:
            return 150.0 + 300.0 * self.blocks.index(code), 300.0
        if kind == "track" and code in self.tracks:
            return 150.0 + 300.0 * self.tracks.index(code), 700.0
        return 0.0, 900.0  # the gate, and anything unknown, at the back of the base
