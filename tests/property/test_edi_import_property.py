"""Hypothesis imports mutated partner messages into one database: a message is either applied (its
events are there) or rejected (nothing carries its source reference) — never half-written."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from landbridge.services.containers import Actor
from landbridge.services.interchange.defaults import seed_partners
from landbridge.services.interchange.importer import import_edifact
from landbridge.store import tables
from landbridge.store.migrate import upgrade
from landbridge.store.unit_of_work import UnitOfWork

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"
SOURCES = [
    (FIXTURES / "codeco_d95b_rail.edi").read_text(),
    (FIXTURES / "malformed" / "codeco_untidy_concatenated.edi").read_text(),
]
SNIPPETS = [
    "?'",
    "?+",
    "?:",
    "??",
    "'",
    "+",
    ":",
    "UNA:+.? '",
    "\x00",
    "EQD+CN+XXXU0000000'",
    "DTM+7:209912310000:203'",
]
_DIRECTORY = tempfile.TemporaryDirectory()
URL = f"sqlite:///{Path(_DIRECTORY.name) / 'property.db'}"
upgrade(URL)
seed_partners(UnitOfWork.for_url(URL))


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SOURCES))
    # a fresh UNB reference per example, so each is a new interchange and not a duplicate
    serial = draw(st.integers(0, 10**9))
    text = text.replace("+KTZ000451", f"+K{serial:09d}").replace("+DEP00000", f"+D{serial:09d}")
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:where] + draw(st.sampled_from(SNIPPETS)) + text[where:]
        else:
            text = text[:where] + text[where + draw(st.integers(1, 30)) :]
    return text


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_each_message_is_applied_whole_or_leaves_no_trace(text: str) -> None:
    outcomes = list(import_edifact(UnitOfWork.for_url(URL), text, Actor("fuzz", "admin")))
    with UnitOfWork.for_url(URL) as uow:
        for outcome in outcomes:
            if outcome.status == "duplicate":
                continue  # answered from the record of the first import, which this test already checked
            for message in outcome.messages:
                source = f"edi:{outcome.partner_code}:{outcome.id}:{message.reference}"[:128]
                written = uow.session.scalar(
                    select(func.count()).select_from(tables.EventRow).where(tables.EventRow.source_reference == source)
                )
                if outcome.status == "held" or message.status != "applied":
                    assert written == 0, (outcome.status, message.status, source)
                else:
                    assert written and written > 0, source
