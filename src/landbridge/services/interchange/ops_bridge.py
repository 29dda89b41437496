"""Where received messages meet the operations services (issue #16, landed).

* COPRAR (BGM 45 discharge / 121 loading order) sets the vessel call's discharge or load list
  through ``operations.manifests``: function 9 (original) or 5 (replace) replaces the list,
  2 (addition) adds its boxes, 3 (deletion) or 1 (cancellation) takes them off.
* VERMAS declares each box's VGM through ``operations.vgm.declare_vgm`` (method SM1 → 1, SM2 → 2,
  verified at ``DTM+798``, by the signatory); a box the hub does not know yet is registered.
* COPARN release (BGM 12) issues a delivery order through ``operations.gate.issue_delivery_order``
  (reference ``RFF+RE``, valid from the message's time until ``DTM+36`` or seven days).
* CSV discharge and load lists replace the call's list the same way.

Times: a document's events carry the time it was issued (``DTM+137``). When that is earlier than
the latest event of a subject it touches (the list arrived after the call was changed), the
operations refuse it as out of order; the message is then applied at its receipt time instead and
the report says so (a document is not a physical move whose time matters).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from landbridge.domain.containers import LoadState
from landbridge.domain.errors import RuleViolation
from landbridge.domain.events import as_utc, utc_now
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ListKind, ManifestEntry, VisitKind
from landbridge.interchange.csv_lists import ManifestRow
from landbridge.interchange.edifact import coprar
from landbridge.interchange.edifact.common import first_reference, first_stamp
from landbridge.interchange.edifact.equipment import ContainerMessage
from landbridge.interchange.edifact.syntax import INVALID_VALUE, MISSING, Problem
from landbridge.interchange.edifact.vermas import VgmDeclaration
from landbridge.services.containers import Actor, RegisterContainer, add_registered_container
from landbridge.services.interchange.importer import ApplyContext, ApplyError, handles, interchange_time
from landbridge.services.operations import gate, manifests, vgm
from landbridge.store.repositories import EVERYTHING
from landbridge.store.unit_of_work import UnitOfWork

RELEASE_VALIDITY = timedelta(days=7)
_REPLACE = ("9", "5")  # original, replace: the message is the whole list
_ADD = ("2", "4")  # addition, change: its boxes join the list
_REMOVE = ("3", "1")  # deletion, cancellation: its boxes leave the list


def _kg(value: Decimal | None) -> int | None:
    return None if value is None else int(value.to_integral_value())


def issued_at(context: ApplyContext) -> datetime | None:
    """When the message was issued (``DTM+137`` in the sender's zone), None when it does not say."""
    stamps = getattr(context.message.model, "stamps", ())
    value = first_stamp(stamps, "137") if stamps else None
    return None if value is None else interchange_time(value)


def document_time(context: ApplyContext, subjects: Iterable[tuple[str, str]]) -> datetime:
    """The time a document's events carry: its issue time, or its receipt time when a subject moved on since."""
    issued = issued_at(context)
    now = utc_now()
    if issued is None:
        return now
    for subject_type, subject_id in subjects:
        latest = context.uow.events.latest_for(subject_type, subject_id)
        if latest is not None and as_utc(latest.occurred_at) > issued:
            context.notes.append(
                f"issued {issued.isoformat()}, before the latest event of {subject_type} {subject_id} "
                f"({latest.event_type.value} at {as_utc(latest.occurred_at).isoformat()}); applied at receipt time"
            )
            return now
    return issued


def manifest_numbers(uow: UnitOfWork, visit: str, kind: str) -> set[str] | None:
    """The container numbers of a call's discharge or load list (the operations' manifest)."""
    return {row.container_number for row in uow.manifests.entries(VisitKind.VESSEL.value, visit, ListKind(kind).value)}


@handles("COPRAR")
def apply_coprar(context: ApplyContext) -> dict[str, Any]:
    """A discharge (45) or loading (121) order: the call's discharge or load list."""
    from landbridge.services.interchange.handlers import vessel_visit_for

    message = context.message.model
    assert isinstance(message, ContainerMessage)
    bgm = (context.positions("BGM") or [2])[0]
    tdt = (context.positions("TDT") or [bgm])[0]
    visit = vessel_visit_for(context, message.transport, tdt).reference
    list_kind = ListKind.DISCHARGE if message.document_code == coprar.DISCHARGE_ORDER else ListKind.LOAD
    entries = [ManifestEntry(item.number, item.iso_type or None, _kg(item.gross_mass_kg)) for item in message.equipment]
    when = document_time(context, [(VisitKind.VESSEL.value, visit)])
    context.at(bgm, "BGM")
    if message.function in _REPLACE:
        answer = manifests.set_list(
            context.uow,
            context.actor,
            visit_kind=VisitKind.VESSEL,
            visit=visit,
            list_kind=list_kind,
            entries=entries,
            occurred_at=when,
        ).body
        change = "replaced"
    elif message.function in _ADD:
        answer = manifests.add_to_list(
            context.uow,
            context.actor,
            visit_kind=VisitKind.VESSEL,
            visit=visit,
            list_kind=list_kind,
            entries=entries,
            reason=f"COPRAR {message.document_number} from {context.partner.code}",
            occurred_at=when,
        ).body
        change = "added"
    elif message.function in _REMOVE:
        answer = manifests.remove_from_list(
            context.uow,
            context.actor,
            visit_kind=VisitKind.VESSEL,
            visit=visit,
            list_kind=list_kind,
            containers=[entry.container for entry in entries],
            reason=f"COPRAR {message.document_number} from {context.partner.code}",
            occurred_at=when,
        ).body
        change = "removed"
    else:
        raise ApplyError(
            Problem(
                INVALID_VALUE,
                f"message function {message.function!r}: 9/5 replace the list, 2/4 add, 3/1 remove",
                "BGM",
                bgm,
                3,
            )
        )
    return {
        "visit": visit,
        "list": list_kind.value,
        "change": change,
        "containers": [entry.container for entry in entries],
        "listed": len(answer["entries"]),
    }


@handles("VERMAS")
def apply_vermas(context: ApplyContext) -> dict[str, Any]:
    """Verified gross masses: each box's VGM declared through the operations' VGM service."""
    declaration = context.message.model
    assert isinstance(declaration, VgmDeclaration)
    eqd = context.positions("EQD")
    declared: list[dict[str, Any]] = []
    for position, box in zip(eqd, declaration.containers, strict=True):
        context.at(position, "EQD")
        mass = _kg(box.vgm_kg)
        if mass is None:
            raise ApplyError(Problem(MISSING, f"no MEA+AAE+VGM for {box.number}", "EQD", position))
        method = {"SM1": 1, "SM2": 2}.get(box.method)
        if method is None:
            raise ApplyError(Problem(MISSING, f"no DOC+SM1/SM2 (method) for {box.number}", "EQD", position))
        verified_by = box.verified_by
        if not verified_by:
            raise ApplyError(
                Problem(MISSING, f"no signatory (CTA) or responsible party for {box.number}", "EQD", position)
            )
        verified_at = box.determined_at or issued_at(context) or utc_now()
        number = str(ContainerNumber(box.number))
        if not context.uow.containers.exists(ContainerNumber(number)):
            if not box.iso_type:
                raise ApplyError(Problem(MISSING, f"{number} is unknown here and has no size/type", "EQD", position, 3))
            add_registered_container(
                context.uow,
                RegisterContainer(
                    number=ContainerNumber(number),
                    iso_type=box.iso_type,
                    load_state=LoadState.FULL,
                    seals=tuple(seal.number for seal in box.seals),
                    source_reference=_source(context),
                    occurred_at=interchange_time(verified_at),
                ),
                context.actor,
            )
        answer = vgm.declare_vgm(
            context.uow,
            context.actor,
            EVERYTHING,
            container=number,
            mass_kg=mass,
            method=method,
            verified_by=verified_by[:100],
            verified_at=verified_at,
            occurred_at=document_time(context, [("container", number)]),
        ).body
        declared.append({"container": number, "mass_kg": answer["mass_kg"], "method": answer["method"]})
    return {"declared": declared}


def _source(context: ApplyContext) -> str:
    return f"edi:{context.partner.code}:{context.interchange_id}:{context.message.raw.reference}"[:128]


def apply_release(context: ApplyContext, message: ContainerMessage) -> dict[str, Any]:
    """A release (BGM 12): the delivery order of its boxes (the PIN is in the answer, never stored here)."""
    bgm = (context.positions("BGM") or [2])[0]
    reference = next(
        (ref for ref in (first_reference(item.references, "RE") for item in message.equipment) if ref),
        first_reference(message.references, "RE") or message.document_number,
    )
    if not message.equipment:
        raise ApplyError(Problem(MISSING, "a release names at least one container (EQD)", "BGM", bgm))
    numbers = [item.number for item in message.equipment]
    start = issued_at(context) or utc_now()
    expiries = [when for when in (item.when("36") for item in message.equipment) if when is not None]
    end = min(expiries) if expiries else start + RELEASE_VALIDITY
    context.at(bgm, "BGM")
    from landbridge.services.authz import scope_of

    answer = gate.issue_delivery_order(
        context.uow,
        context.actor,
        scope=scope_of(context.actor),  # a line releases only boxes it may see, as through the API
        reference=reference[:35],
        containers=numbers,
        valid_from=start,
        valid_to=end,
        occurred_at=document_time(context, [("container", number) for number in numbers]),
    ).body
    return {
        "delivery_order": answer["reference"],
        "containers": answer["containers"],
        "valid_to": answer["valid_to"],
        "pin": answer["pin"],
    }


def _row_entry(row: ManifestRow) -> ManifestEntry:
    return ManifestEntry(row.number, row.iso_type, row.vgm_kg or row.gross_mass_kg)


def replace_manifest(uow: UnitOfWork, actor: Actor, kind: str, visit: str, rows: Sequence[ManifestRow]) -> list[str]:
    """A CSV discharge/load list becomes the call's list (inside the caller's transaction); its boxes."""
    answer = manifests.replace_list(
        uow, actor, VisitKind.VESSEL, visit, ListKind(kind), [_row_entry(row) for row in rows]
    )
    return [entry["container"] for entry in answer["entries"]]


def manifest_rows(uow: UnitOfWork, kind: str, visit: str) -> list[ManifestRow]:
    """A call's discharge or load list as CSV rows (what the list and the hub know of each box)."""
    listed = uow.manifests.entries(VisitKind.VESSEL.value, visit, ListKind(kind).value)
    known = uow.containers.rows([row.container_number for row in listed])
    rows = []
    for entry in listed:
        box = known.get(entry.container_number)
        iso = entry.iso_type or (box.iso_type if box else None)
        if iso is None:
            raise RuleViolation("kind", f"{entry.container_number} on the {kind} list of {visit} has no known ISO type")
        rows.append(
            ManifestRow.model_validate(
                {
                    "number": entry.container_number,
                    "iso_type": iso,
                    "load_state": box.load_state if box else ("full" if entry.gross_mass_kg else "empty"),
                    "gross_mass_kg": entry.gross_mass_kg,
                }
            )
        )
    return rows
