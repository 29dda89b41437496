"""Where received messages meet the operations services that are still landing (issue #16).

COPRAR fills a vessel call's discharge and load lists, VERMAS sets a container's VGM, a COPARN
release (BGM 12) creates a delivery order. Each calls the operations service when it is present
on this build; without it the message is read, checked and rejected with that reason (never
half-applied, never silently dropped).
"""

from __future__ import annotations

from typing import Any

from landbridge.domain.errors import RuleViolation
from landbridge.interchange.csv_lists import ManifestRow
from landbridge.interchange.edifact.equipment import ContainerMessage
from landbridge.interchange.edifact.syntax import NO_AGREEMENT, Problem
from landbridge.services.containers import Actor
from landbridge.services.interchange.importer import ApplyContext, ApplyError, handles
from landbridge.store.unit_of_work import UnitOfWork


def _missing(what: str) -> ApplyError:
    return ApplyError(
        Problem(NO_AGREEMENT, f"applying this message needs the operations' {what}, which this build lacks", "BGM", 2)
    )


def manifest_numbers(uow: UnitOfWork, visit: str, kind: str) -> set[str] | None:
    """The container numbers of a call's discharge or load list, or None without the manifest service."""
    return None


@handles("COPRAR")
def apply_coprar(context: ApplyContext) -> dict[str, Any]:
    """A discharge (45) or loading (121) order: the call's list."""
    raise _missing("vessel manifest service (discharge and load lists)")


@handles("VERMAS")
def apply_vermas(context: ApplyContext) -> dict[str, Any]:
    """Verified gross masses."""
    raise _missing("VGM service")


def apply_release(context: ApplyContext, message: ContainerMessage) -> dict[str, Any]:
    """A release (BGM 12): the delivery order."""
    raise _missing("delivery order service")


def add_to_manifest(uow: UnitOfWork, actor: Actor, kind: str, row: ManifestRow, source: str) -> str:
    """A CSV discharge/load list row onto the call's list (``kind`` is ``discharge:VISIT`` or ``load:VISIT``)."""
    raise RuleViolation(
        "kind", "discharge and load lists need the operations' vessel manifest service, which this build lacks"
    )


def manifest_rows(uow: UnitOfWork, kind: str, visit: str) -> list[ManifestRow]:
    """A call's discharge or load list as CSV rows."""
    raise RuleViolation(
        "kind", "discharge and load lists need the operations' vessel manifest service, which this build lacks"
    )
