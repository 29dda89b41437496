"""Crash safety of the EDIFACT importer: killed with SIGKILL during a CODECO batch and restarted each
time, every message ends up applied exactly once.

Each interchange commits once, together with its idempotency record; a kill before the commit
leaves nothing of it, and the re-import skips what was committed as duplicates. Kill points are
spread by waiting for a random number of committed interchanges (0–2) and then a random delay,
so the importer dies while reading, while applying a message, or while committing.

The suite's run kills 5 times during 2,000 messages (the same guarantee, a fraction of the time);
the issue's full run — SIGKILL at 20 points during 10,000 messages — is ``scripts/edi_crash.sh``,
which sets ``LANDBRIDGE_EDI_CRASH_KILLS=20`` and ``LANDBRIDGE_EDI_CRASH_INTERCHANGES=100``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.pool import NullPool

from landbridge.interchange.edifact.generate import codeco_batch
from landbridge.services.interchange.defaults import seed_partners
from landbridge.store import tables
from landbridge.store.interchange_tables import EdiInterchangeRow
from landbridge.store.unit_of_work import UnitOfWork

PER_INTERCHANGE = 100
INTERCHANGES = int(os.environ.get("LANDBRIDGE_EDI_CRASH_INTERCHANGES", "20"))
MIN_KILLS = int(os.environ.get("LANDBRIDGE_EDI_CRASH_KILLS", "5"))


def _committed(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(text("SELECT count(*) FROM edi_interchanges WHERE direction = 'in'")).scalar() or 0
        )


def _start(url: str, path: Path, *, whole_cli: bool = False) -> subprocess.Popen[bytes]:
    """``landbridge edi import``: the EDI commands alone (they start in a fraction of the whole CLI's time)."""
    command = ["landbridge.cli", "edi"] if whole_cli else ["landbridge.edi_cli"]
    return subprocess.Popen(
        [sys.executable, "-m", *command, "import", str(path), "--database-url", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "120"},
    )


def _run_and_kill(url: str, batch: Path, engine: Engine, draw: random.Random) -> int:
    """Import ``batch`` again and again, killing the importer ``MIN_KILLS`` times; the number of kills."""
    kills = 0
    while _committed(engine) < INTERCHANGES:
        before = _committed(engine)
        process = _start(url, batch)
        target = before + draw.randint(0, 2) if kills < MIN_KILLS else None
        if target is not None and INTERCHANGES - before <= 3 * (MIN_KILLS - kills):
            # Few interchanges left for the kills still owed: kill this run early (while it starts or
            # reads), or a fast importer finishes the batch first (4 kills of 5 once, on an idle machine).
            target = before
        while process.poll() is None:
            if target is not None and _committed(engine) >= target:
                time.sleep(draw.uniform(0.0, 0.15))
                if process.poll() is None:
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    kills += 1
                break
            time.sleep(0.05)
        else:
            assert process.returncode == 0, process.stderr.read().decode() if process.stderr else ""
        if process.stderr is not None:
            process.stderr.close()
    return kills


@pytest.mark.slow
def test_sigkill_during_a_batch_then_every_message_applied_exactly_once(database_url: str, tmp_path: Path) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    batch = tmp_path / f"codeco-{INTERCHANGES * PER_INTERCHANGE}.edi"
    with open(batch, "w", encoding="utf-8") as handle:
        for interchange in codeco_batch(interchanges=INTERCHANGES, messages_per_interchange=PER_INTERCHANGE, seed=7):
            handle.write(interchange)
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        kills = _run_and_kill(database_url, batch, engine, random.Random(20))
    finally:
        engine.dispose()
    # one more run, of the whole CLI, after the batch was complete: everything is a duplicate, nothing changes
    last = _start(database_url, batch, whole_cli=True)
    assert last.wait() == 0
    if last.stderr is not None:
        last.stderr.close()
    assert kills >= MIN_KILLS
    with UnitOfWork.for_url(database_url) as uow:
        session = uow.session
        total = INTERCHANGES * PER_INTERCHANGE
        assert session.scalar(select(func.count()).select_from(tables.ContainerRow)) == total
        for event_type in ("container.registered", "container.reported"):
            count = session.scalar(
                select(func.count()).select_from(tables.EventRow).where(tables.EventRow.event_type == event_type)
            )
            assert count == total, event_type
        doubled = session.scalar(
            select(func.count()).select_from(
                select(tables.EventRow.subject_id)
                .where(tables.EventRow.event_type == "container.reported")
                .group_by(tables.EventRow.subject_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        assert doubled == 0
        statuses = session.execute(
            select(EdiInterchangeRow.status, func.count())
            .where(EdiInterchangeRow.direction == "in")
            .group_by(EdiInterchangeRow.status)
        ).all()
        assert dict(statuses) == {"accepted": INTERCHANGES}
