"""Visit lists over HTTP: a ship's discharge and load lists, a train's planned boxes.

``PUT`` replaces a list, ``POST …/add`` and ``…/remove`` change it with a reason; every change is an
event on the visit. Ships' lists need ``vessel.plan``, trains' ``rail.plan``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import (
    ERRORS,
    ManifestAddIn,
    ManifestEntryIn,
    ManifestIn,
    ManifestOut,
    ManifestRemoveIn,
    respond,
)
from landbridge.domain.manifests import ListKind, ManifestEntry, VisitKind
from landbridge.services.authz import Action
from landbridge.services.idempotency import IdempotencyKey
from landbridge.services.operations import manifests
from landbridge.store.unit_of_work import UnitOfWork

router = APIRouter(prefix="/api/v1", tags=["manifests"])
VesselPlanner = Annotated[Principal, Depends(Authorized(Action.VESSEL_PLAN))]
VesselReader = Annotated[Principal, Depends(Authorized(Action.VESSEL_READ))]
RailPlanner = Annotated[Principal, Depends(Authorized(Action.RAIL_PLAN))]
RailReader = Annotated[Principal, Depends(Authorized(Action.RAIL_READ))]
VESSEL, TRAIN = VisitKind.VESSEL, VisitKind.TRAIN
DISCHARGE, LOAD = ListKind.DISCHARGE, ListKind.LOAD


def _entries(body: list[ManifestEntryIn]) -> list[ManifestEntry]:
    return [ManifestEntry(e.container, e.iso_type, e.gross_mass_kg) for e in body]


def _get(uow: UnitOfWork, who: Principal, visit_kind: VisitKind, reference: str, list_kind: ListKind) -> ManifestOut:
    return ManifestOut(**manifests.list_of(uow, visit_kind, reference, list_kind, who.scope))


def _put(
    uow: UnitOfWork,
    who: Principal,
    visit_kind: VisitKind,
    reference: str,
    list_kind: ListKind,
    body: ManifestIn,
    key: IdempotencyKey | None,
) -> JSONResponse:
    return respond(
        manifests.set_list(
            uow,
            who.actor,
            visit_kind=visit_kind,
            visit=reference,
            list_kind=list_kind,
            entries=_entries(body.entries),
            scope=who.scope,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


def _add(
    uow: UnitOfWork,
    who: Principal,
    visit_kind: VisitKind,
    reference: str,
    list_kind: ListKind,
    body: ManifestAddIn,
    key: IdempotencyKey | None,
) -> JSONResponse:
    return respond(
        manifests.add_to_list(
            uow,
            who.actor,
            visit_kind=visit_kind,
            visit=reference,
            list_kind=list_kind,
            entries=_entries(body.entries),
            reason=body.reason,
            scope=who.scope,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


def _remove(
    uow: UnitOfWork,
    who: Principal,
    visit_kind: VisitKind,
    reference: str,
    list_kind: ListKind,
    body: ManifestRemoveIn,
    key: IdempotencyKey | None,
) -> JSONResponse:
    return respond(
        manifests.remove_from_list(
            uow,
            who.actor,
            visit_kind=visit_kind,
            visit=reference,
            list_kind=list_kind,
            containers=body.containers,
            reason=body.reason,
            scope=who.scope,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.get("/vessel-visits/{reference}/discharge-list", response_model=ManifestOut, responses=ERRORS)
def get_vessel_discharge(reference: str, uow: UowDep, who: VesselReader) -> ManifestOut:
    """The visit's discharge list."""
    return _get(uow, who, VESSEL, reference, DISCHARGE)


@router.put("/vessel-visits/{reference}/discharge-list", response_model=ManifestOut, responses=ERRORS)
def set_vessel_discharge(
    reference: str, body: ManifestIn, uow: UowDep, who: VesselPlanner, key: IdempotencyDep
) -> JSONResponse:
    """Replace the visit's discharge list (``manifest.set`` with the list before and after)."""
    return _put(uow, who, VESSEL, reference, DISCHARGE, body, key)


