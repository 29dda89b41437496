"""What berth, train and silo live planning share: the time limit, hours after a reference time,
solve-then-check, and reading fields of a posted plan.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from landbridge.domain import times
from landbridge.domain.errors import RuleViolation
from landbridge.planning.common import PlanningInputError, SolveResult, SolveStatus

HOUR = timedelta(hours=1)
MAX_TIME_LIMIT_S = 60.0


as_utc = times.as_utc  # the one UTC helper (domain/times.py)


def hours_after(moment: datetime, reference: datetime) -> int:
    """Whole hours from the reference to ``moment``, rounded up, never negative."""
    return max(0, math.ceil((as_utc(moment) - reference) / HOUR - 1e-9))


def default_reference_time() -> datetime:
    """The current hour (plans start on whole hours so ETBs are round)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def check_time_limit(time_limit_s: float) -> None:
    """Live plans answer an HTTP request: the limit is positive and capped (``MAX_TIME_LIMIT_S``)."""
    if not 0 < time_limit_s <= MAX_TIME_LIMIT_S:
        raise RuleViolation("time_limit_s", f"must be greater than 0 and at most {MAX_TIME_LIMIT_S:g} s")


def solve_checked(
    what: str, solve: Callable[[], SolveResult], check: Callable[[dict[str, Any]], list[str]], time_limit_s: float
) -> SolveResult:
    """Solve, then refuse what cannot be handed out: bad input, no plan, or a plan its checker rejects."""
    try:
        result = solve()
    except PlanningInputError as error:
        raise RuleViolation(error.field_name, error.reason) from None
    if result.status is SolveStatus.INFEASIBLE:
        raise RuleViolation("plan", "infeasible: no plan satisfies every limit of the live data")
    if not result.plan:
        raise RuleViolation("time_limit_s", f"no plan found within {time_limit_s:g} s; allow more time")
    errors = check(result.to_json())
    if errors:
        raise RuleViolation("plan", f"the {what} plan failed its checker: " + "; ".join(errors))
    return result
