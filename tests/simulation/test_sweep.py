"""Sweeps on a local Dask cluster: estimates with confidence intervals and paired differences."""

from __future__ import annotations

import importlib
import math
from typing import Any

import pytest

from landbridge.scenarios import Scenario
from landbridge.simulation.overrides import parse_disruption
from landbridge.simulation.sweep import Estimate, Variant, parse_seeds, run_sweep, t_quantile_95


def test_seed_ranges() -> None:
    assert parse_seeds("1-4") == [1, 2, 3, 4]
    assert parse_seeds("1,3,5-6,3") == [1, 3, 5, 6]
    for bad in ("", "a-b", "5-1", "-3"):
        with pytest.raises(ValueError):
            parse_seeds(bad)


def test_confidence_interval_of_a_known_sample() -> None:
    estimate = Estimate.of([1.0, 2.0, 3.0, 4.0])
    assert estimate.mean == 2.5
    assert estimate.half_width == pytest.approx(3.182 * math.sqrt(1.6666667 / 4), rel=1e-6)
    assert t_quantile_95(60) == pytest.approx(2.000, abs=0.002)


@pytest.mark.slow
def test_local_cluster_sweep_reports_means_and_closure_difference(scenario: Scenario) -> None:
    base = Variant(scenario)
    closed = Variant(scenario, disruptions=(parse_disruption("crossing=khorgos,from=5,to=12", scenario),))
    result = run_sweep(base, [1, 2, 3, 4], 20.0, compare=closed, workers=2)
    assert result.base["calibration.trains_per_year"].n == 4
    assert result.base["calibration.rail_teu_per_year"].half_width > 0
    difference = result.difference
    assert difference is not None
    wait = difference["border.khorgos.west.all_wait_h.mean"]
    assert wait.mean - wait.half_width > 0  # significantly longer waits with the closure
    rerouted = difference["trains.rerouted"]
    assert rerouted.mean - rerouted.half_width > 0  # the base's trains go via Alashankou instead


def test_sweep_uses_a_given_scheduler_address(scenario: Scenario) -> None:
    distributed: Any = importlib.import_module("distributed")
    # an in-process cluster is enough to prove the address path; the process path is tested above
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        result = run_sweep(Variant(scenario), [1, 2], 5.0, scheduler=cluster.scheduler_address)
    assert result.base["trains.total"].n == 2
