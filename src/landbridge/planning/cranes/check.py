"""Independent checker for quay crane schedules (Meisel & Bierwirth unified model).

Shares no code with the formulation or ``problem.py``: it re-reads the QCSPgen file itself and checks
the plan JSON alone — crane travel between consecutive tasks, ready times, reachable bays,
precedences, non-simultaneity, non-crossing with safety margin (the Δ gaps), and the makespan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _read(instance_text: str) -> dict[str, Any]:
    lines = [line.strip() for line in instance_text.splitlines()]

    def row(index: int) -> list[int]:
        return [int(x) for x in lines[index].split(",") if x.strip()]

    n, bays, n_phi, n_psi, q, travel, safety = row(0)
    phi_at = lines.index("Phi:")
    psi_at = lines.index("Psi:")
    return {
        "n": n,
        "bays": bays,
        "q": q,
        "travel": travel,
        "safety": safety,
        "p": row(1),
        "bay": row(2),
        "ready": row(3),
        "home": row(4),
        "phi": [tuple(x - 1 for x in row(phi_at + 1 + k)) for k in range(n_phi)],
        "psi": [tuple(x - 1 for x in row(psi_at + 1 + k)) for k in range(n_psi)],
    }


def _required_gap(data: dict[str, Any], i: int, v: int, j: int, w: int) -> int:
    """Time that must separate tasks i (crane v) and j (crane w); 0 if they may run together."""
    if v == w:
        return 0
    margin = (data["safety"] + 1) * abs(v - w)
    left_task, right_task = (i, j) if v < w else (j, i)
    # The lower-numbered (left) crane must stay `margin` bays left of the right crane.
    overlap = data["bay"][left_task] - data["bay"][right_task] + margin
    return overlap * data["travel"] if overlap > 0 else 0


def check_crane_plan(instance_path: Path, plan: dict[str, Any]) -> list[str]:
    """Verify a crane schedule against a QCSPgen file (see :func:`check_cranes`)."""
    return check_cranes(instance_path.read_text(encoding="utf-8"), plan)


# Complexity above the limit on purpose: the checker: one flat branch per rule, audited top to bottom.
def check_cranes(instance_text: str, plan: dict[str, Any]) -> list[str]:  # noqa: C901
    """Verify a crane schedule from its JSON; returns violations (empty when valid)."""
    data = _read(instance_text)
    n, q, travel = data["n"], data["q"], data["travel"]
    errors: list[str] = []
    entries = plan.get("tasks")
    if not isinstance(entries, list):
        return ["tasks: missing or not a list"]
    crane_of: dict[int, int] = {}
    start_of: dict[int, int] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            errors.append(f"tasks[{index}]: not an object")
            continue
        task, crane, start = entry.get("task"), entry.get("crane"), entry.get("start")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (task, crane, start)):
            errors.append(f"tasks[{index}]: task, crane and start must be integers")
            continue
        assert isinstance(task, int) and isinstance(crane, int) and isinstance(start, int)
        if not 0 <= task < n:
            errors.append(f"tasks[{index}]: task {task} does not exist (instance has {n})")
        elif not 0 <= crane < q:
            errors.append(f"task {task}: crane {crane} does not exist (instance has {q})")
        elif task in crane_of:
            errors.append(f"task {task}: scheduled twice")
        else:
            crane_of[task], start_of[task] = crane, start
    for task in range(n):
        if task not in crane_of:
            errors.append(f"task {task}: not scheduled")
    if errors:
        return errors
    p, bay = data["p"], data["bay"]
    end_of = {t: start_of[t] + p[t] for t in range(n)}
    margin = data["safety"] + 1
    for t in range(n):
        crane = crane_of[t]
        if not 1 + margin * crane <= bay[t] <= data["bays"] - margin * (q - 1 - crane):
            errors.append(f"task {t}: bay {bay[t]} is out of reach of crane {crane} (other cranes need room)")
    for crane in range(q):
        sequence = sorted((start_of[t], end_of[t], t) for t in range(n) if crane_of[t] == crane)
        time_free, position = data["ready"][crane], data["home"][crane]
        for begin, finish, t in sequence:
            arrive = time_free + travel * abs(position - bay[t])
            if begin < arrive:
                errors.append(
                    f"crane {crane}: task {t} starts at {begin}, crane cannot be at bay {bay[t]} before {arrive}"
                )
            time_free, position = finish, bay[t]
    for i, j in data["phi"]:
        if end_of[i] > start_of[j]:
            errors.append(f"precedence: task {i} ends at {end_of[i]}, after task {j} starts at {start_of[j]}")
    for i, j in data["psi"]:
        if start_of[i] < end_of[j] and start_of[j] < end_of[i]:
            errors.append(f"non-simultaneity: tasks {i} and {j} overlap in time")
    for i in range(n):
        for j in range(i + 1, n):
            gap = _required_gap(data, i, crane_of[i], j, crane_of[j])
            if gap and end_of[i] + gap > start_of[j] and end_of[j] + gap > start_of[i]:
                errors.append(
                    f"interference: tasks {i} (crane {crane_of[i]}) and {j} (crane {crane_of[j]}) "
                    f"need {gap} time units between them"
                )
    makespan = max(end_of.values())
    claimed = plan.get("objective")
    if not isinstance(claimed, int | float) or isinstance(claimed, bool) or abs(claimed - makespan) > 1e-6:
        errors.append(f"objective: plan says {claimed!r}, recomputed makespan is {makespan}")
    bound = plan.get("bound")
    if isinstance(bound, int | float) and not isinstance(bound, bool) and bound > makespan + 1e-6:
        errors.append(f"bound: {bound} is above the plan's own makespan {makespan}")
    return errors
