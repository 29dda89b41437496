"""Role × endpoint × own/foreign object: every route enforces its role, and a shipper never sees a foreign object.

The expected roles below are written out independently of the policy table, so a route wired to the
wrong action, or a policy change nobody meant, fails here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.domain.events import utc_now
from landbridge.domain.grain import HopperWagon
from landbridge.services.containers import Actor
from landbridge.services.operations import grain, holds, parties
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import ROLES, bearer, container_number, seed, token, wagon_1520

OWN, FOREIGN = container_number(101), container_number(202)
WRITES: list[tuple[str, frozenset[str]]] = [
    ("/api/v1/containers", frozenset({"planner", "yard_operator", "gate_clerk", "shipping_line", "admin"})),
    ("/api/v1/parties", frozenset({"planner", "admin"})),
    ("/api/v1/consignments", frozenset({"planner", "shipping_line", "admin"})),
    ("/api/v1/consignments/BK-OWN/containers", frozenset({"planner", "shipping_line", "admin"})),
    ("/api/v1/vessel-visits", frozenset({"planner", "shipping_line", "admin"})),
    ("/api/v1/vessel-visits/V9/berth", frozenset({"planner", "shipping_line", "admin"})),
    ("/api/v1/vessel-visits/V9/discharge", frozenset({"yard_operator", "admin"})),
    ("/api/v1/vessel-visits/V9/load", frozenset({"yard_operator", "admin"})),
    ("/api/v1/yard/moves", frozenset({"yard_operator", "admin"})),
    ("/api/v1/train-visits", frozenset({"planner", "rail_operator", "admin"})),
    ("/api/v1/train-visits/T9/load", frozenset({"rail_operator", "admin"})),
    ("/api/v1/train-visits/T9/gauge-transfer", frozenset({"rail_operator", "admin"})),
    ("/api/v1/gate/appointments", frozenset({"planner", "gate_clerk", "shipping_line", "shipper", "admin"})),
    ("/api/v1/gate/trucks", frozenset({"gate_clerk", "admin"})),
    ("/api/v1/cfs/stuff", frozenset({"yard_operator", "admin"})),
    ("/api/v1/grain/lots", frozenset({"yard_operator", "admin"})),
    ("/api/v1/grain/lots/L-OWN/ship", frozenset({"yard_operator", "admin"})),
    ("/api/v1/customs/holds", frozenset({"customs_officer", "admin"})),
    (
        "/api/v1/holds",
        frozenset({"planner", "yard_operator", "gate_clerk", "customs_officer", "shipping_line", "admin"}),
    ),
    ("/api/v1/delivery-orders", frozenset({"planner", "shipping_line", "admin"})),
    ("/api/v1/vessels", frozenset({"planner", "shipping_line", "admin"})),
    ("/api/v1/vessel-visits/V9/discharge-list/add", frozenset({"planner", "shipping_line", "admin"})),
    ("/api/v1/train-visits/T9/planned-boxes/add", frozenset({"planner", "rail_operator", "admin"})),
    (
        f"/api/v1/containers/{OWN}/vgm",
        frozenset({"planner", "yard_operator", "gate_clerk", "shipping_line", "shipper", "admin"}),
    ),
    ("/api/v1/plans/berth", frozenset({"planner", "admin"})),
    ("/api/v1/plans/train", frozenset({"planner", "admin"})),
    ("/api/v1/plans/silo", frozenset({"planner", "admin"})),
    ("/api/v1/plans/berth/apply", frozenset({"planner", "admin"})),
]
STAFF_READERS = frozenset(ROLES) - {"shipper", "shipping_line"}
# (path template, roles that may read, whether a shipper may read its own)
READS: list[tuple[str, frozenset[str]]] = [
    ("/api/v1/containers/{box}", STAFF_READERS | {"shipping_line", "shipper"}),
    ("/api/v1/containers/{box}/history", STAFF_READERS | {"shipping_line", "shipper"}),
    ("/api/v1/containers/{box}/holds", STAFF_READERS | {"shipping_line", "shipper"}),
    ("/api/v1/grain/lots/{lot}", STAFF_READERS | {"shipper"}),
]
LISTS = [
    "/api/v1/containers",
    "/api/v1/grain/lots",
    "/api/v1/grain/balance",
    "/dcsa/tnt/v2/events",
    "/api/v1/holds",
    "/api/v1/holds?open=true",
]


def _world(url: str) -> dict[str, dict[str, str]]:
    seed(url)
    admin = Actor("setup", "admin")
    for code in ("ACME", "OTHERCO"):
        parties.create_party(UnitOfWork.for_url(url), admin, code=code, name=code, role=parties.PartyRole.SHIPPER)
    for booking, owner, box in (("BK-OWN", "ACME", OWN), ("BK-OTHER", "OTHERCO", FOREIGN)):
        uow = UnitOfWork.for_url(url)
        parties.create_consignment(
            uow,
            admin,
            booking_reference=booking,
            shipper_code=owner,
            consignee_code=None,
            origin="CNLYG",
            destination="KZALA",
            goods=[],
        )
        from landbridge.domain.identifiers import ContainerNumber
        from landbridge.services.containers import RegisterContainer, register_container

        register_container(uow, RegisterContainer(ContainerNumber(box), "22G1"), admin)
        parties.assign_container(uow, admin, booking_reference=booking, container=box)
        holds.place_hold(uow, admin, container=box, reason="x-ray")
        grain.receive_grain(
            uow,
            admin,
            reference=f"L-{booking[3:]}",
            owner_code=owner,
            crop="wheat",
            grain_class="3",
            mass_kg=1000,
            moisture_pct=12,
            silo_code="S0" + ("1" if owner == "ACME" else "2"),
            source_kind="hopper_wagons",
            wagons=[HopperWagon(wagon_1520(1), 1000)],
        )
    headers = {role: bearer(token(url, role, role, "ACME" if role == "shipper" else None)) for role in ROLES}
    headers["nobody"] = {}
    return headers


def _get(client: TestClient, path: str, headers: dict[str, str]) -> Any:
    return client.get(path, headers=headers)


def test_access_matrix(database_url: str) -> None:
    users = _world(database_url)
    leaks: list[str] = []
    with TestClient(create_app(database_url)) as client:
        for path, allowed in WRITES:
            assert client.post(path, json={}).status_code == 401, path
            for role in ROLES:
                status = client.post(path, json={}, headers=users[role]).status_code
                expected_denied = role not in allowed
                if expected_denied != (status == 403) or status in (401, 500):
                    leaks.append(f"POST {path} as {role}: {status}")
        for template, allowed in READS:
            for role in ROLES:
                for which, box, lot in (("own", OWN, "L-OWN"), ("foreign", FOREIGN, "L-OTHER")):
                    path = template.format(box=box, lot=lot)
                    status = _get(client, path, users[role]).status_code
                    if role not in allowed:
                        expected = 403
                    elif role == "shipper" and which == "foreign":
                        expected = 404
                    else:
                        expected = 200
                    if status != expected:
                        leaks.append(f"GET {path} as {role} ({which}): {status}, expected {expected}")
            assert _get(client, template.format(box=OWN, lot="L-OWN"), {}).status_code == 401
        for which, box, expected in (("own", OWN, 200), ("foreign", FOREIGN, 404)):
            status = _get(client, f"/api/v1/tracking/{box}", users["shipper"]).status_code
            if status != expected:
                leaks.append(f"GET /api/v1/tracking/{box} as shipper ({which}): {status}")
        for path in LISTS:
            response = _get(client, path, users["shipper"])
            assert response.status_code == 200, (path, response.text)
            if FOREIGN in response.text or "OTHERCO" in response.text or "L-OTHER" in response.text:
                leaks.append(f"GET {path} as shipper lists a foreign object")
        staff = _get(client, "/api/v1/containers", users["auditor"]).json()
        assert {c["number"] for c in staff} == {OWN, FOREIGN}
        mine = _get(client, "/api/v1/containers", users["shipper"]).json()
        assert [c["number"] for c in mine] == [OWN]
        # A shipper may book a gate slot for its own box, and a foreign box does not exist for it.
        window = (utc_now() + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
        slot = {"hour_start": window.isoformat(), "plate": "KZ 123", "kind": "pick_up"}
        own = client.post(
            "/api/v1/gate/appointments", headers=users["shipper"], json={**slot, "reference": "AP1", "container": OWN}
        )
        foreign = client.post(
            "/api/v1/gate/appointments",
            headers=users["shipper"],
            json={**slot, "reference": "AP2", "container": FOREIGN},
        )
        assert (own.status_code, foreign.status_code) == (201, 404), (own.text, foreign.text)
    assert leaks == []
