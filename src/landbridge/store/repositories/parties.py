"""Parties, consignments and goods lines."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from landbridge.store import tables
from landbridge.store.repositories.events import SOLE_WRITER
from landbridge.store.repositories.statements import KEY, row_by
from landbridge.store.repositories.transaction_cache import transaction_cache

_CONSIGNMENTS = "consignments_by_booking"  # a sole writer's consignments found in this transaction


class PartyRepository:
    """Parties, consignments and their goods lines."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def party(self, code: str) -> tables.PartyRow | None:
        """A party by code."""
        return self._session.scalar(row_by(tables.PartyRow, tables.PartyRow.code), {KEY: code})

    def owners_of(self, owner_codes: Iterable[str]) -> dict[str, str]:
        """The party holding each of these ISO 6346 owner codes (codes nobody holds are absent)."""
        wanted = list(owner_codes)
        if not wanted:
            return {}
        rows = self._session.execute(
            select(tables.PartyOwnerCodeRow.owner_code, tables.PartyOwnerCodeRow.party_code).where(
                tables.PartyOwnerCodeRow.owner_code.in_(wanted)
            )
        )
        return {str(code): str(party) for code, party in rows}

    def owner_codes(self, party: str) -> list[str]:
        """The ISO 6346 owner codes registered to a party."""
        return list(
            self._session.scalars(
                select(tables.PartyOwnerCodeRow.owner_code)
                .where(tables.PartyOwnerCodeRow.party_code == party)
                .order_by(tables.PartyOwnerCodeRow.owner_code)
            )
        )

    def replace_owner_codes(self, party: str, owner_codes: Iterable[str]) -> None:
        """Make these the party's owner codes (the old ones are released) and flush."""
        self._session.execute(delete(tables.PartyOwnerCodeRow).where(tables.PartyOwnerCodeRow.party_code == party))
        self._session.flush()
        for value in owner_codes:
            self._session.add(tables.PartyOwnerCodeRow(owner_code=value, party_code=party))
        self._session.flush()

    def consignment(self, booking_reference: str) -> tables.ConsignmentRow | None:
        """A consignment by booking reference.

        Where this session is the database's only writer (the twin loader's batches, :data:`SOLE_WRITER`),
        a consignment found once is not asked for again in the same transaction: nobody else can change or
        delete it, and this session's own changes are on the very object (hundreds of boxes are booked to one
        consignment in a batch; issue #19). A booking not found is asked again: it may be created meanwhile.
        """
        sole_writer = self._session.info.get(SOLE_WRITER, False)
        if sole_writer:
            known = transaction_cache(self._session, _CONSIGNMENTS).get(booking_reference)
            if known is not None:
                return known  # type: ignore[no-any-return]
        row = self._session.scalar(
            row_by(tables.ConsignmentRow, tables.ConsignmentRow.booking_reference), {KEY: booking_reference}
        )
        if sole_writer and row is not None:
            transaction_cache(self._session, _CONSIGNMENTS)[booking_reference] = row
        return row

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
