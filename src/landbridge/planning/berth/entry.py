"""CLI registration: ``landbridge plan berth`` (DBAP) and ``landbridge plan berth-tidal``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from landbridge.planning.berth.check import check_dbap_plan, check_tidal_plan
from landbridge.planning.berth.problem import read_berth_instance
from landbridge.planning.berth.solve import solve_berth
from landbridge.planning.berth.tidal import read_tidal_instance, solve_tidal
from landbridge.planning.common import SolveResult


def run_berth(instance_path: Path, time_limit_s: float, seed: int) -> SolveResult:
    """Read a Lalla-Ruiz DBAP file and solve it."""
    return solve_berth(read_berth_instance(instance_path), time_limit_s, seed)


def run_tidal(instance_path: Path, time_limit_s: float, seed: int) -> SolveResult:
    """Read an Ernst et al. tidal CSV and solve it."""
    return solve_tidal(read_tidal_instance(instance_path), time_limit_s, seed)


KINDS: dict[str, tuple[Callable[[Path, float, int], SolveResult], Callable[[Path, dict[str, Any]], list[str]]]] = {
    "berth": (run_berth, check_dbap_plan),
    "berth-tidal": (run_tidal, check_tidal_plan),
}
