"""Load a twin run into an operations database: checks first, then the twin, the play and the DCSA projection."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from landbridge.domain.events import utc_now
from landbridge.scenarios.model import Scenario
from landbridge.services.seeding import is_seeded
from landbridge.services.twin_load.flows import read_trace, run_twin
from landbridge.services.twin_load.player import BATCH_COMMANDS, LoadSummary, TwinPlayer
from landbridge.services.twin_load.yard_planner import BlockShape
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

TWIN_OWNER_PREFIX = "LBTU"  # the twin's boxes (landbridge.simulation.trace.OWNER_CODE)


class LoadRefused(Exception):
    """The database cannot take this load (not seeded, already loaded, or the run would end in the future)."""


def _blocks(uow: UnitOfWork) -> list[BlockShape]:
    with uow:
        return [
            BlockShape(row.code, row.bays, row.rows, row.max_tiers_full, row.max_tiers_empty)
            for row in uow.session.scalars(select(tables.YardBlockRow).order_by(tables.YardBlockRow.code))
        ]


def _already_loaded(uow: UnitOfWork) -> int:
    with uow:
        query = select(func.count()).where(tables.ContainerRow.number.like(f"{TWIN_OWNER_PREFIX}%"))
        return int(uow.session.scalar(query) or 0)


def load_twin(
    url: str,
    scenario: Scenario,
    *,
    days: float,
    seed: int,
    trace: Path | None = None,
    warmup_days: float | None = None,
    on_twin_day: Callable[[float], None] | None = None,
    on_play: Callable[[int, int, datetime, int], None] | None = None,
    batch_commands: int = BATCH_COMMANDS,
    savepoints: bool = False,
) -> LoadSummary:
    """Run (or read) the twin and play it through the services; returns what was issued."""
    uow = UnitOfWork.for_url(url)
    if not is_seeded(uow):
        raise LoadRefused("the database has no scenario; run `landbridge db seed` first")
    loaded = _already_loaded(uow)
    if loaded:
        raise LoadRefused(
            f"the database already holds {loaded:,} of the twin's boxes ({TWIN_OWNER_PREFIX}…); "
            "load a twin run into a freshly seeded database"
        )
    started = time.perf_counter()
    run = (
        read_trace(trace, days, seed) if trace is not None else run_twin(scenario, days, seed, on_twin_day, warmup_days)
    )
    twin_s = time.perf_counter() - started
    if run.records and run.at(run.records[-1].time_h) > utc_now():
        raise LoadRefused(
            f"the run ends {run.at(run.records[-1].time_h):%Y-%m-%d}, in the future: events may not be dated later "
            "than now; play fewer days"
        )
    player = TwinPlayer(url, run, _blocks(uow), scenario, batch_commands=batch_commands, savepoints=savepoints)
    total = len(run.records)

    def progress(done: int, at: datetime) -> None:
        if on_play is not None:
            on_play(done, total, at, player.summary.total_commands)

    summary = player.play(progress)
    summary.twin_s = twin_s
    summary.wall_s += twin_s
    return summary
