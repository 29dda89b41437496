"""CLI registration: ``landbridge plan train`` (load planning and gauge-change transfer)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from landbridge.planning.common import SolveResult
from landbridge.planning.trains.check import check_train
from landbridge.planning.trains.problem import read_train_instance
from landbridge.planning.trains.solve import solve_train


def run_train(instance_path: Path, time_limit_s: float, seed: int) -> SolveResult:
    """Read and solve a train instance (``mode`` load or transfer)."""
    return solve_train(read_train_instance(instance_path), time_limit_s, seed)


def safe_check_train(instance_path: Path, plan: dict[str, Any]) -> list[str]:
    """The checker, with an unreadable plan reported as a violation rather than a traceback."""
    try:
        return check_train(instance_path, plan)
    except (KeyError, ValueError, TypeError, IndexError, OSError) as error:
        return [f"checker could not read the plan or instance: {error!r}"]


KINDS: dict[str, tuple[Callable[[Path, float, int], SolveResult], Callable[[Path, dict[str, Any]], list[str]]]] = {
    "train": (run_train, safe_check_train),
}
