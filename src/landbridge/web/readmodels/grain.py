"""Grain: silos, lots, owners and the terminal's mass balance."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landbridge.store import tables
from landbridge.store.repositories import EVERYTHING, Scope
from landbridge.store.repositories.scope import visible_grain

RECEIVED, SHIPPED = "received", "shipped"
"""The ledger kinds that change an owner's balance (``grain_movements.kind``; transfers do not)."""


@dataclass
class OwnerBalance:
    """One owner's grain ledger: what came in, what went out, what is left."""

    code: str
    name: str
    received_kg: int = 0
    shipped_kg: int = 0
    in_stock_kg: int = 0

    @property
    def gap_kg(self) -> int:
        """Received minus shipped minus stock: zero when every kilogram is accounted for."""
        return self.received_kg - self.shipped_kg - self.in_stock_kg


@dataclass
class GrainView:
    """Silos, lots, owners and the mass balance of the grain terminal."""

    silos: list[dict[str, Any]]
    lots: list[dict[str, Any]]
    owners: list[OwnerBalance]
    capacity_kg: int
    next_after: str | None = None
    """The last lot on this page when more follow (``/grain?after=…`` shows them)."""

    @property
    def received_kg(self) -> int:
        """Received over all owners."""
        return sum(o.received_kg for o in self.owners)

    @property
    def shipped_kg(self) -> int:
        """Shipped (by vessel or in containers) over all owners."""
        return sum(o.shipped_kg for o in self.owners)

    @property
    def stock_kg(self) -> int:
        """In the silos now."""
        return sum(o.in_stock_kg for o in self.owners)

    @property
    def balance_gap_kg(self) -> int:
        """The terminal's unaccounted mass (zero when the ledger and the lots agree)."""
        return sum(o.gap_kg for o in self.owners)


LOTS_PAGE = 100
"""Lots shown at a time: a year makes about 1,100 (one per tipped box), and the page listed them all."""


def grain(session: Session, scope: Scope = EVERYTHING, *, after: str | None = None) -> GrainView:
    """The grain terminal: a page of lots, the silos, and per owner the ledger of ``grain_movements``.

    A grain owner (``scope`` of a party) sees its own lots and ledger, and in each silo only its own
    stock against the silo's capacity. Lots come :data:`LOTS_PAGE` at a time by reference, after the
    lot ``after``; the stock per owner and per silo is summed in SQL over every lot.

    Transfers between silos move grain without changing an owner's balance, so only ``received``
    and ``shipped`` movements count — the same rule as ``/api/v1/grain/balance``.
    """
    parties = {p.code: p.name for p in session.scalars(select(tables.PartyRow))}
    owners: dict[str, OwnerBalance] = {}

    def owner(code: str) -> OwnerBalance:
        return owners.setdefault(code, OwnerBalance(code, parties.get(code, code)))

    lot_rows = tables.GrainLotRow
    stock: dict[str, int] = defaultdict(int)
    per_owner_silo = visible_grain(
        select(lot_rows.owner_code, lot_rows.silo_code, func.sum(lot_rows.mass_kg)), lot_rows.owner_code, scope
    ).group_by(lot_rows.owner_code, lot_rows.silo_code)
    for code, silo, mass_kg in session.execute(per_owner_silo):
        owner(code).in_stock_kg += int(mass_kg or 0)
        if silo:
            stock[silo] += int(mass_kg or 0)
    lots = []
    lots_query = visible_grain(select(lot_rows), lot_rows.owner_code, scope)
    if after is not None:
        lots_query = lots_query.where(lot_rows.reference > after)
    page = list(session.scalars(lots_query.order_by(lot_rows.reference).limit(LOTS_PAGE + 1)))
    for lot in page[:LOTS_PAGE]:
        lots.append(
            {
                "reference": lot.reference,
                "owner": parties.get(lot.owner_code, lot.owner_code),
                "owner_code": lot.owner_code,
                "crop": lot.crop,
                "grain_class": lot.grain_class,
                "mass_kg": lot.mass_kg,
                "moisture_pct": lot.moisture_pct,
                "silo": lot.silo_code,
            }
        )
    movements = tables.GrainMovementRow
    ledger = visible_grain(
        select(movements.owner_code, movements.kind, func.sum(movements.mass_kg)).where(
            movements.kind.in_((RECEIVED, SHIPPED))
        ),
        movements.owner_code,
        scope,
    )
    for code, kind, total in session.execute(ledger.group_by(movements.owner_code, movements.kind)):
        if kind == RECEIVED:
            owner(code).received_kg += int(total or 0)
        else:
            owner(code).shipped_kg += int(total or 0)
    silos: list[dict[str, Any]] = [
        {
            "code": s.code,
            "capacity_kg": s.capacity_kg,
            "stock_kg": stock.get(s.code, 0),
            "share": stock.get(s.code, 0) / s.capacity_kg if s.capacity_kg else 0.0,
        }
        for s in session.scalars(select(tables.SiloRow).order_by(tables.SiloRow.code))
    ]
    return GrainView(
        silos=silos,
        lots=lots,
        owners=sorted(owners.values(), key=lambda o: -o.in_stock_kg),
        capacity_kg=sum(int(s["capacity_kg"]) for s in silos),
        next_after=page[LOTS_PAGE - 1].reference if len(page) > LOTS_PAGE else None,
    )