@router.post("/vessel-visits/{reference}/discharge-list/add", response_model=ManifestOut, responses=ERRORS)
def add_vessel_discharge(
    reference: str, body: ManifestAddIn, uow: UowDep, who: VesselPlanner, key: IdempotencyDep
) -> JSONResponse:
    """Add boxes to the discharge list, with a reason (``manifest.changed``)."""
    return _add(uow, who, VESSEL, reference, DISCHARGE, body, key)


@router.post("/vessel-visits/{reference}/discharge-list/remove", response_model=ManifestOut, responses=ERRORS)
def remove_vessel_discharge(
    reference: str, body: ManifestRemoveIn, uow: UowDep, who: VesselPlanner, key: IdempotencyDep
) -> JSONResponse:
    """Take boxes off the discharge list, with a reason (``manifest.changed``)."""
    return _remove(uow, who, VESSEL, reference, DISCHARGE, body, key)


@router.get("/vessel-visits/{reference}/load-list", response_model=ManifestOut, responses=ERRORS)
def get_vessel_load(reference: str, uow: UowDep, who: VesselReader) -> ManifestOut:
    """The visit's load list."""
    return _get(uow, who, VESSEL, reference, LOAD)


@router.put("/vessel-visits/{reference}/load-list", response_model=ManifestOut, responses=ERRORS)
def set_vessel_load(
    reference: str, body: ManifestIn, uow: UowDep, who: VesselPlanner, key: IdempotencyDep
) -> JSONResponse:
    """Replace the visit's load list (``manifest.set`` with the list before and after)."""
    return _put(uow, who, VESSEL, reference, LOAD, body, key)


@router.post("/vessel-visits/{reference}/load-list/add", response_model=ManifestOut, responses=ERRORS)
def add_vessel_load(
    reference: str, body: ManifestAddIn, uow: UowDep, who: VesselPlanner, key: IdempotencyDep
) -> JSONResponse:
    """Add boxes to the load list, with a reason (``manifest.changed``)."""
    return _add(uow, who, VESSEL, reference, LOAD, body, key)


@router.post("/vessel-visits/{reference}/load-list/remove", response_model=ManifestOut, responses=ERRORS)
def remove_vessel_load(
    reference: str, body: ManifestRemoveIn, uow: UowDep, who: VesselPlanner, key: IdempotencyDep
) -> JSONResponse:
    """Take boxes off the load list, with a reason (``manifest.changed``)."""
    return _remove(uow, who, VESSEL, reference, LOAD, body, key)


@router.get("/train-visits/{reference}/planned-boxes", response_model=ManifestOut, responses=ERRORS)
def get_train_planned(reference: str, uow: UowDep, who: RailReader) -> ManifestOut:
    """The visit's planned boxes."""
    return _get(uow, who, TRAIN, reference, LOAD)


@router.put("/train-visits/{reference}/planned-boxes", response_model=ManifestOut, responses=ERRORS)
def set_train_planned(
    reference: str, body: ManifestIn, uow: UowDep, who: RailPlanner, key: IdempotencyDep
) -> JSONResponse:
    """Replace the visit's planned boxes (``manifest.set`` with the list before and after)."""
    return _put(uow, who, TRAIN, reference, LOAD, body, key)


@router.post("/train-visits/{reference}/planned-boxes/add", response_model=ManifestOut, responses=ERRORS)
def add_train_planned(
    reference: str, body: ManifestAddIn, uow: UowDep, who: RailPlanner, key: IdempotencyDep
) -> JSONResponse:
    """Add boxes to the planned boxes, with a reason (``manifest.changed``)."""
    return _add(uow, who, TRAIN, reference, LOAD, body, key)


@router.post("/train-visits/{reference}/planned-boxes/remove", response_model=ManifestOut, responses=ERRORS)
def remove_train_planned(
    reference: str, body: ManifestRemoveIn, uow: UowDep, who: RailPlanner, key: IdempotencyDep
) -> JSONResponse:
    """Take boxes off the planned boxes, with a reason (``manifest.changed``)."""
    return _remove(uow, who, TRAIN, reference, LOAD, body, key)
