"""One replication: scenario in, records and KPIs out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from landbridge.scenarios.model import Scenario
from landbridge.simulation.kpis import compute_kpis
from landbridge.simulation.overrides import Disruption
from landbridge.simulation.params import TwinParameters
from landbridge.simulation.processes.hub import HubTwin
from landbridge.simulation.state import InitialState
from landbridge.simulation.trace import Observer


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """KPIs (deterministic) plus the twin (for the report) and the wall time (not deterministic)."""

    kpis: dict[str, Any]
    twin: HubTwin
    wall_s: float

    @property
    def events_per_s(self) -> float:
        """Simulated events per wall-clock second."""
        return self.twin.engine.events / self.wall_s if self.wall_s > 0 else 0.0


def simulate(
    scenario: Scenario,
    days: float = 365.0,
    seed: int = 1,
    params: TwinParameters | None = None,
    disruptions: tuple[Disruption, ...] = (),
    initial_state: InitialState | None = None,
    progress: Callable[[float], None] | None = None,
    observer: Observer | None = None,
) -> SimulationResult:
    """Run one replication of the twin; ``observer`` receives the trace (see ``simulation.trace``)."""
    if days <= 0:
        raise ValueError("days must be positive")
    started = time.perf_counter()
    twin = HubTwin(scenario, seed, days, params, disruptions, initial_state, observer)
    twin.run(progress)
    kpis = compute_kpis(twin)
    return SimulationResult(kpis, twin, time.perf_counter() - started)
