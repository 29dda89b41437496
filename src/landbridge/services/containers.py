"""Container commands: register a container with the hub."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from landbridge.domain.containers import Container, LoadState, check_gross_mass
from landbridge.domain.errors import Conflict, RuleViolation
from landbridge.domain.events import Event, EventType, checked_occurred_at, utc_now
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.iso_types import size_type
from landbridge.services.actor import Actor
from landbridge.services.event_time import append_in_order, command_time
from landbridge.services.operations.common import execute
from landbridge.store.unit_of_work import UnitOfWork

__all__ = ["Actor", "RegisterContainer", "add_registered_container", "register_container", "registration"]


@dataclass(frozen=True)
class RegisterContainer:
    """Register a container: number and ISO type required, the rest optional."""

    number: ContainerNumber
    iso_type: str
    load_state: LoadState = LoadState.EMPTY
    gross_mass_kg: int | None = None
    seals: tuple[str, ...] = field(default_factory=tuple)
    reefer_setpoint_c: float | None = None
    source_reference: str | None = None
    occurred_at: datetime | None = None  # when the box was registered (default: now, or the command's time)


def _snapshot(container: Container) -> dict[str, object]:
    return {
        "number": str(container.number),
        "iso_type": container.iso_type,
        "load_state": container.load_state.value,
        "gross_mass_kg": container.gross_mass_kg,
        "seals": list(container.seals),
        "reefer_setpoint_c": container.reefer_setpoint_c,
        "position": container.position.describe(),
    }


def register_container(uow: UnitOfWork, command: RegisterContainer, actor: Actor) -> Container:
    """Add a container to the hub and record a ``container.registered`` event, in one transaction."""
    container: Container = execute(
        uow, actor, lambda work: add_registered_container(work, command, actor), occurred_at=command.occurred_at
    ).body
    return container


def registration(command: RegisterContainer, actor: Actor) -> tuple[Container, Event]:
    """The checked container and its ``container.registered`` event, nothing written (a batch writes many)."""
    iso = size_type(command.iso_type)
    if command.reefer_setpoint_c is not None and not iso.is_reefer:
        raise RuleViolation("reefer_setpoint_c", f"{iso.code} is not a reefer; a set point makes no sense")
    check_gross_mass(command.gross_mass_kg, iso.code)
    container = Container(
        number=command.number,
        iso_type=iso.code,
        load_state=command.load_state,
        gross_mass_kg=command.gross_mass_kg,
        seals=list(command.seals),
        reefer_setpoint_c=command.reefer_setpoint_c,
    )
    occurred_at = command_time() if command.occurred_at is None else checked_occurred_at(command.occurred_at, utc_now())
    event = Event(
        event_type=EventType.CONTAINER_REGISTERED,
        subject_type="container",
        subject_id=str(command.number),
        actor=actor.name,
        role=actor.role,
        occurred_at=occurred_at,
        before=None,
        after=_snapshot(container),
        source_reference=command.source_reference,
    )
    return container, event


def add_registered_container(uow: UnitOfWork, command: RegisterContainer, actor: Actor) -> Container:
    """The registration inside an open unit of work (the caller commits): checks, row and event."""
    container, event = registration(command, actor)
    if uow.containers.exists(command.number):
        raise Conflict("number", f"container {command.number} is already registered")
    try:
        uow.containers.add(container)
    except IntegrityError as error:  # a concurrent registration won the race
        raise Conflict("number", f"container {command.number} is already registered") from error
    append_in_order(uow, event)
    return container
