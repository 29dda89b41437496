"""Object scope and the one visibility rule: which rows a :class:`Scope` may see, as filters on SQL queries.

Every reader — the API's repositories, the DCSA feed and tracking, the dashboard's read models — asks
here, so who-sees-what is written once:

* hub staff (``Scope.everything``) see everything;
* a party sees a **container** when it ships or receives the box's booking (shipper, forwarder,
  consignee) or when it owns the box: the number's ISO 6346 owner code is one of the party's owner
  codes (``party_owner_codes``; a shipping line's BIC codes);
* a party sees a **vessel visit** it operates (``vessel_visits.operator_code``);
* a party sees **grain** it owns (lots and ledger lines by ``owner_code``);
* a party sees a **customs hold** or any other record about a container it may see.

A foreign object is simply absent from the result, so a route answers 404 as for an unknown one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from landbridge.store import tables


@dataclass(frozen=True)
class Scope:
    """Which objects a query may return: all (hub staff) or those of one party (the rule above).

    Object-level access lives in the queries, so no route can forget it: a foreign object is simply
    not found and never listed. ``authz.scope_of`` derives it from the actor.
    """

    party: str | None = None

    @property
    def everything(self) -> bool:
        """No party restriction."""
        return self.party is None


EVERYTHING = Scope()

Query = TypeVar("Query", bound="Select[*tuple[Any, ...]]")


def party_bookings(party: str) -> Select[str]:
    """Bookings a party ships or receives."""
    return select(tables.ConsignmentRow.booking_reference).where(
        or_(tables.ConsignmentRow.shipper_code == party, tables.ConsignmentRow.consignee_code == party)
    )


def party_owner_codes(party: str) -> Select[str]:
    """The ISO 6346 owner codes registered to a party."""
    return select(tables.PartyOwnerCodeRow.owner_code).where(tables.PartyOwnerCodeRow.party_code == party)


def container_visible(scope: Scope) -> ColumnElement[bool]:
    """The condition on ``containers`` rows: the box is booked by or for the party, or the party owns it."""
    if scope.party is None:
        return true()
    return or_(
        tables.ContainerRow.booking_reference.in_(party_bookings(scope.party)),
        func.substr(tables.ContainerRow.number, 1, 3).in_(party_owner_codes(scope.party)),
    )


def visible_container_numbers(scope: Scope) -> Select[str]:
    """Numbers of the containers the scope may see (for records that name a box by number)."""
    return select(tables.ContainerRow.number).where(container_visible(scope))


def about_visible_container(
    column: ColumnElement[str] | InstrumentedAttribute[str], scope: Scope
) -> ColumnElement[bool]:
    """The condition on any column holding a container number: the box is one the scope may see."""
    if scope.party is None:
        return true()
    return column.in_(visible_container_numbers(scope))


def visible_containers(query: Query, scope: Scope) -> Query:
    """``query`` over ``containers`` limited to what the scope may see."""
    return query if scope.party is None else query.where(container_visible(scope))


def visible_vessel_visits(query: Query, scope: Scope) -> Query:
    """``query`` over ``vessel_visits`` limited to the calls the party operates."""
    return query if scope.party is None else query.where(tables.VesselVisitRow.operator_code == scope.party)


def visible_grain(query: Query, owner_column: Any, scope: Scope) -> Query:
    """``query`` over grain lots or ledger lines limited to the party's own grain (``owner_column``)."""
    return query if scope.party is None else query.where(owner_column == scope.party)


def visible_holds(query: Query, scope: Scope) -> Query:
    """``query`` over ``customs_holds`` limited to holds on boxes the scope may see."""
    if scope.party is None:
        return query
    return query.where(about_visible_container(tables.CustomsHoldRow.container_number, scope))
