"""Every DCSA event we publish validates against DCSA's own Track & Trace 2.2 specification.

Two sources of events: a whole demo day played through the operations services, and the random
command histories of the operations state machine (``tests/property``). Each event is checked as an
item of GET /v2/events (anyOf the three kinds) and against the schema of its own kind, formats
included. The specification comes from the shared folder; without it these tests skip.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from landbridge.demo.day import play_demo_day
from landbridge.scenarios import load_scenario
from landbridge.services.seeding import seed_scenario
from landbridge.services.tracking import STAFF, EventQuery, catch_up, find_page
from landbridge.store.database import engine_for
from landbridge.store.unit_of_work import UnitOfWork
from tests.contract.dcsa_spec import require_spec, violations
from tests.property.test_operations_stateful import HubMachine, _prepare


def published_events(url: str) -> list[dict[str, Any]]:
    """The whole feed as hub staff read it, page by page."""
    catch_up(UnitOfWork.for_url(url), max_batches=10_000)
    events: list[dict[str, Any]] = []
    cursor: str | None = None
    uow = UnitOfWork.for_url(url)
    while True:
        with uow:
            page = find_page(uow, EventQuery(limit=1000, cursor=cursor), STAFF)
        events += page.events
        cursor = page.next_cursor
        if cursor is None:
            return events


@pytest.mark.slow
def test_every_event_of_a_demo_day_is_valid(database_url: str) -> None:
    require_spec()
    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    play_demo_day(UnitOfWork.for_url(database_url), seed=3, at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    events = published_events(database_url)
    kinds = {e["eventType"] for e in events}
    assert len(events) > 100 and kinds == {"EQUIPMENT", "TRANSPORT", "SHIPMENT"}, (len(events), kinds)
    assert violations(events) == []


class PublishingHubMachine(HubMachine):
    """The operations state machine; at the end of each random history, its whole DCSA feed is validated."""

    def teardown(self) -> None:
        try:
            events = published_events(self.url)
            found = violations(events)
            assert found == [], "\n".join(found[:20])
        finally:
            super().teardown()


@pytest.mark.slow
def test_every_event_of_random_histories_is_valid(database_url: str) -> None:
    require_spec()
    _prepare(database_url)
    engine_for(database_url).dispose()  # PostgreSQL clones a template only while nobody is connected to it
    PublishingHubMachine.template_url = database_url
    run_state_machine_as_test(
        PublishingHubMachine,
        settings=settings(
            max_examples=5,
            stateful_step_count=15,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
