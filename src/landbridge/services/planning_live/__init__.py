"""Berth, train load and silo planning on live data: build the solvers' instances from the tables, solve, check, apply.

Why this module exists: the solvers in :mod:`landbridge.planning` know only typed instances with
0-based indices; the hub knows vessel references, berth codes, wagon numbers and container
numbers. This package is the translation in both directions, and it keeps three promises:

* every plan is run through the planner's own independent checker (the instance handed over as
  data in the checker's format) before anyone sees it, and again before it is applied;
* applying goes through the operations services, so every operating rule and event applies;
* applying is all-or-nothing: one transaction, rolled back if any step is refused.

One module per seam: ``berths`` (instance, plan, apply), ``trains`` (instance, plan),
``train_sequence`` (the order a train plan is worked in on the yard) and ``train_apply``; ``silos``
plans silo intake and transfers; ``common`` holds what they share. Checkers take the instance as
data (text or JSON), so no plan is ever checked through a temporary file.
"""

from __future__ import annotations

from landbridge.services.planning_live.berths import (
    DEFAULT_BUSY_H,
    LiveBerthInstance,
    apply_berth_plan,
    build_berth_instance,
    plan_berths,
    record_planned_berth,
)
from landbridge.services.planning_live.common import (
    MAX_TIME_LIMIT_S,
    check_time_limit,
    default_reference_time,
    solve_checked,
)
from landbridge.services.planning_live.train_apply import APPLY_ATTEMPTS, apply_train_plan
from landbridge.services.planning_live.trains import LiveTrainInstance, build_train_instance, plan_train, wagon_patterns

__all__ = [
    "APPLY_ATTEMPTS",
    "DEFAULT_BUSY_H",
    "MAX_TIME_LIMIT_S",
    "LiveBerthInstance",
    "LiveTrainInstance",
    "apply_berth_plan",
    "apply_train_plan",
    "build_berth_instance",
    "build_train_instance",
    "check_time_limit",
    "default_reference_time",
    "plan_berths",
    "plan_train",
    "record_planned_berth",
    "solve_checked",
    "wagon_patterns",
]
