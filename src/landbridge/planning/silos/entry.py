"""CLI registration: ``landbridge plan silo``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from landbridge.planning.common import SolveResult
from landbridge.planning.silos.check import check_silo_data, check_silos
from landbridge.planning.silos.problem import read_silo_instance
from landbridge.planning.silos.solve import solve_silos


def run_silos(instance_path: Path, time_limit_s: float, seed: int) -> SolveResult:
    """Read and solve a silo allocation instance."""
    return solve_silos(read_silo_instance(instance_path), time_limit_s, seed)


def safe_check_silos(instance_path: Path, plan: dict[str, Any]) -> list[str]:
    """The checker on an instance file, with an unreadable plan or file reported as a violation."""
    try:
        return check_silos(instance_path, plan)
    except (KeyError, ValueError, TypeError, IndexError, OSError) as error:
        return [f"checker could not read the plan or instance: {error!r}"]


def safe_check_silo_data(instance: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """The checker on instance JSON already in memory (live planning), unreadable plans reported as above."""
    try:
        return check_silo_data(instance, plan)
    except (KeyError, ValueError, TypeError, IndexError) as error:
        return [f"checker could not read the plan or instance: {error!r}"]


KINDS: dict[str, tuple[Callable[[Path, float, int], SolveResult], Callable[[Path, dict[str, Any]], list[str]]]] = {
    "silo": (run_silos, safe_check_silos),
}
