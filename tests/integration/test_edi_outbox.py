"""Outbound: every gate and rail move becomes one CODECO, queued once, delivered at least once, numbered uniquely."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from landbridge.domain.containers import LoadState
from landbridge.domain.identifiers import ContainerNumber
from landbridge.interchange.edifact.messages import read
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.interchange.exports import produce_codeco
from landbridge.services.interchange.outbox import deliver_due
from landbridge.services.interchange.partners import save_partner
from landbridge.services.interchange.queries import interchanges
from landbridge.services.operations import gate
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import seed

ACTOR = Actor(name="gate", role="admin")


def test_gate_moves_are_queued_once_and_delivered_to_the_partner_folder(database_url: str, tmp_path: Path) -> None:
    seed(database_url)
    url = database_url
    folder = tmp_path / "ktz-out"
    save_partner(
        UnitOfWork.for_url(url),
        code="KTZE",
        name="KTZ Express",
        unb_id="KTZEXPRESS",
        time_zone="Asia/Almaty",
        outbound=["CODECO:2.1"],
        delivery_kind="folder",
        delivery_target=str(folder),
    )
    register_container(
        UnitOfWork.for_url(url), RegisterContainer(ContainerNumber("CSQU3054383"), "45G1", LoadState.FULL, 24500), ACTOR
    )
    _booked(url, "CSQU3054383")
    gate.truck_in(
        UnitOfWork.for_url(url),
        ACTOR,
        reference="TRK-1",
        plate="SU12345",
        drop_off=["CSQU3054383"],
        pick_up=[],
        override_reason="test: walk-in without an appointment",
    )
    assert produce_codeco(UnitOfWork.for_url(url)) == {"KTZE": 1}
    assert produce_codeco(UnitOfWork.for_url(url)) == {}  # the cursor moved: nothing is queued twice
    [result] = deliver_due(UnitOfWork.for_url(url))
    assert result.delivered, result.error
    files = sorted(folder.glob("*.edi"))
    assert [path.name for path in files] == [f"{result.control_reference}.edi"]
    [interchange] = list(read(files[0].read_text(), UTC))
    message = interchange.messages[0]
    assert message.ok, [problem.describe() for problem in message.problems]
    assert message.raw.segments[1].component(1) == "34"  # gate-in
    assert deliver_due(UnitOfWork.for_url(url)) == []  # delivered once, not again
    sent = interchanges(UnitOfWork.for_url(url), direction="out")
    assert sent[0]["status"] == "delivered"


def test_a_failed_delivery_is_retried_later_with_the_same_reference(database_url: str, tmp_path: Path) -> None:
    seed(database_url)
    url = database_url
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    save_partner(
        UnitOfWork.for_url(url),
        code="DEP",
        name="Depot",
        unb_id="DEPOT",
        outbound=["CODECO:2.1"],
        delivery_kind="folder",
        delivery_target=str(blocker),
    )
    register_container(
        UnitOfWork.for_url(url), RegisterContainer(ContainerNumber("CSQU3054383"), "45G1", LoadState.FULL, 24500), ACTOR
    )
    _booked(url, "CSQU3054383")
    gate.truck_in(
        UnitOfWork.for_url(url),
        ACTOR,
        reference="TRK-1",
        plate="SU12345",
        drop_off=["CSQU3054383"],
        pick_up=[],
        override_reason="test: walk-in without an appointment",
    )
    produce_codeco(UnitOfWork.for_url(url))
    [failed] = deliver_due(UnitOfWork.for_url(url))
    assert not failed.delivered and failed.error
    assert deliver_due(UnitOfWork.for_url(url)) == []  # backing off
    blocker.unlink()
    [retried] = deliver_due(UnitOfWork.for_url(url), now=datetime.now(UTC) + timedelta(minutes=5))
    assert retried.delivered and retried.control_reference == failed.control_reference
    assert (blocker / f"{failed.control_reference}.edi").exists()


def _booked(url: str, number: str) -> None:
    """An export drop-off needs a booking (operations' gate rule)."""
    from landbridge.domain.units import PartyRole
    from landbridge.services.operations import parties

    parties.create_party(UnitOfWork.for_url(url), ACTOR, code="SHP1", name="Shipper", role=PartyRole.SHIPPER)
    parties.create_consignment(
        UnitOfWork.for_url(url),
        ACTOR,
        booking_reference="BK-1",
        shipper_code="SHP1",
        consignee_code=None,
        origin="CNLYG",
        destination="KZALA",
        goods=[],
    )
    parties.assign_container(UnitOfWork.for_url(url), ACTOR, booking_reference="BK-1", container=number)
