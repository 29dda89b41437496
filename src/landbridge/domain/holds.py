"""Holds on containers: who may place each kind, whom it belongs to, and which exits it blocks.

A hold is the hub's "do not let this box go": customs (an inspection or unpaid duty), the
shipping line (freight unpaid, a release not yet given), the terminal (storage unpaid, a
dispute), damage (the box is not fit to travel), or a missing VGM (SOLAS VI/2: no verified gross
mass, no loading on a ship). Any open hold blocks every exit of the base — a pick-up at the gate,
a vessel load, a vessel's departure with the box on board, a train's departure — and, per kind,
loading onto a train (a customs-held box may wait on its train for the inspection; a damaged one
may not be put on a wagon at all).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from landbridge.domain.errors import Forbidden, RuleViolation


class HoldKind(StrEnum):
    """Why a box may not leave."""

    CUSTOMS = "customs"
    LINE = "line"
    TERMINAL = "terminal"
    DAMAGE = "damage"
    VGM_MISSING = "vgm_missing"


class Exit(StrEnum):
    """Ways a box leaves the base (or starts to)."""

    GATE_OUT = "gate-out pick-up"
    VESSEL_LOAD = "vessel load"
    VESSEL_DEPARTURE = "vessel departure"
    RAIL_LOAD = "rail load"
    RAIL_DEPARTURE = "rail departure"


@dataclass(frozen=True)
class HoldRule:
    """Who places and releases a kind of hold, whom it belongs to, and whether it stops a rail load."""

    kind: HoldKind
    roles: frozenset[str]  # besides admin
    owner: str  # the authority the refusal names ("line" holds name the line's party instead)
    blocks_rail_load: bool
    source: str


HOLD_RULES: dict[HoldKind, HoldRule] = {
    HoldKind.CUSTOMS: HoldRule(
        HoldKind.CUSTOMS,
        frozenset({"customs_officer"}),
        "customs",
        False,
        "the port's customs practice: a held box may be loaded and inspected on its train; the train waits",
    ),
    HoldKind.LINE: HoldRule(
        HoldKind.LINE, frozenset({"shipping_line"}), "line", True, "assumed: the line's release is given per box"
    ),
    HoldKind.TERMINAL: HoldRule(
        HoldKind.TERMINAL, frozenset({"planner", "yard_operator"}), "terminal", True, "assumed"
    ),
    HoldKind.DAMAGE: HoldRule(
        HoldKind.DAMAGE,
        frozenset({"planner", "yard_operator", "gate_clerk"}),
        "terminal",
        True,
        "assumed: a damaged box is not put on a wagon",
    ),
    HoldKind.VGM_MISSING: HoldRule(
        HoldKind.VGM_MISSING,
        frozenset(),  # placed and released by the hub itself (see vgm.py)
        "shipper",
        False,
        "SOLAS VI/2: without a VGM a packed box is not loaded on a ship; rail needs none",
    ),
}


@dataclass(frozen=True)
class Hold:
    """One hold on one container."""

    id: int
    container: str
    kind: HoldKind
    reason: str
    owner: str
    placed_at: datetime
    released_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Still in force."""
        return self.released_at is None

    def describe(self) -> str:
        """How a refusal names the hold: number, kind, owner and reason."""
        return f"hold {self.id} ({self.kind.value}, owner {self.owner}: {self.reason}) on {self.container}"


GONE = frozenset({"departed", "delivered"})  # positions of a box that has left the base


def check_can_hold(container: str, position_kind: str, field: str = "container") -> None:
    """A box that has left the base cannot be held any more (422)."""
    if position_kind in GONE:
        raise RuleViolation(field, f"{container} has left the base ({position_kind}); a hold cannot stop it")


def check_may_place(kind: HoldKind, role: str, automatic: bool = False) -> None:
    """Refuse (403 at ``kind``) a role placing or releasing a kind of hold that is not its own."""
    rule = HOLD_RULES[kind]
    if automatic:
        return
    if not rule.roles:
        raise Forbidden("kind", f"{kind.value} holds are placed and released by the hub itself")
    if role == "admin" or role in rule.roles:
        return
    raise Forbidden("kind", f"a {role} may not place or release {kind.value} holds ({', '.join(sorted(rule.roles))})")


def check_may_release(hold: Hold, role: str, party: str | None, automatic: bool = False) -> None:
    """Refuse (403) a release by anyone but the hold's authority; a line releases only its own line holds."""
    check_may_place(hold.kind, role, automatic)
    if hold.kind is HoldKind.LINE and not automatic and role != "admin" and party != hold.owner:
        raise Forbidden("hold_id", f"hold {hold.id} belongs to line {hold.owner}")


def owner_of(kind: HoldKind, party: str | None) -> str:
    """Whom a new hold belongs to: the line's party for a line hold, else the kind's authority."""
    if kind is HoldKind.LINE and party:
        return party
    return HOLD_RULES[kind].owner


def blocking(holds: Iterable[Hold], exit_: Exit, rail_load_kinds: frozenset[HoldKind] | None = None) -> list[Hold]:
    """The open holds that stop ``exit_`` (rail load: only the kinds configured to block it)."""
    kinds = rail_load_kinds if rail_load_kinds is not None else default_rail_load_kinds()
    return [hold for hold in holds if hold.is_open and (exit_ is not Exit.RAIL_LOAD or hold.kind in kinds)]


def default_rail_load_kinds() -> frozenset[HoldKind]:
    """Kinds of hold that stop a box being loaded on a wagon (the table above)."""
    return frozenset(rule.kind for rule in HOLD_RULES.values() if rule.blocks_rail_load)


def check_exit(
    holds: Iterable[Hold],
    exit_: Exit,
    subject: str,
    field: str = "container",
    rail_load_kinds: frozenset[HoldKind] | None = None,
) -> None:
    """Refuse (422 naming ``field``) an exit while a hold that blocks it is open; names each hold and owner.
    ``rail_load_kinds``: the site's choice of kinds that stop a rail load (default: the table above)."""
    stopping = sorted(blocking(holds, exit_, rail_load_kinds), key=lambda hold: (hold.container, hold.id))
    if stopping:
        named = "; ".join(hold.describe() for hold in stopping)
        raise RuleViolation(field, f"{exit_.value} of {subject} refused: open {named}")
