"""JSON answers of the work context: an instruction and a queue."""

from __future__ import annotations

from typing import Any

from landbridge.domain.events import as_utc
from landbridge.store.work_tables import WorkInstructionRow, WorkQueueRow


def _time(value: Any) -> str | None:
    return None if value is None else as_utc(value).isoformat()


def instruction_view(row: WorkInstructionRow) -> dict[str, Any]:
    """The JSON answer describing a work instruction."""
    return {
        "id": row.id,
        "container": row.container,
        "lot": row.lot,
        "silo": row.silo,
        "kind": row.kind,
        "queue": row.queue,
        "pool": row.pool,
        "visit": row.visit,
        "from_place": row.from_place,
        "to_place": row.to_place,
        "target": dict(row.target or {}),
        "length_ft": row.length_ft,
        "mass_kg": row.mass_kg,
        "priority": row.priority,
        "sequence": row.sequence,
        "earliest": _time(row.earliest),
        "latest": _time(row.latest),
        "depends_on": list(row.depends_on or []),
        "status": row.status,
        "machine": row.machine,
        "pinned_machine": row.pinned_machine,
        "excluded_machines": list(row.excluded_machines or []),
        "problem": row.problem,
        "created_at": _time(row.created_at),
        "assigned_at": _time(row.assigned_at),
        "done_at": _time(row.done_at),
        "done_by": row.done_by,
        "version": row.version,
    }


def queue_view(row: WorkQueueRow, counts: dict[str, int]) -> dict[str, Any]:
    """The JSON answer describing a work queue and how many of its jobs are in each status."""
    return {
        "code": row.code,
        "pool": row.pool,
        "sequenced": row.sequenced,
        "suspended": row.suspended,
        "pinned_machine": row.pinned_machine,
        "open": counts.get("open", 0),
        "assigned": counts.get("assigned", 0),
        "done": counts.get("done", 0),
        "cancelled": counts.get("cancelled", 0),
    }
