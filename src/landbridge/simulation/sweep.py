"""Replications on Dask distributed: mean and 95% confidence interval per KPI, and paired differences.

Both scenarios of a comparison run the same seeds (common random numbers), so their difference is
estimated per seed and its interval is much narrower than the two intervals side by side.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from landbridge.scenarios.model import Scenario
from landbridge.simulation.overrides import Disruption
from landbridge.simulation.params import TwinParameters
from landbridge.simulation.run import simulate

# two-sided 95% Student t quantiles for 1..30 degrees of freedom
_T95 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)


def t_quantile_95(degrees: int) -> float:
    """Two-sided 95% t quantile; a Cornish–Fisher expansion beyond the table."""
    if degrees < 1:
        return math.nan
    if degrees <= len(_T95):
        return _T95[degrees - 1]
    z = 1.959963984540054
    nu = float(degrees)
    return z + (z**3 + z) / (4 * nu) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu**2)


@dataclass(frozen=True, slots=True)
class Estimate:
    """Sample mean and half-width of its 95% confidence interval."""

    mean: float
    half_width: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Estimate:
        """Mean and t-interval of a sample."""
        n = len(values)
        if n == 0:
            return cls(math.nan, math.nan, 0)
        mean = math.fsum(values) / n
        if n == 1:
            return cls(mean, math.nan, 1)
        variance = math.fsum((value - mean) ** 2 for value in values) / (n - 1)
        return cls(mean, t_quantile_95(n - 1) * math.sqrt(variance / n), n)

    def as_dict(self) -> dict[str, float | int | None]:
        """JSON-ready, NaN as None."""
        return {"mean": _finite(self.mean), "ci95_half_width": _finite(self.half_width), "n": self.n}


def _finite(value: float) -> float | None:
    return round(value, 4) if math.isfinite(value) else None


def flat_numbers(tree: Any, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of the KPI tree as ``a.b.c`` keys (series and strings left out)."""
    result: dict[str, float] = {}
    if isinstance(tree, dict):
        for key, value in tree.items():
            result.update(flat_numbers(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(tree, int | float) and not isinstance(tree, bool):
        result[prefix] = float(tree)
    return result


@dataclass(frozen=True, slots=True)
class Variant:
    """One scenario to replicate."""

    scenario: Scenario
    params: TwinParameters = field(default_factory=TwinParameters)
    disruptions: tuple[Disruption, ...] = ()


def run_replication(variant: Variant, seed: int, days: float) -> dict[str, float]:
    """One seed of one variant, flattened (runs on a Dask worker)."""
    result = simulate(variant.scenario, days, seed, variant.params, variant.disruptions)
    return flat_numbers(result.kpis)


@dataclass(frozen=True, slots=True)
class SweepResult:
    """Per-KPI estimates of the base variant, and optionally of the comparison and the paired difference."""

    seeds: tuple[int, ...]
    days: float
    base: dict[str, Estimate]
    compare: dict[str, Estimate] | None = None
    difference: dict[str, Estimate] | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out: dict[str, Any] = {
            "seeds": list(self.seeds),
            "days": self.days,
            "base": {key: est.as_dict() for key, est in sorted(self.base.items())},
        }
        if self.compare is not None and self.difference is not None:
            out["compare"] = {key: est.as_dict() for key, est in sorted(self.compare.items())}
            out["difference_compare_minus_base"] = {key: est.as_dict() for key, est in sorted(self.difference.items())}
        return out


def summarise(runs: list[dict[str, float]]) -> dict[str, Estimate]:
    """Estimates per KPI over replications."""
    keys = sorted(set().union(*runs)) if runs else []
    return {key: Estimate.of([run[key] for run in runs if key in run]) for key in keys}


def paired_difference(base: list[dict[str, float]], compare: list[dict[str, float]]) -> dict[str, Estimate]:
    """Per-seed differences compare − base, estimated like any KPI."""
    keys = sorted(set().union(*base) & set().union(*compare)) if base and compare else []
    return {
        key: Estimate.of([c[key] - b[key] for b, c in zip(base, compare, strict=True) if key in b and key in c])
        for key in keys
    }


def run_sweep(
    base: Variant,
    seeds: Sequence[int],
    days: float,
    compare: Variant | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Replicate on a Dask cluster: a LocalCluster of ``workers`` processes unless a scheduler is given."""
    # imported here so a plain `simulate` never pays for Dask; Any-typed because distributed is untyped
    distributed: Any = importlib.import_module("distributed")
    Client, LocalCluster, as_completed = distributed.Client, distributed.LocalCluster, distributed.as_completed
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="10s")
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
    try:
        variants = [base] if compare is None else [base, compare]
        futures = {}
        for index, variant in enumerate(variants):
            handle = client.scatter(variant, broadcast=True)
            for seed in seeds:
                futures[client.submit(run_replication, handle, seed, days, pure=False)] = (index, seed)
        results: dict[tuple[int, int], dict[str, float]] = {}
        for done, future in enumerate(as_completed(list(futures)), start=1):
            results[futures[future]] = future.result()
            if progress:
                progress(done, len(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    base_runs = [results[(0, seed)] for seed in seeds]
    if compare is None:
        return SweepResult(tuple(seeds), days, summarise(base_runs))
    compare_runs = [results[(1, seed)] for seed in seeds]
    return SweepResult(
        tuple(seeds), days, summarise(base_runs), summarise(compare_runs), paired_difference(base_runs, compare_runs)
    )


def parse_seeds(text: str) -> list[int]:
    """``1-100``, ``5`` or ``1,2,7-9`` → sorted unique seeds; ValueError names what is wrong."""
    seeds: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        low, sep, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if sep else first
        except ValueError:
            raise ValueError(f"bad seed range {part!r}: expected N or N-M with integers") from None
        if first < 0 or last < first:
            raise ValueError(f"bad seed range {part!r}: need 0 <= N <= M")
        if last - first > 100_000:
            raise ValueError(f"seed range {part!r} is too long (max 100,000 seeds)")
        seeds.update(range(first, last + 1))
    if not seeds:
        raise ValueError("no seeds given")
    return sorted(seeds)
