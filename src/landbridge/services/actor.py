"""Who issues a command: every service takes an ``Actor`` and records it on the events it writes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who issues a command, and in which role (recorded on every event)."""

    name: str
    role: str
    party: str | None = None  # the party a shipper/forwarder acts for; limits what it may see
    source: str | None = None  # where the command came from (e.g. "api:<request id>"), kept on its events
