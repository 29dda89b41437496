"""Received messages applied through the operations core: COPRAR → lists, BAPLIE vs lists, VERMAS → VGM,
COPARN release → delivery order, CSV lists → lists; each with the message's time on its events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from landbridge.domain.containers import LoadState
from landbridge.domain.events import as_utc, utc_now
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ListKind, VisitKind
from landbridge.interchange.csv_lists import ListKind as CsvKind
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.interchange.csv_import import export_csv, import_csv
from landbridge.services.interchange.defaults import seed_partners
from landbridge.services.interchange.importer import import_edifact
from landbridge.services.interchange.queries import interchange
from landbridge.services.operations import manifests, vessel
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

BOXES = {"CSQU3054383", "CBHU8123451", "TGHU1000018", "TCNU2000026"}
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACTOR = Actor(name="edi-test", role="admin")


def _import(url: str, text: str):  # type: ignore[no-untyped-def]
    return list(import_edifact(UnitOfWork.for_url(url), text, ACTOR, source_name="test"))


def _edi(name: str) -> str:
    return (FIXTURES / "edifact" / name).read_text()


def _announce(url: str, reference: str = "V-126E") -> None:
    vessel.announce_vessel(
        UnitOfWork.for_url(url),
        ACTOR,
        reference=reference,
        vessel_name="COSCO Lianyungang",
        eta=datetime(2026, 12, 8, 6, 0, tzinfo=UTC),
        imo_number="9412347",
    )


def _listed(url: str, visit: str, kind: ListKind) -> list[str]:
    return [
        entry["container"]
        for entry in manifests.list_of(UnitOfWork.for_url(url), VisitKind.VESSEL, visit, kind)["entries"]
    ]


def test_coprar_fills_the_discharge_and_load_lists_and_a_replacement_replaces(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    _announce(database_url)
    [discharge] = _import(database_url, _edi("coprar_d00b_discharge.edi"))
    assert discharge.status == "accepted", discharge.report()
    summary = discharge.messages[0].summary
    assert summary["visit"] == "V-126E" and summary["change"] == "replaced" and summary["listed"] == 4
    assert set(_listed(database_url, "V-126E", ListKind.DISCHARGE)) == BOXES
    # issued (08:00 Shanghai) before the call was announced here: applied at receipt time, and said so
    assert "applied at receipt time" in str(summary["notes"])
    [load] = _import(database_url, _edi("coprar_d00b_load.edi"))
    assert load.status == "accepted", load.report()
    assert load.messages[0].summary["list"] == "load"
    assert _listed(database_url, "V-126E", ListKind.LOAD)
    # a replacement (BGM function 5) of the discharge order with one box: the list is that box
    text = _edi("coprar_d00b_discharge.edi").replace("CPR2612070001", "CPR2612079999")
    text = text.replace("BGM+45+DIS-COSLYG-261207+9'", "BGM+45+DIS-COSLYG-261207+5'")
    start, end = text.index("EQD+CN+CBHU8123451"), text.index("CNT+16:4'")
    removed = text[start:end].count("'")
    text = text[:start] + text[end:]
    text = text.replace("CNT+16:4'", "CNT+16:1'").replace("UNT+43+1'", f"UNT+{43 - removed}+1'")
    [replaced] = _import(database_url, text)
    assert replaced.status == "accepted", replaced.report()
    assert _listed(database_url, "V-126E", ListKind.DISCHARGE) == ["CSQU3054383"]
    with UnitOfWork.for_url(database_url) as uow:
        kinds = [event.event_type.value for event in uow.events.for_subject("vessel_visit", "V-126E")]
    assert kinds.count("manifest.set") == 3


def test_coprar_for_an_unknown_call_is_rejected_naming_tdt(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    [outcome] = _import(database_url, _edi("coprar_d00b_discharge.edi"))
    assert outcome.status == "rejected"
    problem = outcome.messages[0].problems[-1]
    assert problem.segment_tag == "TDT" and "announce the call" in problem.reason
    assert "UCM+1+COPRAR:D:00B:UN:SMDG21+4+12'" in (outcome.contrl or "")


def test_coprar_issued_after_the_call_was_announced_carries_its_own_time(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    _announce(database_url)
    issued = (utc_now() + timedelta(minutes=1)).replace(second=0, microsecond=0)  # after the announcement
    local = issued.astimezone(ZoneInfo("Asia/Shanghai"))  # the COSCO partner's zone
    text = _edi("coprar_d00b_discharge.edi").replace("DTM+137:202612070800:203'", f"DTM+137:{local:%Y%m%d%H%M}:203'")
    [outcome] = _import(database_url, text)
    assert outcome.status == "accepted", outcome.report()
    assert "notes" not in outcome.messages[0].summary
    with UnitOfWork.for_url(database_url) as uow:
        latest = uow.events.latest_for("vessel_visit", "V-126E")
    assert latest is not None and latest.event_type.value == "manifest.set"
    assert as_utc(latest.occurred_at) == issued


def test_bayplan_is_compared_with_the_discharge_list(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    _announce(database_url)
    [coprar] = _import(database_url, _edi("coprar_d00b_discharge.edi"))
    assert coprar.status == "accepted", coprar.report()
    [plan] = _import(database_url, _edi("baplie_22.edi"))
    assert plan.status == "accepted", plan.report()
    differences = plan.messages[0].summary["differences"]
    with UnitOfWork.for_url(database_url) as uow:
        from landbridge.services.interchange.bayplans import cells

        in_plan = {row.container_number for row in cells(uow, "V-126E")}
    listed = set(_listed(database_url, "V-126E", ListKind.DISCHARGE))
    assert set(differences["listed_not_in_bayplan"]) == listed - in_plan
    assert "TCNU2000026" in differences["listed_not_in_bayplan"]
    assert set(differences["in_bayplan_not_listed"]) <= in_plan - listed


def test_vermas_declares_the_vgm_through_the_operations(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    register_container(
        UnitOfWork.for_url(database_url),
        RegisterContainer(ContainerNumber("OOLU3000038"), "45G1", LoadState.FULL),
        ACTOR,
    )
    [outcome] = _import(database_url, _edi("vermas_d16a.edi"))
    assert outcome.status == "accepted", outcome.report()
    assert outcome.messages[0].summary["declared"] == [
        {"container": "OOLU3000038", "mass_kg": 21900, "method": 1},
        {"container": "CCLU4000042", "mass_kg": 19870, "method": 2},
    ]
    with UnitOfWork.for_url(database_url) as uow:
        rows = [
            (row.container_number, row.mass_kg, row.verified_by, as_utc(row.verified_at))
            for row in uow.session.scalars(select(tables.VgmRow).order_by(tables.VgmRow.container_number))
        ]
        events = uow.events.for_subject("container", "CCLU4000042")
    assert rows == [
        ("CCLU4000042", 19870, "A. NURLANOV", datetime(2026, 12, 7, 4, 45, tzinfo=UTC)),  # 09:45 in Almaty (UTC+5)
        ("OOLU3000038", 21900, "A. NURLANOV", datetime(2026, 12, 7, 4, 30, tzinfo=UTC)),
    ]
    assert [event.event_type.value for event in events] == ["container.registered", "container.vgm_declared"]


def test_vermas_with_a_mass_above_the_rating_is_rejected_whole(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    text = _edi("vermas_d16a.edi").replace("MEA+AAE+VGM+KGM:19870'", "MEA+AAE+VGM+KGM:99870'")
    [outcome] = _import(database_url, text)
    assert outcome.status == "rejected"
    problem = outcome.messages[0].problems[-1]
    assert problem.segment_tag == "EQD" and "mass_kg" in problem.reason
    with UnitOfWork.for_url(database_url) as uow:
        assert uow.session.scalar(select(tables.VgmRow)) is None  # the first box's VGM was not kept either
        assert not uow.containers.exists(ContainerNumber("OOLU3000038"))


def _release() -> tuple[str, datetime]:
    """The release sample issued an hour ago (Shanghai time), valid until a week from now; and that expiry."""
    shanghai = ZoneInfo("Asia/Shanghai")
    issued = (utc_now() - timedelta(hours=1)).astimezone(shanghai)
    expiry = (utc_now() + timedelta(days=7)).astimezone(shanghai).replace(second=0, microsecond=0)
    text = _edi("coparn_d00b_release.edi").replace("DTM+137:202612080900:203'", f"DTM+137:{issued:%Y%m%d%H%M}:203'")
    return text.replace("DTM+36:202612150000:203'", f"DTM+36:{expiry:%Y%m%d%H%M}:203'"), expiry


def test_coparn_release_issues_a_delivery_order_and_its_pin_is_answered_once(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    register_container(
        UnitOfWork.for_url(database_url),
        RegisterContainer(ContainerNumber("CSQU3054383"), "45G1", LoadState.FULL, 24500),
        ACTOR,
    )
    text, expiry = _release()
    [outcome] = _import(database_url, text)
    assert outcome.status == "accepted", outcome.report()
    summary = outcome.messages[0].summary
    assert summary["delivery_order"] == "REL-COSU6123456780" and summary["containers"] == ["CSQU3054383"]
    assert summary["pin"].isalnum()
    assert datetime.fromisoformat(summary["valid_to"]) == expiry  # DTM+36
    with UnitOfWork.for_url(database_url) as uow:
        order = uow.gate.delivery_order("REL-COSU6123456780")
        assert order is not None and order.status == "open"
    kept = interchange(UnitOfWork.for_url(database_url), outcome.id or 0)
    assert summary["pin"] not in str(kept)  # the PIN is not kept in the interchange log
    [again] = _import(database_url, text)
    assert again.status == "duplicate"


def test_coparn_release_of_an_unknown_box_is_rejected(database_url: str) -> None:
    seed_partners(UnitOfWork.for_url(database_url))
    [outcome] = _import(database_url, _release()[0])
    assert outcome.status == "rejected"
    assert "CSQU3054383" in outcome.messages[0].problems[-1].reason
    with UnitOfWork.for_url(database_url) as uow:
        assert uow.gate.delivery_order("REL-COSU6123456780") is None


def test_csv_discharge_list_becomes_the_calls_list_and_exports_back(database_url: str) -> None:
    _announce(database_url)
    text = (FIXTURES / "csv" / "discharge_list_126E.csv").read_text()
    report = import_csv(UnitOfWork.for_url(database_url), ACTOR, text, CsvKind.DISCHARGE, visit="V-126E")
    assert report.applied, report.problems
    assert set(_listed(database_url, "V-126E", ListKind.DISCHARGE)) == BOXES
    exported = export_csv(UnitOfWork.for_url(database_url), CsvKind.DISCHARGE, visit="V-126E")
    assert "CSQU3054383" in exported and "45G1" in exported
    unknown = import_csv(UnitOfWork.for_url(database_url), ACTOR, text, CsvKind.DISCHARGE, visit="V-NONE")
    assert not unknown.applied and unknown.problems[0].column == "reference"


def test_a_lines_release_covers_only_boxes_the_line_may_see(database_url: str) -> None:
    """Imported as the line's own user (party-scoped), a release of a box it neither owns nor ships is refused."""
    seed_partners(UnitOfWork.for_url(database_url))
    register_container(
        UnitOfWork.for_url(database_url),
        RegisterContainer(ContainerNumber("CSQU3054383"), "45G1", LoadState.FULL, 24500),
        ACTOR,
    )
    line = Actor(name="cosco-user", role="shipping_line", party="COSCO")
    [outcome] = list(
        import_edifact(UnitOfWork.for_url(database_url), _release()[0], line, source_name="line", party="COSCO")
    )
    assert outcome.status == "rejected", outcome.report()
    assert "CSQU3054383" in outcome.messages[0].problems[-1].reason
    with UnitOfWork.for_url(database_url) as uow:
        assert uow.gate.delivery_order("REL-COSU6123456780") is None
