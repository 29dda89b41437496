"""Border crossings shared with the rest of the corridor: an interchange queue per direction.

Why this shape: the published daily figures of Khorgos and Alashankou (C14, C17, C18) are the
traffic of the whole corridor, not of this base. So each direction of a crossing is a FIFO
station whose service rate is the interchange's throughput limit (trains a day), fed by the
other terminals' trains (a Poisson stream whose daily rate varies, gamma-distributed) and by the
base's trains. After the interchange a train's gauge is changed — container transshipment or
bogie exchange, timed per method and scaled by the train's wagons — on parallel tracks, which
do not limit throughput (C14: 19 tracks). A closure takes the interchange out of service; the
approach can hold ``holding_trains`` waiting trains, beyond which other terminals keep their
trains at home (counted as held upstream) and this base's trains wait at the base.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from typing import Any

from landbridge.scenarios.model import CrossingSpec
from landbridge.simulation.engine import Command, Engine, Process, Resource
from landbridge.simulation.params import TwinParameters
from landbridge.simulation.processes.random_streams import gamma_with_mean, lognormal_with_mean

HOURS_PER_DAY = 24.0


class CrossingLane:
    """One direction of one crossing: interchange servers, background stream, closures and counters."""

    def __init__(
        self,
        engine: Engine,
        spec: CrossingSpec,
        direction: str,
        params: TwinParameters,
        service_rng: random.Random,
    ) -> None:
        self.engine = engine
        self.spec = spec
        self.code = spec.code
        self.direction = direction
        self.capacity_per_day = spec.capacity_trains_per_day(direction)
        self.background_per_day = spec.background_trains_per_day(direction) if params.corridor_traffic else 0.0
        self.servers = params.crossing_servers
        # each server takes servers × the limit's headway, so c servers together pass the limit
        self.service_mean_h = self.servers * HOURS_PER_DAY / self.capacity_per_day
        self.service_cv = params.crossing_service_cv
        self.gauge_change_cv = params.gauge_change_cv
        self.holding_trains = spec.holding_trains
        self.interchange = Resource.pool(engine, f"border_{spec.code}_{direction}", self.servers)
        self.closures: list[tuple[float, float]] = []
        self._service_rng = service_rng
        self.base_en_route = 0
        self.background_arrived = 0
        self.background_held_upstream = 0
        self.max_queue = 0
        # (arrival h, wait h, base train?) of every train admitted, for KPIs and Little's law
        self.passages: list[tuple[float, float, bool]] = []

    # ------------------------------------------------------------------ state
    @property
    def queue_length(self) -> int:
        """Trains waiting for the interchange now."""
        return self.interchange.queue_length

    def is_closed(self, at_h: float) -> bool:
        """True while a closure covers ``at_h``."""
        return any(begin <= at_h < end for begin, end in self.closures)

    def approach_full(self) -> bool:
        """No room on the approach: waiting trains plus the base's trains on their way fill it."""
        return self.queue_length + self.base_en_route >= self.holding_trains

    def expected_wait_h(self, now_h: float, eta_h: float) -> float:
        """What a dispatcher expects a train reaching the border at ``eta_h`` to wait.

        The rest of a closure still running at ``eta_h``, plus the trains ahead of it (those queueing
        now and the other terminals' trains that pile up while the crossing is closed before
        ``eta_h``), each taking the interchange's headway.
        """
        closure_left_h = 0.0
        closed_h = 0.0
        for begin, end in self.closures:
            if begin <= eta_h < end:
                closure_left_h = max(closure_left_h, end - eta_h)
            closed_h += max(0.0, min(end, eta_h) - max(begin, now_h))
        ahead = self.queue_length + self.base_en_route + self.background_per_day / HOURS_PER_DAY * closed_h
        return closure_left_h + ahead * self.service_mean_h / self.servers

    # ------------------------------------------------------------------ processes
    def close(self, begin_h: float, end_h: float) -> None:
        """Take the interchange out of service for [begin_h, end_h)."""
        self.closures.append((begin_h, end_h))
        for unit in self.interchange.units:
            self.engine.call_at(begin_h, _bind(self.interchange.close, unit))
            self.engine.call_at(end_h, _bind(self.interchange.reopen, unit))

    def pass_interchange(self, base_train: bool) -> Generator[Command, Any, float]:
        """Queue for the interchange and be handed over; returns the wait in hours."""
        engine = self.engine
        arrived = engine.now_h
        queued = self.interchange.queue_length + 1
        if queued > self.max_queue:
            self.max_queue = queued
        unit = yield self.interchange
        wait_h = engine.now_h - arrived
        yield gamma_with_mean(self._service_rng, self.service_mean_h, self.service_cv)
        self.interchange.release(unit)
        self.passages.append((arrived, wait_h, base_train))
        return wait_h

    def gauge_change_h(self, wagons: int, method_draw: float) -> tuple[str, float]:
        """Method and duration of a train's gauge change (per method, scaled to its wagons)."""
        spec = self.spec
        transshipment_h = spec.transshipment_h or spec.train_handling_h
        reference_wagons = 50.0  # C13: the 55 min are for a 45–50-wagon train
        if spec.bogie_exchange_h is not None and method_draw < spec.bogie_exchange_share:
            method, mean_h = "bogie_exchange", spec.bogie_exchange_h
        else:
            method, mean_h = "container_transshipment", transshipment_h
        scaled_h = mean_h * wagons / reference_wagons
        return method, lognormal_with_mean(self._service_rng, scaled_h, self.gauge_change_cv)

    def background(self, rng: random.Random, start_h: float, end_h: float) -> Process:
        """Other terminals' trains: Poisson within a day, the day's rate gamma-distributed."""
        if self.background_per_day <= 0:
            return
        engine = self.engine
        cv = self.spec.background_daily_cv
        day_start = start_h
        while day_start < end_h:
            rate_per_h = gamma_with_mean(rng, self.background_per_day, cv) / HOURS_PER_DAY
            day_end = day_start + HOURS_PER_DAY
            at_h = day_start
            while rate_per_h > 0:
                at_h += rng.expovariate(rate_per_h)
                if at_h >= day_end or at_h >= end_h:
                    break
                yield at_h - engine.now_h
                self.background_arrived += 1
                if self.approach_full():
                    self.background_held_upstream += 1
                    continue
                engine.start(self._background_train())
            day_start = day_end
            if engine.now_h < day_start:
                yield day_start - engine.now_h

    def _background_train(self) -> Process:
        yield from self.pass_interchange(base_train=False)


def _bind(action: Any, unit: str) -> Any:
    return lambda: action(unit)
