"""Dashboard numbers over data written by the operations services (not only the browser demo's rows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from landbridge.config import get_settings
from landbridge.demo.day import play_demo_day
from landbridge.domain.events import EventType
from landbridge.scenarios.loader import bundled_scenario_path
from landbridge.services.operations import rail
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.readmodels import overview as overview_module
from landbridge.web.readmodels.berths import berth_calls
from landbridge.web.readmodels.overview import overview
from landbridge.web.readmodels.rail import trains
from tests.e2e.support import seed


def test_departures_and_train_times_come_from_train_events(database_url: str) -> None:
    seed(database_url)
    # A fixed moment (17:30 at the base): the whole day lies in one hub day. At the current moment the
    # test failed for hours after the base's midnight (16:00 UTC): the day's trains left "yesterday".
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
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
        figures = overview(session, now)
        assert figures.trains_departed_today == len(left)
        views = {view.reference: view for view in trains(session)}
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
        assert overview(uow.session, datetime(2026, 11, 28, 18, 0, tzinfo=UTC)).trains_departed_today == 1
        assert overview(uow.session, datetime(2026, 11, 29, 17, 0, tzinfo=UTC)).trains_departed_today == 0


def test_the_hub_day_is_counted_in_the_scenarios_time_zone(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a hard-coded +08:00: a base in Berlin starts its day at 23:00 UTC in November."""
    with UnitOfWork.for_url(database_url) as uow:
        uow.session.add(
            tables.EventRow(
                event_type=EventType.TRAIN_DEPARTED.value,
                subject_type="train_visit",
                subject_id="TR-AFTERNOON",
                actor="test",
                role="rail_operator",
                occurred_at=datetime(2026, 11, 28, 17, 0, tzinfo=UTC),
                recorded_at=datetime(2026, 11, 28, 17, 0, tzinfo=UTC),
                location="CNLYG",
                before={},
                after={"status": "departed"},
            )
        )
        uow.commit()
    late_evening = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)  # 07:30 on the 29th in Lianyungang
    with UnitOfWork.for_url(database_url) as uow:
        assert overview(uow.session, late_evening).trains_departed_today == 1
    data = yaml.safe_load(bundled_scenario_path().read_text(encoding="utf-8"))
    data["base"]["time_zone"] = "Europe/Berlin"  # 00:30 on the 29th: the afternoon departure was yesterday
    path = tmp_path / "berlin.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("LANDBRIDGE_SCENARIO", str(path))
    get_settings.cache_clear()
    try:
        with UnitOfWork.for_url(database_url) as uow:
            assert overview(uow.session, late_evening).trains_departed_today == 0
    finally:
        monkeypatch.delenv("LANDBRIDGE_SCENARIO")
        get_settings.cache_clear()


def test_the_overview_counts_every_open_hold_and_names_only_the_oldest(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #19: the holds tile is counted in SQL and the alerts name the oldest few, not a year of holds."""
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    placed = {"MSKU1234565": now - timedelta(days=5), "CSQU3054383": now - timedelta(days=3), "TGHU0000013": now}
    with UnitOfWork.for_url(database_url) as uow:
        for number, at in placed.items():
            uow.session.add(
                tables.ContainerRow(number=number, iso_type="22G1", load_state="full", position_kind="yard")
            )
            uow.session.flush()
            uow.session.add(tables.CustomsHoldRow(container_number=number, reason="check", placed_by="c", placed_at=at))
        uow.commit()
    monkeypatch.setattr(overview_module, "OLD_HOLD_ALERTS", 1)
    with UnitOfWork.for_url(database_url) as uow:
        figures = overview(uow.session, now)
    assert figures.open_holds == 3
    assert [alert for alert in figures.alerts if alert[0] == "old_hold"] == [("old_hold", "MSKU1234565")]


def test_the_berth_screen_shows_calls_not_departed_and_those_departed_in_the_last_week(database_url: str) -> None:
    """Issue #19: a year of calls is history (the vessel-visit list), not the Gantt."""
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    with UnitOfWork.for_url(database_url) as uow:
        for reference, status, departed in (
            ("V-OLD", "departed", now - timedelta(days=10)),
            ("V-RECENT", "departed", now - timedelta(days=2)),
            ("V-ALONGSIDE", "berthed", None),
        ):
            uow.session.add(
                tables.VesselVisitRow(
                    reference=reference, vessel_name=reference, eta=now - timedelta(days=12), status=status
                )
            )
            if departed is not None:
                uow.session.add(
                    tables.EventRow(
                        event_type=EventType.VESSEL_DEPARTED.value,
                        subject_type="vessel_visit",
                        subject_id=reference,
                        actor="test",
                        role="planner",
                        occurred_at=departed,
                        recorded_at=departed,
                        location="CNLYG",
                        before={},
                        after={"status": "departed"},
                    )
                )
        uow.commit()
    with UnitOfWork.for_url(database_url) as uow:
        shown = berth_calls(uow.session, now=now)
        assert sorted(call.reference for call in shown) == ["V-ALONGSIDE", "V-RECENT"]
        assert next(c for c in shown if c.reference == "V-RECENT").actual_end == now - timedelta(days=2)
        assert len(berth_calls(uow.session)) == 3  # without a moment: every call
