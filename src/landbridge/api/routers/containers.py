"""Containers: register one, list and read those the caller may see, read one's audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas import ContainerIn, ContainerOut, EventOut
from landbridge.api.schemas_ops import respond
from landbridge.domain.containers import Container, PositionKind
from landbridge.domain.errors import InvalidIdentifier, NotFound
from landbridge.domain.events import as_utc
from landbridge.domain.identifiers import ContainerNumber
from landbridge.services.authz import Action
from landbridge.services.containers import RegisterContainer, add_registered_container
from landbridge.services.operations.common import execute
from landbridge.store.unit_of_work import UnitOfWork

router = APIRouter(prefix="/api/v1/containers", tags=["containers"])
Registrar = Annotated[Principal, Depends(Authorized(Action.CONTAINER_REGISTER))]
Reader = Annotated[Principal, Depends(Authorized(Action.CONTAINER_READ))]
AuditReader = Annotated[Principal, Depends(Authorized(Action.AUDIT_READ))]


def container_out(container: Container) -> ContainerOut:
    """The API view of a container."""
    return ContainerOut(
        number=str(container.number),
        iso_type=container.iso_type,
        length_ft=container.size.length_ft,
        teu=container.teu,
        load_state=container.load_state.value,
        gross_mass_kg=container.gross_mass_kg,
        seals=list(container.seals),
        reefer_setpoint_c=container.reefer_setpoint_c,
        position={"kind": container.position.kind.value, "reference": container.position.reference},
    )


def _parse_number(number: str) -> ContainerNumber:
    try:
        return ContainerNumber(number)
    except InvalidIdentifier as error:
        raise NotFound("number", f"no container {number!r} ({error.reason})") from None


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ContainerOut,
    responses={409: {"description": "Already registered"}, 422: {"description": "Invalid input"}},
)
def create_container(
    body: ContainerIn, uow: UowDep, who: Registrar, key: IdempotencyDep, x_request_id: str | None = Header(default=None)
) -> JSONResponse:
    """Register a container with the hub; records a ``container.registered`` event."""
    command = RegisterContainer(
        number=ContainerNumber(body.number),
        iso_type=body.iso_type,
        load_state=body.load_state,
        gross_mass_kg=body.gross_mass_kg,
        seals=tuple(body.seals),
        reefer_setpoint_c=body.reefer_setpoint_c,
        source_reference=f"api:{x_request_id}" if x_request_id else "api",
    )

    def work(uow: UnitOfWork) -> dict[str, object]:
        return container_out(add_registered_container(uow, command, who.actor)).model_dump(mode="json")

    return respond(
        execute(
            uow, who.actor, work, status_code=status.HTTP_201_CREATED, idempotency=key, occurred_at=body.occurred_at
        )
    )


@router.get("", response_model=list[ContainerOut])
def list_containers(
    uow: UowDep,
    who: Reader,
    position_kind: Annotated[PositionKind | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[ContainerOut]:
    """Containers the caller may see (a shipper: those of its own consignments), by number."""
    kind = None if position_kind is None else position_kind.value
    with uow:
        found = uow.containers.list_visible(who.scope, kind, limit, offset)
    return [container_out(c) for c in found]


@router.get("/{number}", response_model=ContainerOut, responses={404: {"description": "Unknown container"}})
def get_container(number: str, uow: UowDep, who: Reader) -> ContainerOut:
    """One container by its ISO 6346 number."""
    parsed = _parse_number(number)
    with uow:
        container = uow.containers.get_visible(parsed, who.scope)
    if container is None:
        raise NotFound("number", f"no container {parsed}")
    return container_out(container)


ARCHIVED_BEFORE = "Events-Archived-Before"
ARCHIVED_IN = "Events-Archived-In"
_ARCHIVED_HEADERS = {
    ARCHIVED_BEFORE: {
        "description": "Set when the box's earlier events were archived: the boundary (ISO 8601, UTC); the list "
        "starts after it",
        "schema": {"type": "string"},
    },
    ARCHIVED_IN: {
        "description": "The dump file (db archive-events) that holds the box's latest archived event",
        "schema": {"type": "string"},
    },
}


@router.get(
    "/{number}/history",
    response_model=list[EventOut],
    responses={200: {"headers": _ARCHIVED_HEADERS}, 404: {"description": "Unknown"}},
)
def get_container_history(number: str, uow: UowDep, who: AuditReader, response: Response) -> list[EventOut]:
    """Every event about the container still in the log, oldest first.

    After old months of the log were archived (``db archive-events``), a box that came in before the
    boundary has its earlier events in a dump file: the answer says so in ``Events-Archived-Before``
    and ``Events-Archived-In`` instead of silently starting later.
    """
    parsed = _parse_number(number)
    with uow:
        if uow.containers.get_visible(parsed, who.scope) is None:
            raise NotFound("number", f"no container {parsed}")
        events = uow.events.for_subject("container", str(parsed))
        archived = uow.snapshots.archived_history(str(parsed))
    if archived is not None:
        response.headers[ARCHIVED_BEFORE] = as_utc(archived.before).isoformat()
        if archived.dump_file is not None:
            response.headers[ARCHIVED_IN] = archived.dump_file
    return [
        EventOut(
            event_type=e.event_type.value,
            occurred_at=as_utc(e.occurred_at).isoformat(),
            recorded_at=None if e.recorded_at is None else as_utc(e.recorded_at).isoformat(),
            actor=e.actor,
            role=e.role,
            location=e.location,
            before=e.before,
            after=e.after,
            source_reference=e.source_reference,
        )
        for e in events
    ]
