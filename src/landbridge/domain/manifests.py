"""Manifests: what a visit is declared to bring and take — a ship's discharge and load lists, a
train's planned boxes. A box not on the list is refused at the crane or the wagon until the planner
adds it (an audited change), so a ship cannot discharge a box nobody declared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from landbridge.domain.containers import check_gross_mass
from landbridge.domain.errors import InvalidIdentifier, RuleViolation
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.iso_types import size_type


class VisitKind(StrEnum):
    """Which kind of visit a list belongs to."""

    VESSEL = "vessel_visit"
    TRAIN = "train_visit"


class ListKind(StrEnum):
    """Which list: boxes coming off (discharge) or going on (load; a train's planned boxes)."""

    DISCHARGE = "discharge"
    LOAD = "load"


LIST_NAMES = {
    (VisitKind.VESSEL, ListKind.DISCHARGE): "discharge list",
    (VisitKind.VESSEL, ListKind.LOAD): "load list",
    (VisitKind.TRAIN, ListKind.LOAD): "planned boxes",
}


@dataclass(frozen=True)
class ManifestEntry:
    """One box on a list, with what the declaring party said about it (optional)."""

    container: str
    iso_type: str | None = None
    gross_mass_kg: int | None = None


def list_name(visit_kind: VisitKind, list_kind: ListKind) -> str:
    """How people call the list; a train has no discharge list (422)."""
    name = LIST_NAMES.get((visit_kind, list_kind))
    if name is None:
        raise RuleViolation("list", f"a {visit_kind.value} has no {list_kind.value} list")
    return name


def checked_entries(entries: Sequence[ManifestEntry], field: str = "entries") -> list[ManifestEntry]:
    """Entries with valid, normalised numbers and types, each box once (422 naming the entry)."""
    seen: set[str] = set()
    result = []
    for index, entry in enumerate(entries):
        where = f"{field}[{index}]"
        try:
            number = str(ContainerNumber(entry.container))
        except InvalidIdentifier as error:
            raise InvalidIdentifier(f"{where}.container", error.reason) from None
        if number in seen:
            raise RuleViolation(f"{where}.container", f"{number} is listed twice")
        seen.add(number)
        iso = None
        if entry.iso_type is not None:
            try:
                iso = size_type(entry.iso_type).code
            except InvalidIdentifier as error:
                raise InvalidIdentifier(f"{where}.iso_type", error.reason) from None
        if entry.gross_mass_kg is not None:
            check_gross_mass(entry.gross_mass_kg, iso or "42G1", f"{where}.gross_mass_kg")
        result.append(ManifestEntry(number, iso, entry.gross_mass_kg))
    return result


def check_listed(listed: Iterable[str], container: str, what: str, visit: str, field: str = "container") -> None:
    """Refuse a box that is not on the visit's list (422): the planner adds it first."""
    if container not in set(listed):
        raise RuleViolation(
            field, f"{container} is not on the {what} of {visit}; the planner adds it to the list first"
        )
