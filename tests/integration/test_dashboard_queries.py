"""Dashboard numbers over data written by the operations services (not only the browser demo's rows)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from landbridge.services.demo_day import play_demo_day
from landbridge.services.operations import rail
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web import queries
from tests.support import seed


def test_departures_and_train_times_come_from_train_events(database_url: str) -> None:
    seed(database_url)
    now = datetime.now(UTC)
    play_demo_day(UnitOfWork.for_url(database_url), seed=1, at=now)
    with UnitOfWork.for_url(database_url) as uow:
        session = uow.session
        left = [v.reference for v in session.scalars(select(tables.TrainVisitRow)) if v.status not in rail.AT_BASE]
        assert left, "the demo day departs trains"
        container_departures = session.scalar(
            select(func.count())
            .select_from(tables.EventRow)
            .where(tables.EventRow.event_type == "train.departed", tables.EventRow.subject_type == "container")
        )
        assert container_departures and container_departures > len(left)  # what the count must not use
        overview = queries.overview(session, datetime.now(UTC))
        assert overview.trains_departed_today == len(left)
        views = {view.reference: view for view in queries.trains(session)}
        assert all(views[reference].departed_at is not None for reference in left)


def test_a_departure_in_the_hub_evening_counts_for_that_hub_day(database_url: str) -> None:
    # 17:00 UTC is 01:00 the next day at the base (UTC+8): the hub day began at 16:00 UTC.
    departed_at = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    with UnitOfWork.for_url(database_url) as uow:
        uow.session.add(
            tables.EventRow(
                event_type="train.departed",
                subject_type="train_visit",
                subject_id="TR-EVENING",
                actor="test",
                role="rail_operator",
                occurred_at=departed_at,
                recorded_at=departed_at,
                location="CNLYG",
                before={},
                after={"status": "departed"},
            )
        )
        uow.commit()
    with UnitOfWork.for_url(database_url) as uow:
        assert queries.overview(uow.session, datetime(2026, 11, 28, 18, 0, tzinfo=UTC)).trains_departed_today == 1
        assert queries.overview(uow.session, datetime(2026, 11, 29, 17, 0, tzinfo=UTC)).trains_departed_today == 0
