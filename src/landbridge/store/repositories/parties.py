"""Parties, consignments and goods lines."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.store import tables


class PartyRepository:
    """Parties, consignments and their goods lines."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def party(self, code: str) -> tables.PartyRow | None:
        """A party by code."""
        return self._session.scalar(select(tables.PartyRow).where(tables.PartyRow.code == code))

    def consignment(self, booking_reference: str) -> tables.ConsignmentRow | None:
        """A consignment by booking reference."""
        return self._session.scalar(
            select(tables.ConsignmentRow).where(tables.ConsignmentRow.booking_reference == booking_reference)
        )

    def goods_line(self, line_id: int, lock: bool = False) -> tables.GoodsLineRow | None:
        """A goods line by id."""
        query = select(tables.GoodsLineRow).where(tables.GoodsLineRow.id == line_id)
        return self._session.scalar(query.with_for_update() if lock else query)

    def goods_lines(self, consignment_id: int) -> list[tables.GoodsLineRow]:
        """Goods lines of a consignment."""
        return list(
            self._session.scalars(
                select(tables.GoodsLineRow)
                .where(tables.GoodsLineRow.consignment_id == consignment_id)
                .order_by(tables.GoodsLineRow.id)
            )
        )

    def lines_in(self, number: str) -> list[tables.GoodsLineRow]:
        """Goods lines stuffed in a container."""
        return list(
            self._session.scalars(select(tables.GoodsLineRow).where(tables.GoodsLineRow.container_number == number))
        )

    def add(self, row: tables.Base) -> None:
        """Add a party, consignment or goods line and flush."""
        self._session.add(row)
        self._session.flush()
