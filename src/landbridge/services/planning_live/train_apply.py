"""Apply a checked train plan: re-check it on live data, relocate blockers, load every box, all or nothing.

Applying goes through the yard move and rail load services in the apply's one transaction (every
rule, every event); a write clash (serialization failure, deadlock, SQLite lock) retries the whole
apply, so each attempt reads the data afresh.
"""

from __future__ import annotations

from typing import Any

from landbridge.domain.errors import Conflict, RuleViolation
from landbridge.domain.manifests import ListKind, ManifestEntry, VisitKind
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations import manifests, rail, yard
from landbridge.services.operations.common import execute
from landbridge.services.planning_live.plans import TrainPlan, parse_plan
from landbridge.services.planning_live.train_sequence import relocation_target, yard_sequence
from landbridge.services.planning_live.trains import (
    LiveTrainInstance,
    build_train_instance,
    check_train_plan,
    train_assignments,
)
from landbridge.services.retry import is_clash
from landbridge.store.unit_of_work import JoinedUnitOfWork, UnitOfWork

_Joined = JoinedUnitOfWork  # one implementation, shared with equipment control (services/work)


APPLY_ATTEMPTS = 3
"""Whole-apply attempts when a concurrent writer clashes (serialization failure, deadlock, SQLite lock)."""


def _known(live: LiveTrainInstance, assignments: list[dict[str, Any]]) -> None:
    known = {c.container_id for c in live.instance.containers}
    for index, assignment in enumerate(assignments):
        if assignment["container"] not in known:
            raise RuleViolation(f"plan.assignments[{index}].container", "not a container of this plan")


def apply_train_plan(
    uow: UnitOfWork, actor: Actor, plan: dict[str, Any], idempotency: IdempotencyKey | None = None
) -> Outcome:
    """Re-check a train plan on live data, relocate blockers, load every box, all or nothing.

    Each attempt reads the data afresh: the plan is re-checked, the stacks are read, and the moves
    go through the yard move and rail load services in the apply's one transaction (every rule,
    every event). A clash with a concurrent writer retries the whole attempt (``APPLY_ATTEMPTS``,
    jittered back-off) before it is answered with a 409 a person can act on.
    """
    typed = parse_plan(TrainPlan, plan)
    train_reference, numbers = typed.train_reference, typed.container_numbers

    def work(uow: UnitOfWork) -> dict[str, Any]:
        live = build_train_instance(uow, train_reference=train_reference, container_numbers=numbers, field_name="plan")
        errors = check_train_plan(live, plan)
        if errors:
            raise RuleViolation("plan", "the plan no longer holds on live data: " + "; ".join(errors))
        assignments = train_assignments(live, typed.wagons)
        _known(live, assignments)
        # The planner's plan is the train's planned boxes: applying it adds them (an audited change).
        planned = [ManifestEntry(str(a["container"])) for a in assignments]
        manifests.add_entries(
            uow, actor, VisitKind.TRAIN, train_reference, ListKind.LOAD, planned, "train plan applied"
        )
        sequence = yard_sequence(uow, assignments)
        joined = _Joined(uow)
        loaded: list[dict[str, Any]] = []
        relocations: list[dict[str, Any]] = []
        for step in sequence.steps:
            if step.assignment is not None:
                outcome = rail.load_on_wagon(
                    joined,
                    actor,
                    train=train_reference,
                    container=step.container,
                    wagon_number=step.assignment["wagon"],
                    slot=step.assignment["slot"],
                )
                loaded.append(outcome.body)
                continue
            row = uow.containers.rows([step.container])[step.container]
            target = relocation_target(uow, row, sequence.keep_clear)
            if target is None:
                raise RuleViolation(
                    "slot",
                    f"cannot relocate {step.container} from {step.yard_slot}: it stands over {step.over} of the "
                    f"plan and no free yard slot fits it off the plan's stacks; make room in the yard or leave "
                    f"{step.over} out of the plan",
                )
            yard.place_container(joined, actor, container=step.container, slot=str(target))
            relocations.append({"container": step.container, "from": step.yard_slot, "to": str(target)})
        return {
            **plan,
            "assignments": sequence.loads,
            "relocations_needed": len(relocations),
            "blockers": sequence.blockers,
            "checked": True,
            "applied": True,
            "loaded": loaded,
            "relocations": relocations,
            "relocation_count": len(relocations),
        }

    try:
        return execute(uow, actor, work, idempotency=idempotency, attempts=APPLY_ATTEMPTS)
    except Conflict as error:
        if not is_clash(error):
            raise
        raise Conflict(
            "plan",
            f"the plan clashed with concurrent changes to the yard or the train {APPLY_ATTEMPTS} times in a row, "
            "so nothing of it was applied; post the same plan again (it is re-checked on the data as it is then) "
            "or ask for a new plan",
        ) from error
