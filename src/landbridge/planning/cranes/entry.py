"""CLI registration: ``landbridge plan cranes``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from landbridge.planning.common import SolveResult
from landbridge.planning.cranes.check import check_crane_plan
from landbridge.planning.cranes.problem import read_crane_instance
from landbridge.planning.cranes.solve import solve_cranes


def run_cranes(instance_path: Path, time_limit_s: float, seed: int) -> SolveResult:
    """Read a QCSPgen file and solve it."""
    return solve_cranes(read_crane_instance(instance_path), time_limit_s, seed)


KINDS: dict[str, tuple[Callable[[Path, float, int], SolveResult], Callable[[Path, dict[str, Any]], list[str]]]] = {
    "cranes": (run_cranes, check_crane_plan),
}
