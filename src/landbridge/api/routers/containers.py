"""Containers: register one, read one, read its audit trail."""

from __future__ import annotations

from fastapi import APIRouter, Header, status

from landbridge.api.deps import ActorDep, UowDep
from landbridge.api.schemas import ContainerIn, ContainerOut, EventOut
from landbridge.domain.containers import Container
from landbridge.domain.errors import InvalidIdentifier, NotFound
from landbridge.domain.identifiers import ContainerNumber
from landbridge.services.containers import RegisterContainer, register_container

router = APIRouter(prefix="/api/v1/containers", tags=["containers"])


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


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ContainerOut,
             responses={409: {"description": "Already registered"}, 422: {"description": "Invalid input"}})
def create_container(
    body: ContainerIn, uow: UowDep, actor: ActorDep, x_request_id: str | None = Header(default=None)
) -> ContainerOut:
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
    return container_out(register_container(uow, command, actor))


@router.get("/{number}", response_model=ContainerOut, responses={404: {"description": "Unknown container"}})
def get_container(number: str, uow: UowDep) -> ContainerOut:
    """One container by its ISO 6346 number."""
    parsed = _parse_number(number)
    with uow:
        container = uow.containers.get(parsed)
    if container is None:
        raise NotFound("number", f"no container {parsed}")
    return container_out(container)


@router.get("/{number}/history", response_model=list[EventOut], responses={404: {"description": "Unknown"}})
def get_container_history(number: str, uow: UowDep) -> list[EventOut]:
    """Every event about the container, oldest first."""
    parsed = _parse_number(number)
    with uow:
        if not uow.containers.exists(parsed):
            raise NotFound("number", f"no container {parsed}")
        events = uow.events.for_subject("container", str(parsed))
    return [
        EventOut(event_type=e.event_type.value, occurred_at=e.occurred_at.isoformat(), actor=e.actor, role=e.role,
                 location=e.location, before=e.before, after=e.after, source_reference=e.source_reference)
        for e in events
    ]
