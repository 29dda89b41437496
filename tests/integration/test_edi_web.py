"""The dashboard's Interchange screen lists interchanges received and sent with their status."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from landbridge.services.containers import Actor
from landbridge.services.interchange.defaults import seed_partners
from landbridge.services.interchange.importer import import_edifact
from landbridge.store.unit_of_work import UnitOfWork

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"


def test_interchange_screen_lists_received_interchanges_in_each_language(
    seeded_client: TestClient, database_url: str
) -> None:
    empty = seeded_client.get("/interchange")
    assert empty.status_code == 200 and 'id="no-interchanges"' in empty.text
    seed_partners(UnitOfWork.for_url(database_url))
    for name in ("codeco_d95b_rail.edi", "malformed/coprar_bad_check_digit.edi"):
        list(import_edifact(UnitOfWork.for_url(database_url), (FIXTURES / name).read_text(), Actor("t", "admin")))
    page = seeded_client.get("/interchange")
    assert 'id="interchanges"' in page.text
    assert "KTZ000451" in page.text and "CPR2612070001" in page.text
    assert "check digit should be 3" in page.text
    russian = seeded_client.get("/interchange?lang=ru")
    assert "Полученные и отправленные обмены EDIFACT" in russian.text and "отклонено" in russian.text
