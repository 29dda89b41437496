"""CLI registration: ``landbridge plan relocation|premarshalling``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from landbridge.planning.common import PlanningInputError, SolveResult
from landbridge.planning.yard.check import check_premarshalling, check_relocation
from landbridge.planning.yard.problem import read_bay
from landbridge.planning.yard.solve import solve_premarshalling_plan, solve_relocation_plan


def run_relocation(instance_path: Path, time_limit_s: float, seed: int) -> SolveResult:
    """Read and solve a relocation instance."""
    return solve_relocation_plan(read_bay(instance_path), time_limit_s, seed)


def run_premarshalling(instance_path: Path, time_limit_s: float, seed: int) -> SolveResult:
    """Read and solve a pre-marshalling instance."""
    return solve_premarshalling_plan(read_bay(instance_path), time_limit_s, seed)


def _safe(checker: Callable[[Path, dict[str, Any]], list[str]]) -> Callable[[Path, dict[str, Any]], list[str]]:
    """A plan the checker cannot even read is reported as a violation, not a traceback."""

    def wrapped(instance_path: Path, plan: dict[str, Any]) -> list[str]:
        try:
            return checker(instance_path, plan)
        except (KeyError, ValueError, TypeError, IndexError, OSError) as error:
            if isinstance(error, PlanningInputError):
                raise
            return [f"checker could not read the plan or instance: {error!r}"]

    return wrapped


KINDS: dict[str, tuple[Callable[[Path, float, int], SolveResult], Callable[[Path, dict[str, Any]], list[str]]]] = {
    "relocation": (run_relocation, _safe(check_relocation)),
    "premarshalling": (run_premarshalling, _safe(check_premarshalling)),
}
