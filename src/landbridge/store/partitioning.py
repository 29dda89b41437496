"""Years of events on PostgreSQL: the event table partitioned by month, and old months archived.

Why: a year of the base is millions of events (see docs/scale.md). Reads by container, by visit and
by time only touch recent months, but one ever-growing heap makes every vacuum, index rebuild and
backup handle all of history, and there is no way to move old years out. Partitioning ``events``
by month of ``occurred_at`` keeps each month its own table: indexes stay month-sized, and archiving
a month is ``DETACH PARTITION`` + ``pg_dump`` of that table + ``DROP`` — no ``DELETE`` on the
append-only log (its trigger refuses that, on every partition).

What :func:`partition_events` does, in one transaction (so a failure changes nothing):

1. renames ``events`` to ``events_unpartitioned`` and creates ``events`` again, ``PARTITION BY
   RANGE (occurred_at)``, with the same columns, the same id sequence and the primary key
   ``(id, occurred_at)`` (PostgreSQL requires the partition key in every unique index);
2. creates one partition per month from the oldest event to ``months_ahead`` months past now, and a
   ``DEFAULT`` partition that catches anything outside (so an insert never fails for want of one);
3. copies the rows over and drops the old table; recreates the indexes (they apply to every
   partition) and the append-only trigger (row triggers on a partitioned table fire per partition);
4. drops the foreign keys that pointed at ``events.id`` from the DCSA projection and the ETA
   estimates — a foreign key must name the whole partition key — keeping their columns and indexes
   (the projection writes only ids it has just read from the log).

:func:`ensure_month_partitions` (run monthly, e.g. from cron, and by ``partition_events``) adds the
coming months; :func:`detach_months_before` detaches whole months older than a date for archiving;
:func:`archive_months_before` detaches them, dumps each with ``pg_dump``, checks the dump holds the
month's rows and only then drops it (``landbridge db archive-events``).
SQLite keeps the plain table: one file, one site, no partitions.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, insert, make_url, text

from landbridge.store.snapshot_tables import ArchivedEventMonthRow

PARENT = "events"
DEFAULT_PARTITION = "events_default"
FOREIGN_KEYS_TO_EVENTS = (
    ("dcsa_events", "fk_dcsa_events_source_event_id_events"),
    ("eta_estimates", "fk_eta_estimates_source_event_id_events"),
)


@dataclass(frozen=True)
class PartitionReport:
    """What a partitioning step did."""

    partitions: list[str]
    rows: int
    seconds: float


def month_start(moment: datetime) -> datetime:
    """The first instant (UTC) of the month ``moment`` falls in."""
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def next_month(moment: datetime) -> datetime:
    """The first instant of the following month."""
    return datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=UTC)


def partition_name(month: datetime) -> str:
    """``events_2025_03`` for March 2025."""
    return f"{PARENT}_{month:%Y_%m}"


def is_partitioned(connection: Connection) -> bool:
    """Whether ``events`` is already a partitioned table."""
    kind = connection.execute(text("SELECT relkind FROM pg_class WHERE relname = :name"), {"name": PARENT}).scalar()
    return kind == "p"


def _existing_partitions(connection: Connection) -> set[str]:
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :name"
        ),
        {"name": PARENT},
    )
    return {str(name) for (name,) in rows}


def _create_month(connection: Connection, month: datetime) -> str:
    name = partition_name(month)
    connection.execute(
        text(
            f'CREATE TABLE "{name}" PARTITION OF {PARENT} '
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')"
        )
    )
    return name


def ensure_month_partitions(connection: Connection, first: datetime, last: datetime) -> list[str]:
    """Create the monthly partitions from ``first``'s month to ``last``'s month that do not exist yet.

    A month whose rows already sit in the default partition is refused by PostgreSQL; moving them
    would mean deleting from the append-only log, so that is left to the operator (run this job
    ahead of time and the default partition stays empty).
    """
    existing = _existing_partitions(connection)
    created = []
    month = month_start(first)
    while month <= month_start(last):
        if partition_name(month) not in existing:
            created.append(_create_month(connection, month))
        month = next_month(month)
    return created


def partition_events(engine: Engine, months_ahead: int = 3, now: datetime | None = None) -> PartitionReport:
    """Turn ``events`` into a table partitioned by month of ``occurred_at`` (PostgreSQL; once)."""
    import time

    started = time.perf_counter()
    now = now or datetime.now(UTC)
    with engine.begin() as connection:
        if is_partitioned(connection):
            raise RuntimeError("events is already partitioned")
        oldest = connection.execute(text("SELECT min(occurred_at) FROM events")).scalar() or now
        for table, constraint in FOREIGN_KEYS_TO_EVENTS:
            connection.execute(text(f'ALTER TABLE IF EXISTS {table} DROP CONSTRAINT IF EXISTS "{constraint}"'))
        connection.execute(text("DROP TRIGGER IF EXISTS events_append_only ON events"))
        connection.execute(text("ALTER TABLE events RENAME TO events_unpartitioned"))
        connection.execute(
            text("ALTER TABLE events_unpartitioned RENAME CONSTRAINT pk_events TO pk_events_unpartitioned")
        )
        for index in (
            "ix_events_event_type",
            "ix_events_subject_id",
            "ix_events_subject",
            "ix_events_occurred_at",
            "ix_events_type_time",  # migration 0086
        ):
            connection.execute(text(f"DROP INDEX IF EXISTS {index}"))
        connection.execute(
            text(
                "CREATE TABLE events (LIKE events_unpartitioned INCLUDING DEFAULTS INCLUDING GENERATED) "
                "PARTITION BY RANGE (occurred_at)"
            )
        )
        connection.execute(text("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id, occurred_at)"))
        sequence = connection.execute(text("SELECT pg_get_serial_sequence('events_unpartitioned', 'id')")).scalar()
        if sequence:
            connection.execute(text(f"ALTER SEQUENCE {sequence} OWNED BY events.id"))
        created = ensure_month_partitions(connection, oldest, _months_after(now, months_ahead))
        connection.execute(text(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF events DEFAULT"))
        rows = connection.execute(text("INSERT INTO events SELECT * FROM events_unpartitioned")).rowcount
        connection.execute(text("DROP TABLE events_unpartitioned"))
        connection.execute(text("CREATE INDEX ix_events_event_type ON events (event_type)"))
        connection.execute(text("CREATE INDEX ix_events_subject_id ON events (subject_id)"))
        connection.execute(text("CREATE INDEX ix_events_subject ON events (subject_type, subject_id, occurred_at, id)"))
        connection.execute(text("CREATE INDEX ix_events_occurred_at ON events (occurred_at)"))
        connection.execute(text("CREATE INDEX ix_events_type_time ON events (event_type, occurred_at)"))
        connection.execute(
            text(
                "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
                "FOR EACH ROW EXECUTE FUNCTION events_append_only()"
            )
        )
    return PartitionReport([*created, DEFAULT_PARTITION], int(rows or 0), time.perf_counter() - started)


def _months_after(now: datetime, months: int) -> datetime:
    month = month_start(now)
    for _ in range(months):
        month = next_month(month)
    return month


def add_coming_months(engine: Engine, months_ahead: int = 3, now: datetime | None = None) -> list[str]:
    """The monthly job: partitions for this month and the next ``months_ahead`` months."""
    now = now or datetime.now(UTC)
    with engine.begin() as connection:
        if not is_partitioned(connection):
            raise RuntimeError("events is not partitioned; run `landbridge db partition-events` first")
        return ensure_month_partitions(connection, now, _months_after(now, months_ahead))


def _month_of(partition: str) -> datetime:
    """``events_2025_03`` → 1 March 2025 (UTC)."""
    year, month = (int(part) for part in partition.removeprefix(f"{PARENT}_").split("_"))
    return datetime(year, month, 1, tzinfo=UTC)


def detach_months_before(engine: Engine, before: datetime) -> list[str]:
    """Detach every whole month before ``before`` (archive them with pg_dump, then drop them)."""
    cutoff = month_start(before)
    detached = []
    with engine.begin() as connection:
        for name in sorted(_existing_partitions(connection)):
            if name == DEFAULT_PARTITION:
                continue
            if _month_of(name) < cutoff:
                connection.execute(text(f'ALTER TABLE {PARENT} DETACH PARTITION "{name}"'))
                detached.append(name)
    return detached


@dataclass(frozen=True)
class ArchivedMonth:
    """One month moved out of the database: its dump file and the rows it holds (checked before the drop)."""

    partition: str
    rows: int
    path: Path
    size_bytes: int


class ArchiveError(RuntimeError):
    """A month could not be dumped or its dump did not hold its rows: the table is kept (detached)."""


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as pg_dump reads it (no ``+psycopg`` driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _rows_in_dump(path: Path, table: str) -> int:
    """Data rows of ``table`` in a custom-format dump, read back with pg_restore (the archive's own check)."""
    restored = subprocess.run(
        ["pg_restore", "--data-only", "--table", table, "--file", "-", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    rows, inside = 0, False
    for line in restored.stdout.splitlines():
        if line.startswith("COPY "):
            inside = True
        elif line == "\\.":
            inside = False
        elif inside:
            rows += 1
    return rows


def _detached_months(connection: Connection) -> list[str]:
    """``events_YYYY_MM`` tables no longer attached to ``events`` (detached earlier, not yet archived)."""
    names = connection.execute(
        text(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname ~ :pattern AND NOT c.relispartition"
        ),
        {"pattern": f"^{PARENT}_[0-9]{{4}}_[0-9]{{2}}$"},
    )
    return sorted(str(name) for (name,) in names)


def attach_detached_months_before(engine: Engine, before: datetime) -> list[str]:
    """Attach again the months detached earlier (``db event-months --detach-before``) that lie before ``before``.

    ``db archive-events`` does this first, so the state snapshot at the boundary folds their events
    too; archiving then detaches them again with the rest. One transaction: all or none.
    """
    cutoff = month_start(before)
    attached = []
    with engine.begin() as connection:
        for name in _detached_months(connection):
            start = _month_of(name)
            if start < cutoff:
                connection.execute(
                    text(
                        f'ALTER TABLE {PARENT} ATTACH PARTITION "{name}" '
                        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{next_month(start).isoformat()}')"
                    )
                )
                attached.append(name)
    return attached


def detached_months(connection: Connection) -> list[tuple[str, datetime]]:
    """Months detached from ``events`` and still in the database (name, first instant), oldest first.

    Their events are not in the log a replay or a snapshot reads: ``services/state_snapshots.py``
    refuses to fold across them and ``db check`` names them. Empty on SQLite (no partitions there).
    """
    if connection.dialect.name != "postgresql":
        return []
    return [(name, _month_of(name)) for name in _detached_months(connection)]


def archive_months_before(
    engine: Engine, url: str, before: datetime, directory: Path, *, snapshot_at: datetime | None = None
) -> list[ArchivedMonth]:
    """Move every whole month before ``before`` out of the database: detach, dump, check the dump, drop.

    Each month becomes ``<directory>/events_YYYY_MM.dump`` (``pg_dump -Fc``; bring it back with
    ``pg_restore -d <db> events_YYYY_MM.dump`` and ``ALTER TABLE events ATTACH PARTITION``). A month
    is dropped only after its dump, read back with ``pg_restore``, holds as many rows as the table:
    a failure raises :class:`ArchiveError` and leaves that month detached, nothing deleted. Months
    detached earlier (``db event-months --detach-before``) are archived too. Each dropped month is
    recorded in ``archived_event_months`` (its dump file, rows, and ``snapshot_at``: the state
    snapshot that covers it) in the same transaction as the ``DROP``.
    """
    with engine.connect() as connection:
        if not is_partitioned(connection):
            raise RuntimeError("events is not partitioned; run `landbridge db partition-events` first")
    directory.mkdir(parents=True, exist_ok=True)
    detach_months_before(engine, before)
    cutoff = month_start(before)
    archived: list[ArchivedMonth] = []
    with engine.connect() as connection:
        months = [name for name in _detached_months(connection) if _month_of(name) < cutoff]
    for name in months:
        with engine.connect() as connection:
            rows = int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
        path = directory / f"{name}.dump"
        try:
            subprocess.run(
                ["pg_dump", "--format=custom", "--table", name, "--file", str(path), _libpq_url(url)],
                check=True,
                capture_output=True,
                text=True,
            )
            dumped = _rows_in_dump(path, name)
        except (OSError, subprocess.CalledProcessError) as failure:
            detail = getattr(failure, "stderr", "") or str(failure)
            raise ArchiveError(f"{name}: dump failed, table kept: {detail.strip()[:300]}") from None
        if dumped != rows:
            raise ArchiveError(f"{name}: the dump holds {dumped} rows, the table {rows}; table kept")
        month = ArchivedMonth(name, rows, path, path.stat().st_size)
        with engine.begin() as connection:
            connection.execute(text(f'DROP TABLE "{name}"'))
            _record_archived(connection, month, snapshot_at)
        archived.append(month)
    return archived


def _record_archived(connection: Connection, month: ArchivedMonth, snapshot_at: datetime | None) -> None:
    """Remember where a dropped month went (a month archived again replaces its row)."""
    start = _month_of(month.partition)
    connection.execute(delete(ArchivedEventMonthRow).where(ArchivedEventMonthRow.partition == month.partition))
    connection.execute(
        insert(ArchivedEventMonthRow).values(
            partition=month.partition,
            month_start=start,
            month_end=next_month(start),
            rows=month.rows,
            dump_file=str(month.path.resolve()),
            dump_bytes=month.size_bytes,
            snapshot_boundary_at=snapshot_at,
            archived_at=datetime.now(UTC),
        )
    )
