"""Types every planner shares: the solve status, the result envelope and the input error.

Checkers must not import from here beyond :class:`PlanningInputError`; they read plan JSON only.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class SolveStatus(StrEnum):
    """Outcome of a solver run, as written into the plan JSON."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIMEOUT = "timeout"


class PlanningInputError(ValueError):
    """A malformed instance or bad parameter; the message names the field and the reason."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field_name = field_name
        self.reason = reason


@dataclass(frozen=True)
class SolveResult:
    """What every solver returns: status, objective, bound and the plan as plain JSON data."""

    instance: str
    status: SolveStatus
    objective: float | None
    bound: float | None
    plan: dict[str, Any] = field(default_factory=dict)
    runtime_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The plan JSON: envelope fields first, then the problem-specific plan fields."""
        return {
            "instance": self.instance,
            "status": self.status.value,
            "objective": self.objective,
            "bound": self.bound,
            "runtime_s": round(self.runtime_s, 3),
            **self.plan,
        }


def require_positive_time_limit(time_limit_s: float) -> None:
    """Reject a zero or negative time limit before any solver starts."""
    if not time_limit_s > 0:
        raise PlanningInputError("time_limit", f"must be greater than 0 seconds, got {time_limit_s}")


def read_instance_text(path: Path) -> str:
    """The text of an instance file; an unreadable file is an input error naming ``instance``."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanningInputError("instance", f"cannot read {path}: {error}") from None


def parse_instance_json(text: str) -> Any:
    """Decode an instance's JSON; a syntax error is an input error naming the line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise PlanningInputError(f"line {error.lineno}", f"invalid JSON: {error.msg}") from None


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as JSON (indent 1, trailing newline), creating the folder; returns ``path``.

    One writer for the generated instance sets and the benchmark reports, so that the committed
    files keep one layout and a rerun of a seeded generator gives the same bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    return path


def generator_main(description: str, write_set: Callable[[Path], list[Path]], argv: list[str] | None = None) -> None:
    """Command line of an instance generator: write its benchmark set into OUT_DIR, print the paths."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    for path in write_set(args.out_dir):
        print(path)
