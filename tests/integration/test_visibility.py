"""The one access model at its edges: owner codes and operators as data, bad input refused, yard counted in positions.

The matrix (``test_access_matrix.py``) proves who sees what across every route and screen; this file
checks the data it rests on — a line's owner codes and the operator of a call — and the occupancy fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.domain.errors import RuleViolation
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ManifestEntry
from landbridge.services.authz import create_user
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.operations import manifests, parties, vessel
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.readmodels.overview import overview
from landbridge.web.readmodels.yard import yard_blocks
from tests.e2e.support import bearer, container_number, seed, token

ADMIN = Actor("setup", "admin")
ETA = "2026-11-30T06:00:00Z"


@pytest.fixture
def hub(database_url: str) -> Iterator[tuple[TestClient, str]]:
    seed(database_url)
    with TestClient(create_app(database_url)) as client:
        yield client, database_url


def test_owner_codes_are_three_letters_and_belong_to_one_party(hub: tuple[TestClient, str]) -> None:
    client, url = hub
    planner = bearer(token(url, "planner", "planner"))
    line = {"code": "LINEA", "name": "Line A", "role": "shipping_line", "owner_codes": ["LNA", "LNB"]}
    assert client.post("/api/v1/parties", headers=planner, json=line).status_code == 201
    bad = client.post("/api/v1/parties", headers=planner, json={**line, "code": "LINEB", "owner_codes": ["L1A"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-2:] == ["owner_codes", 0], bad.text
    taken = client.post("/api/v1/parties", headers=planner, json={**line, "code": "LINEB", "owner_codes": ["LNB"]})
    assert taken.status_code == 409 and "LNB belongs to party LINEA" in taken.text, taken.text
    assert taken.json()["detail"][0]["loc"][-1] == "owner_codes"
    with UnitOfWork.for_url(url) as uow:
        assert uow.parties.party("LINEB") is None  # nothing half-written
        assert uow.parties.owner_codes("LINEA") == ["LNA", "LNB"]


def test_a_shipping_line_user_acts_for_its_party(hub: tuple[TestClient, str]) -> None:
    client, url = hub
    with pytest.raises(RuleViolation) as refused:
        create_user(UnitOfWork.for_url(url), name="agent", role="shipping_line")
    assert refused.value.field == "party"
    parties.create_party(
        UnitOfWork.for_url(url), ADMIN, code="LINEA", name="Line A", role=parties.PartyRole.SHIPPING_LINE
    )
    agent = bearer(token(url, "agent", "shipping_line", "LINEA"))
    planner = bearer(token(url, "planner", "planner"))
    call = {"reference": "V-1", "vessel_name": "LINEA STAR", "eta": ETA}
    own = client.post("/api/v1/vessel-visits", headers=agent, json=call)
    assert own.status_code == 201 and own.json()["operator_code"] == "LINEA", own.text
    foreign = client.post(
        "/api/v1/vessel-visits", headers=agent, json={**call, "reference": "V-2", "operator_code": "X"}
    )
    assert foreign.status_code == 403 and foreign.json()["detail"][0]["loc"][-1] == "operator_code"
    unknown = client.post(
        "/api/v1/vessel-visits", headers=planner, json={**call, "reference": "V-3", "operator_code": "NOSUCH"}
    )
    assert unknown.status_code == 404 and unknown.json()["detail"][0]["loc"][-1] == "operator_code"
    assert client.post("/api/v1/vessel-visits", headers=planner, json={**call, "reference": "V-4"}).status_code == 201
    assert [v["reference"] for v in client.get("/api/v1/vessel-visits", headers=agent).json()] == ["V-1"]
    assert client.get("/api/v1/vessel-visits/V-4", headers=agent).status_code == 404


def test_yard_occupancy_counts_20ft_positions(hub: tuple[TestClient, str]) -> None:
    """A 40 ft box fills two 20 ft positions of a block whose capacity is counted in 20 ft positions."""
    client, url = hub
    at = datetime(2026, 11, 28, tzinfo=UTC)
    vessel.announce_vessel(UnitOfWork.for_url(url), ADMIN, reference="V1", vessel_name="Box", eta=at)
    vessel.berth_vessel(UnitOfWork.for_url(url), ADMIN, reference="V1", berth_code="29", etb=at)
    declared = [ManifestEntry(container_number(serial)) for serial in (1, 2)]
    manifests.set_discharge_list(UnitOfWork.for_url(url), ADMIN, visit="V1", entries=declared)
    for serial, iso_type, slot in ((1, "42G1", "A-02-01-1"), (2, "22G1", "A-05-01-1")):
        number = container_number(serial)
        register_container(UnitOfWork.for_url(url), RegisterContainer(ContainerNumber(number), iso_type), ADMIN)
        vessel.discharge_container(UnitOfWork.for_url(url), ADMIN, reference="V1", container=number, slot=slot)
    blocks = {b["code"]: b for b in client.get("/api/v1/yard/blocks").json()}
    assert blocks["A"]["occupied_slots"] == 3  # 2 for the 40 ft box, 1 for the 20 ft box
    assert blocks["A"]["occupancy_pct"] == round(100 * 3 / blocks["A"]["capacity_slots"], 1)
    with UnitOfWork.for_url(url) as uow:
        assert {b.code: b.occupied for b in yard_blocks(uow.session, at)}["A"] == 3
        assert overview(uow.session, at).yard_occupied == 3


def test_a_lines_owner_codes_can_be_set_later_and_decide_what_it_sees(hub: tuple[TestClient, str]) -> None:
    """A line registered before it named its codes (or one that buys a fleet) gets them by PUT."""
    client, url = hub
    planner = bearer(token(url, "planner", "planner"))
    for code in ("LINEA", "LINEB"):
        parties.create_party(UnitOfWork.for_url(url), ADMIN, code=code, name=code, role=parties.PartyRole.SHIPPING_LINE)
    parties.set_owner_codes(UnitOfWork.for_url(url), ADMIN, code="LINEB", owner_codes=["LNB"])
    box = container_number(7, owner="LNA")
    register_container(UnitOfWork.for_url(url), RegisterContainer(ContainerNumber(box), "22G1"), ADMIN)
    agent = bearer(token(url, "agent", "shipping_line", "LINEA"))
    assert client.get(f"/api/v1/containers/{box}", headers=agent).status_code == 404
    done = client.put("/api/v1/parties/LINEA/owner-codes", headers=planner, json={"owner_codes": ["LNA", "LNC"]})
    assert done.status_code == 200 and done.json()["owner_codes"] == ["LNA", "LNC"], done.text
    assert client.get(f"/api/v1/containers/{box}", headers=agent).status_code == 200
    taken = client.put("/api/v1/parties/LINEA/owner-codes", headers=planner, json={"owner_codes": ["LNB"]})
    assert taken.status_code == 409 and taken.json()["detail"][0]["loc"][-1] == "owner_codes"
    bad = client.put("/api/v1/parties/LINEA/owner-codes", headers=planner, json={"owner_codes": ["lna1"]})
    assert bad.status_code == 422 and "owner_codes" in bad.json()["detail"][0]["loc"]
    missing = client.put("/api/v1/parties/NOSUCH/owner-codes", headers=planner, json={"owner_codes": ["LNX"]})
    assert missing.status_code == 404
    assert client.put("/api/v1/parties/LINEA/owner-codes", headers=agent, json={"owner_codes": []}).status_code == 403
    assert client.get(f"/api/v1/containers/{box}", headers=agent).status_code == 200  # refusals changed nothing
    with UnitOfWork.for_url(url) as uow:
        assert uow.parties.owner_codes("LINEA") == ["LNA", "LNC"]
        history = [e.event_type.value for e in uow.events.for_subject("party", "LINEA")]
    assert history == ["party.created", "party.owner_codes_set"]
