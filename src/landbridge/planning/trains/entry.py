"""CLI registration: ``landbridge plan train`` (load planning and gauge-change transfer)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from landbridge.planning.common import SolveResult
from landbridge.planning.trains.check import check_train, check_train_data
from landbridge.planning.trains.problem import read_train_instance
from landbridge.planning.trains.solve import solve_train


def run_train(instance_path: Path, time_limit_s: float, seed: int) -> SolveResult:
    """Read and solve a train instance (``mode`` load or transfer)."""
    return solve_train(read_train_instance(instance_path), time_limit_s, seed)


def safe_check_train(instance_path: Path, plan: dict[str, Any]) -> list[str]:
    """The checker on an instance file, with an unreadable plan or file reported as a violation."""
    try:
        return check_train(instance_path, plan)
    except (KeyError, ValueError, TypeError, IndexError, OSError) as error:
        return [f"checker could not read the plan or instance: {error!r}"]


def safe_check_train_data(instance: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """The checker on instance JSON already in memory (live planning), unreadable plans reported as above."""
    try:
        return check_train_data(instance, plan)
    except (KeyError, ValueError, TypeError, IndexError) as error:
        return [f"checker could not read the plan or instance: {error!r}"]


KINDS: dict[str, tuple[Callable[[Path, float, int], SolveResult], Callable[[Path, dict[str, Any]], list[str]]]] = {
    "train": (run_train, safe_check_train),
}
