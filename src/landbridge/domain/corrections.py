"""Corrections: which recorded facts may be corrected after the fact, and which may not.

A wrong gross mass, a box recorded "empty" that is full, a mistyped ISO code or ETA is corrected by
a ``*.corrected`` event with the values before and after and a reason — never by editing history.
Identity (a container number, a visit reference) and position (changed only by operations) cannot
be corrected: the caller gets a 422 naming the field and what to do instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from landbridge.domain.containers import LoadState, check_gross_mass
from landbridge.domain.errors import RuleViolation
from landbridge.domain.iso_types import size_type

CONTAINER_FIELDS = frozenset(
    {"gross_mass_kg", "load_state", "iso_type", "seals", "reefer_setpoint_c", "booking_reference"}
)
CONTAINER_FIXED = {
    "number": "the container number identifies the box; register the right number and leave this one",
    "position": "a box moves by an operation (discharge, yard move, load…), not by a correction",
    "version": "the version is kept by the hub",
}
VESSEL_VISIT_FIELDS = frozenset({"eta", "etb", "etd", "imo_number", "vessel_name"})
VESSEL_VISIT_FIXED = {
    "reference": "the visit reference identifies the call; announce the right one",
    "status": "the status follows operations (berth, depart)",
    "berth_code": "a berth is taken by the berth command",
}
VESSEL_FIELDS = frozenset({"name", "call_sign", "loa_m", "beam_m", "draft_m", "operator"})
VESSEL_FIXED = {"imo_number": "the IMO number identifies the ship for life; a different IMO is a different ship"}
TRAIN_VISIT_FIELDS = frozenset({"route_code", "direction", "track_code"})
TRAIN_VISIT_FIXED = {
    "reference": "the visit reference identifies the train; announce the right one",
    "gauge_mm": "a train's gauge is that of its wagons; announce the train again",
    "status": "the status follows operations (depart, border, arrive)",
    "wagons": "the wagon list is the train's manifest (PUT /train-visits/{ref}/wagons)",
}
# Where a box occupies cells sized by its length: its ISO length cannot change there.
_PLACED = frozenset({"yard", "wagon"})


def check_fields(changes: Mapping[str, Any], correctable: frozenset[str], fixed: Mapping[str, str]) -> None:
    """Refuse (422 naming the field) a field that cannot be corrected, an unknown one, or an empty correction."""
    for name in changes:
        if name in fixed:
            raise RuleViolation(name, f"cannot be corrected: {fixed[name]}")
        if name not in correctable:
            raise RuleViolation(name, f"not a correctable field; correctable: {', '.join(sorted(correctable))}")
    if not changes:
        raise RuleViolation("body", f"nothing to correct; give one of {', '.join(sorted(correctable))}")


@dataclass(frozen=True)
class ContainerFacts:
    """The correctable facts of a container, and where it is (which limits what may change)."""

    iso_type: str
    load_state: str
    gross_mass_kg: int | None
    seals: tuple[str, ...]
    reefer_setpoint_c: float | None
    booking_reference: str | None
    position_kind: str

    def as_dict(self) -> dict[str, Any]:
        """The facts as stored in a correction's before/after."""
        return {
            "iso_type": self.iso_type,
            "load_state": self.load_state,
            "gross_mass_kg": self.gross_mass_kg,
            "seals": list(self.seals),
            "reefer_setpoint_c": self.reefer_setpoint_c,
            "booking_reference": self.booking_reference,
        }


def corrected_container(before: ContainerFacts, changes: Mapping[str, Any]) -> ContainerFacts:
    """The container's facts after the correction, every rule checked (422 naming the field)."""
    check_fields(changes, CONTAINER_FIELDS, CONTAINER_FIXED)
    values = dict(changes)
    for name in ("load_state", "iso_type"):
        if name in values and values[name] is None:
            raise RuleViolation(name, "every box has one; give the right value (null cannot be stored)")
    if "seals" in values:
        values["seals"] = tuple(values["seals"] or ())
    if "load_state" in values:
        values["load_state"] = LoadState(values["load_state"]).value
    if "iso_type" in values:
        values["iso_type"] = size_type(values["iso_type"]).code
    after = replace(before, **values)
    if after == before:
        raise RuleViolation(next(iter(changes)), "the correction changes nothing")
    old, new = size_type(before.iso_type), size_type(after.iso_type)
    if new.length_ft != old.length_ft and before.position_kind in _PLACED:
        raise RuleViolation(
            "iso_type",
            f"a {old.length_ft} ft box in the {before.position_kind} cannot become {new.length_ft} ft there; "
            "take it off first",
        )
    if after.reefer_setpoint_c is not None and not new.is_reefer:
        raise RuleViolation("reefer_setpoint_c", f"{new.code} is not a reefer; a set point makes no sense")
    check_gross_mass(after.gross_mass_kg, after.iso_type)
    return after
