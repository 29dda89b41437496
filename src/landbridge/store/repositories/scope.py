"""Object scope: which rows a query may return (all for hub staff, one party's for shippers)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """Which objects a query may return: all (hub staff) or those of one party (shipper/forwarder).

    Object-level access lives here, in the queries, so no route can forget it: a foreign object is
    simply not found and never listed.
    """

    party: str | None = None

    @property
    def everything(self) -> bool:
        """No party restriction."""
        return self.party is None


EVERYTHING = Scope()
