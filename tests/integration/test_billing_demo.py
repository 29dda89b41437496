"""A month of the demo base is billed: the demo day played in November, the month run (and run again),
every draft finalised with consecutive numbers, each agreeing with the checker and rendered to PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from landbridge.billing.render import invoice_csv, invoice_pdf
from landbridge.demo.day import play_demo_day
from landbridge.scenarios import load_scenario
from landbridge.services.actor import Actor
from landbridge.services.billing import invoices
from landbridge.services.seeding import seed_scenario
from landbridge.store.repositories import EVERYTHING
from landbridge.store.unit_of_work import UnitOfWork

CLERK = Actor("billing-clerk", "planner")


@pytest.mark.slow
def test_a_month_of_the_demo_base_is_billed_and_rendered(database_url: str) -> None:
    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    play_demo_day(UnitOfWork.for_url(database_url), seed=3, at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC))

    run = invoices.run_period(UnitOfWork.for_url(database_url), CLERK, period="2026-11").body
    assert run["checker"]["agrees"] and len(run["invoices"]) >= 2
    assert sum(Decimal(i["total"]) for i in run["invoices"]) > 0
    again = invoices.run_period(UnitOfWork.for_url(database_url), CLERK, period="2026-11").body
    assert [(i["id"], i["total"]) for i in again["invoices"]] == [(i["id"], i["total"]) for i in run["invoices"]]
    assert {i["outcome"] for i in again["invoices"]} == {"unchanged"}

    numbers = []
    for drafted in run["invoices"]:
        final = invoices.finalise(UnitOfWork.for_url(database_url), CLERK, invoice_id=drafted["id"]).body
        numbers.append(final["number"])
        assert final["total"] == drafted["total"] and final["lines"]
        assert all(line["event_ids"] for line in final["lines"])
        checked = invoices.check_invoice(UnitOfWork.for_url(database_url), EVERYTHING, drafted["id"])
        assert checked["agrees"], checked
        assert invoice_pdf(final, "Lianyungang").startswith(b"%PDF")
        assert invoice_csv(final).splitlines()[-1].endswith(f"CNY,{final['total']},,")
    assert numbers == [f"INV-{n:06d}" for n in range(1, len(numbers) + 1)]
