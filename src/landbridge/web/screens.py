"""Which dashboard screen and which Overview tile needs which action of the role policy.

One table, read by the pages, the menu and the SSE stream: a viewer whose role lacks a screen's
action gets 403 there and does not see it in the menu; an Overview tile appears only to a role that
may read what it counts (and then counts only what the viewer's scope may see).
"""

from __future__ import annotations

from dataclasses import dataclass

from landbridge.services.authz import Action
from landbridge.web.auth import Viewer


def _(message: str) -> str:
    """Mark a message for extraction; it is translated when rendered."""
    return message


@dataclass(frozen=True)
class Screen:
    """A menu entry: its path, its (translated) label and the action it shows the results of."""

    path: str
    label: str
    action: Action | None  # None: the Overview, open to whoever may see one of its tiles


# Overview tiles (``readmodels.overview.ALL_TILES``) and the read each one shows.
TILES: dict[str, Action] = {
    "ships": Action.VESSEL_READ,
    "trains": Action.RAIL_READ,
    "yard": Action.YARD_READ,
    "silo": Action.GRAIN_READ,
    "holds": Action.CUSTOMS_READ,
    "containers": Action.CONTAINER_READ,
}

# In menu order.
SCREENS = (
    Screen("/", _("Overview"), None),
    Screen("/berths", _("Berths"), Action.VESSEL_READ),
    Screen("/yard", _("Yard"), Action.YARD_READ),
    Screen("/rail", _("Rail"), Action.RAIL_READ),
    Screen("/grain", _("Grain"), Action.GRAIN_READ),
    Screen("/corridor", _("Corridor"), Action.RAIL_READ),  # trains on the way and border queues
    Screen("/container", _("Container"), Action.CONTAINER_READ),
    Screen("/customs", _("Customs"), Action.CUSTOMS_READ),
    Screen("/interchange", _("Interchange"), Action.EDI_READ),
    Screen("/gate", _("Gate"), Action.GATE_READ),
    Screen("/lists", _("Lists"), Action.CONTAINER_READ),
    Screen("/audit", _("Audit"), Action.AUDIT_READ),  # each list has its own read action (readmodels/lists.py)
    Screen("/reports", _("Reports"), Action.REPORT_READ),
    Screen("/simulation", _("Simulation"), Action.SIMULATION_READ),
    Screen("/work", _("Work queues"), Action.WORK_READ),
    Screen("/driver", _("Driver"), Action.WORK_DRIVE),
)


def tiles_for(viewer: Viewer) -> frozenset[str]:
    """The Overview tiles this viewer may see."""
    return frozenset(tile for tile, action in TILES.items() if viewer.may(action))


def may_open(viewer: Viewer, screen: Screen) -> bool:
    """Whether the role policy lets this viewer open the screen."""
    return bool(tiles_for(viewer)) if screen.action is None else viewer.may(screen.action)


def menu(viewer: Viewer | None) -> list[Screen]:
    """The screens this viewer may open, in menu order (none before login)."""
    return [] if viewer is None else [screen for screen in SCREENS if may_open(viewer, screen)]


def home(viewer: Viewer) -> str:
    """Where a login lands: a party-scoped user (cargo owner, line) on its container search, staff on the Overview."""
    screens = menu(viewer)
    paths = [screen.path for screen in screens]
    if viewer.party_scoped and "/container" in paths:
        return "/container"
    return paths[0] if paths else "/container"
