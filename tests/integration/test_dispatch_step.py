"""The dispatch step inside a confirmation, on both backends: every decision passes the independent
checker before it is written, and a job a concurrent confirmation took first is not the end of the
decision (the crane gets the next one instead of nothing)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import update

from landbridge.planning.dispatch import solve
from landbridge.planning.dispatch.problem import DispatchState, Instruction
from landbridge.services.work import dispatching
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.store.work_tables import WorkInstructionRow
from tests.integration.test_work import _checked, _ship, call, hub  # noqa: F401  (hub is a fixture)
from tests.support import Hub


def _one_crane_on_v1(base: Hub, boxes: int) -> tuple[list[str], list[dict[str, Any]]]:
    """A ship at berth 30 whose crane STS-30-1 alone works (its two neighbours on a break), signed on by d1."""
    numbers = _ship(base, boxes)
    for crane in ("STS-30-2", "STS-30-3"):
        call(base, "PUT", f"/api/v1/equipment/{crane}/status", {"status": "break", "reason": "lunch"}, user="planner")
    made = call(base, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    call(base, "POST", "/api/v1/equipment/STS-30-1/sign-on", user="d1")
    return numbers, made["created"]


def test_a_decision_the_checker_refuses_is_not_written(
    hub: Hub,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A dispatcher that forgot a rule (here: never again the job a machine failed) is caught live."""
    _, created = _one_crane_on_v1(hub, 3)
    failed = created[0]

    def forgetful(state: DispatchState, machine: str) -> Instruction | None:
        again = state.instruction(str(failed["id"]))
        return again if again is not None and again.machine is None else solve.next_job(state, machine)

    monkeypatch.setattr(dispatching, "next_job", forgetful)
    with caplog.at_level(logging.ERROR, logger=dispatching.__name__):
        reported = call(
            hub, "POST", f"/api/v1/work/instructions/{failed['id']}/problem", {"problem": "damaged"}, user="d1"
        )
    assert reported["next"] is None  # the crane waits rather than being sent back to the damaged box
    job = call(hub, "GET", f"/api/v1/work/instructions/{failed['id']}")
    assert job["status"] == "open" and job["machine"] is None
    assert "refused by the checker" in caplog.text and "STS-30-1 already failed this job" in caplog.text


def test_a_crane_whose_next_job_was_taken_meanwhile_gets_the_one_after(
    hub: Hub,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two confirmations of one berth read the same queue head; the one whose conditional UPDATE loses
    asks again (the race is staged inside the transaction, so it plays the same on SQLite)."""
    numbers, created = _one_crane_on_v1(hub, 3)
    taken = created[1]["id"]
    read = dispatching._windowed_state

    def read_then_lose_the_head(uow: UnitOfWork, *args: Any) -> Any:
        found = read(uow, *args)  # the state still shows the next job open …
        uow.session.execute(  # … when a neighbour's confirmation takes it
            update(WorkInstructionRow)
            .where(WorkInstructionRow.id == taken)
            .values(status="assigned", machine="STS-30-2")
            .execution_options(synchronize_session=False)
        )
        return found

    monkeypatch.setattr(dispatching, "_windowed_state", read_then_lose_the_head)
    done = call(hub, "POST", f"/api/v1/work/instructions/{created[0]['id']}/confirm", user="d1")
    assert done["next"]["container"] == numbers[2]
    assert call(hub, "GET", f"/api/v1/work/instructions/{taken}")["machine"] == "STS-30-2"
    _checked(hub.url)
