"""Role × endpoint × own/foreign object: every route, dashboard screen and SSE tile enforces its role,
and a shipper or shipping line never sees a foreign object.

The expected roles below are written out independently of the policy table, so a route wired to the
wrong action, or a policy change nobody meant, fails here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import landbridge.web
from landbridge.api.app import create_app
from landbridge.domain.events import utc_now
from landbridge.domain.grain import HopperWagon
from landbridge.domain.identifiers import ContainerNumber
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.operations import grain, holds, parties, vessel
from landbridge.store.unit_of_work import UnitOfWork
from tests.support import ROLES as SUPPORT_ROLES
from tests.support import bearer, container_number, seed, token, wagon_1520

OWN, FOREIGN = container_number(101), container_number(202)
LINE_BOX = container_number(303, owner="LNA")  # owned by the shipping line LINEA (owner code LNA), booked by nobody
ROLES = (*SUPPORT_ROLES, "driver")  # the driver: its machine's jobs, the boxes and the yard, nothing else
PARTY_OF = {"shipper": "ACME", "shipping_line": "LINEA"}
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
    ("/api/v1/train-visits/T9/cancel", frozenset({"planner", "rail_operator", "admin"})),
    ("/api/v1/train-visits/T9/receive", frozenset({"rail_operator", "admin"})),
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
    (
        "/api/v1/work/instructions/generate",
        frozenset({"planner", "yard_operator", "gate_clerk", "rail_operator", "admin"}),
    ),
    ("/api/v1/work/instructions/1/confirm", frozenset({"yard_operator", "rail_operator", "driver", "admin"})),
    ("/api/v1/work/instructions/1/problem", frozenset({"yard_operator", "rail_operator", "driver", "admin"})),
    ("/api/v1/equipment/STS-29-1/sign-on", frozenset({"yard_operator", "rail_operator", "driver", "admin"})),
    ("/api/v1/equipment/STS-29-1/sign-off", frozenset({"yard_operator", "rail_operator", "driver", "admin"})),
]
# Office and control-room staff read everything of the base; a driver reads the boxes, the yard and its work.
STAFF_READERS = frozenset(ROLES) - {"shipper", "shipping_line", "driver"}
# (path template, roles that may read); a party-scoped role reads its own object and gets 404 for a foreign one
READS: list[tuple[str, frozenset[str]]] = [
    ("/api/v1/containers/{box}", STAFF_READERS | {"shipping_line", "shipper", "driver"}),
    ("/api/v1/containers/{box}/history", STAFF_READERS | {"shipping_line", "shipper"}),
    ("/api/v1/containers/{box}/holds", STAFF_READERS | {"shipping_line", "shipper"}),
    ("/api/v1/grain/lots/{lot}", STAFF_READERS | {"shipper"}),
    ("/api/v1/vessel-visits/{visit}", STAFF_READERS | {"shipping_line"}),
    ("/api/v1/vessel-visits/{visit}/discharge-list", STAFF_READERS | {"shipping_line"}),
    ("/api/v1/vessel-visits/{visit}/load-list", STAFF_READERS | {"shipping_line"}),
]
# The work context's reads (no object scope): staff and drivers; never a shipper or a line.
WORK_READS: list[tuple[str, frozenset[str]]] = [
    ("/api/v1/equipment", STAFF_READERS | {"driver"}),
    ("/api/v1/equipment/STS-29-1", STAFF_READERS | {"driver"}),
    ("/api/v1/work/instructions", STAFF_READERS | {"driver"}),
    ("/api/v1/work/queues", STAFF_READERS | {"driver"}),
    ("/api/v1/equipment/mine", frozenset({"yard_operator", "rail_operator", "driver", "admin"})),
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
        register_container(uow, RegisterContainer(ContainerNumber(box), "22G1"), admin)
        parties.assign_container(uow, admin, booking_reference=booking, container=box)
        holds.place_hold(uow, admin, container=box, reason="x-ray")
        grain.receive_grain(
            UnitOfWork.for_url(url),
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
    parties.create_party(
        UnitOfWork.for_url(url),
        admin,
        code="LINEA",
        name="Line A Shipping",
        role=parties.PartyRole.SHIPPING_LINE,
        owner_codes=["LNA"],
    )
    register_container(UnitOfWork.for_url(url), RegisterContainer(ContainerNumber(LINE_BOX), "42G1"), admin)
    holds.place_hold(UnitOfWork.for_url(url), admin, container=LINE_BOX, reason="x-ray")
    line = Actor("line-agent", "shipping_line", party="LINEA")
    at = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    for reference, name, who, berth in (("V-LINEA", "LINEA STAR", line, "L1"), ("V-ALIEN", "ALIEN SUN", admin, "L2")):
        vessel.announce_vessel(UnitOfWork.for_url(url), who, reference=reference, vessel_name=name, eta=at)
        vessel.berth_vessel(UnitOfWork.for_url(url), who, reference=reference, berth_code=berth, etb=at)
    tokens = {role: token(url, role, role, PARTY_OF.get(role)) for role in ROLES}
    headers = {role: bearer(value) for role, value in tokens.items()}
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
                own_box = LINE_BOX if role == "shipping_line" else OWN
                for which, box, lot, visit in (
                    ("own", own_box, "L-OWN", "V-LINEA"),
                    ("foreign", FOREIGN, "L-OTHER", "V-ALIEN"),
                ):
                    path = template.format(box=box, lot=lot, visit=visit)
                    status = _get(client, path, users[role]).status_code
                    if role not in allowed:
                        expected = 403
                    elif role in PARTY_OF and which == "foreign":
                        expected = 404
                    else:
                        expected = 200
                    if status != expected:
                        leaks.append(f"GET {path} as {role} ({which}): {status}, expected {expected}")
            assert _get(client, template.format(box=OWN, lot="L-OWN", visit="V-LINEA"), {}).status_code == 401
        for path, allowed in WORK_READS:
            for role in ROLES:
                status = _get(client, path, users[role]).status_code
                if status != (200 if role in allowed else 403):
                    leaks.append(f"GET {path} as {role}: {status}")
        for role, own_box in (("shipper", OWN), ("shipping_line", LINE_BOX)):
            for which, box, expected in (("own", own_box, 200), ("foreign", FOREIGN, 404)):
                status = _get(client, f"/api/v1/tracking/{box}", users[role]).status_code
                if status != expected:
                    leaks.append(f"GET /api/v1/tracking/{box} as {role} ({which}): {status}")
        for path in ("/api/v1/containers", "/dcsa/tnt/v2/events", "/api/v1/vessel-visits"):
            response = _get(client, path, users["shipping_line"])
            assert response.status_code == 200, (path, response.text)
            if any(word in response.text for word in (OWN, FOREIGN, "ALIEN SUN", "ACME", "OTHERCO")):
                leaks.append(f"GET {path} as shipping_line lists a foreign object")
        for path in LISTS:
            response = _get(client, path, users["shipper"])
            assert response.status_code == 200, (path, response.text)
            if FOREIGN in response.text or "OTHERCO" in response.text or "L-OTHER" in response.text:
                leaks.append(f"GET {path} as shipper lists a foreign object")
        staff = _get(client, "/api/v1/containers", users["auditor"]).json()
        assert {c["number"] for c in staff} == {OWN, FOREIGN, LINE_BOX}
        mine = _get(client, "/api/v1/containers", users["shipper"]).json()
        assert [c["number"] for c in mine] == [OWN]
        # A shipping line sees the boxes it owns (owner code LNA) and the calls it operates, nothing else.
        lines = _get(client, "/api/v1/containers", users["shipping_line"]).json()
        assert [c["number"] for c in lines] == [LINE_BOX]
        calls = _get(client, "/api/v1/vessel-visits", users["shipping_line"]).json()
        assert [(v["reference"], v["operator_code"]) for v in calls] == [("V-LINEA", "LINEA")]
        assert {v["reference"] for v in _get(client, "/api/v1/vessel-visits", users["auditor"]).json()} == {
            "V-LINEA",
            "V-ALIEN",
        }
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
    assert leaks == [], "\n".join(leaks)


ALL_ROLES = frozenset(ROLES)
# (dashboard path, roles that may open it); every other role gets 403, an anonymous visitor the login form.
SCREENS: list[tuple[str, frozenset[str]]] = [
    ("/", ALL_ROLES),  # each role sees the tiles it may read (below)
    ("/berths", STAFF_READERS | {"shipping_line"}),
    ("/yard", STAFF_READERS | {"driver"}),
    ("/yard?mode=dwell", STAFF_READERS | {"driver"}),
    ("/yard/stack/A/1/1", STAFF_READERS | {"driver"}),
    ("/rail", STAFF_READERS),
    ("/rail/plan", frozenset({"planner", "admin"})),  # plan.run: ask for a train load plan
    ("/grain", STAFF_READERS | {"shipper"}),
    ("/corridor", STAFF_READERS),
    ("/container", ALL_ROLES),
    ("/customs", ALL_ROLES - {"driver"}),
    ("/interchange", STAFF_READERS),
    ("/simulation", STAFF_READERS),
    ("/simulation/job", STAFF_READERS),  # the progress of a what-if run started from the screen
    ("/simulation/run", frozenset({"planner", "admin"})),  # simulation.run: start one
    ("/reports", frozenset({"planner", "auditor", "admin"})),  # report.read: commercial figures
    ("/reports/throughput.csv", frozenset({"planner", "auditor", "admin"})),
    # a command's form on its own page: the roles whose policy has the command's action (here hold.write)
    (
        "/act/hold-place",
        frozenset({"planner", "yard_operator", "gate_clerk", "customs_officer", "shipping_line", "admin"}),
    ),
    ("/gate", STAFF_READERS),
    ("/lists", ALL_ROLES),  # each role is offered the lists it may read
    ("/lists/containers", ALL_ROLES),  # a shipper's or line's own boxes only (FOREIGN_TO below)
    ("/lists/containers.csv", ALL_ROLES),
    ("/lists/holds", ALL_ROLES - {"driver"}),
    ("/lists/holds.csv", ALL_ROLES - {"driver"}),
    ("/lists/vessel-visits", STAFF_READERS | {"shipping_line"}),
    ("/lists/train-visits", STAFF_READERS),
    ("/lists/trucks", STAFF_READERS),
    ("/lists/appointments", STAFF_READERS),
    ("/lists/parties", STAFF_READERS),
    ("/lists/parties.csv", STAFF_READERS),
    ("/lists/interchanges", STAFF_READERS),
    ("/lists/interchanges.csv", STAFF_READERS),
    ("/audit", ALL_ROLES - {"driver"}),  # a shipper or line: the events of its own boxes only
    ("/lists/events", ALL_ROLES - {"driver"}),
    ("/lists/events.csv", ALL_ROLES - {"driver"}),
    ("/work", STAFF_READERS | {"driver"}),  # the control room's work queues
    ("/driver", frozenset({"yard_operator", "rail_operator", "driver", "admin"})),  # roles that may drive (work.drive)
]
CONCRETE = {"/yard/stack/A/1/1", "/act/hold-place", "/reports/throughput.csv"} | {
    path for path, _ in SCREENS if path.startswith("/lists/")
}
STAFF_TILES = {
    "kpi-ships",
    "kpi-trains-loading",
    "kpi-trains-departed",
    "kpi-yard",
    "kpi-silo",
    "kpi-holds",
    "kpi-containers",
}
# The Overview tiles (on the page and over SSE) each role sees, with the figure it must show.
TILES: dict[str, dict[str, str]] = {
    "shipping_line": {"kpi-ships": "1", "kpi-holds": "1", "kpi-containers": "1"},  # its ship, its box
    "shipper": {"kpi-silo": "1 t", "kpi-holds": "1", "kpi-containers": "1"},  # its grain, its box
    "driver": {"kpi-yard": "0.0%", "kpi-containers": "3"},  # the boxes and the yard, not ships, trains, silos, holds
}
# What each party-scoped role must never find on any screen it may open: others' boxes, lots, ships, parties.
FOREIGN_TO = {
    "shipper": (FOREIGN, LINE_BOX, "L-OTHER", "OTHERCO", "LINEA STAR", "ALIEN SUN"),
    "shipping_line": (OWN, FOREIGN, "L-OWN", "L-OTHER", "ACME", "OTHERCO", "ALIEN SUN"),
}
OWN_BOX = {"shipper": OWN, "shipping_line": LINE_BOX}


def _tiles(html: str) -> dict[str, str]:
    """Tile id → shown value, from the rendered tiles."""
    return dict(re.findall(r'<span class="value" id="(kpi-[a-z-]+)">([^<]*)</span>', html))


def test_dashboard_screens_and_live_tiles_follow_the_policy_and_the_scope(database_url: str) -> None:
    headers = _world(database_url)
    tokens = {role: value["Authorization"].removeprefix("Bearer ") for role, value in headers.items() if value}
    leaks: list[str] = []
    app = create_app(database_url)
    with TestClient(app) as anonymous:
        for path, _ in SCREENS:
            response = anonymous.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
        assert anonymous.get("/live?once=1").status_code == 401
    for role in ROLES:
        with TestClient(app, cookies={"lb_token": tokens[role]}) as client:
            for path, allowed in SCREENS:
                response = client.get(path, follow_redirects=False)
                expected = 200 if role in allowed else 403
                if response.status_code != expected:
                    leaks.append(f"GET {path} as {role}: {response.status_code}, expected {expected}")
                    continue
                found = [word for word in FOREIGN_TO.get(role, ()) if word in response.text]
                if expected == 200 and found:
                    leaks.append(f"GET {path} as {role} shows {found}")
                if expected == 403 and any(box in response.text for box in (OWN, FOREIGN, LINE_BOX)):
                    leaks.append(f"GET {path} as {role}: the 403 page shows a box")
            menu = set(re.findall(r'<nav id="screens">(.*?)</nav>', client.get("/").text, re.S)[0].split('href="')[1:])
            shown = {entry.split('"')[0] for entry in menu} - {"/docs"}
            wanted = {path for path, allowed in SCREENS if role in allowed and "?" not in path and path.count("/") < 2}
            if shown != wanted:
                leaks.append(f"menu of {role}: {sorted(shown)}, expected {sorted(wanted)}")
            for which, box in (("own", OWN_BOX.get(role, OWN)), ("foreign", FOREIGN)):
                status = client.get(f"/container/{box}").status_code
                expected = 404 if role in FOREIGN_TO and which == "foreign" else 200
                if status != expected:
                    leaks.append(f"GET /container/{box} as {role} ({which}): {status}, expected {expected}")
            page_tiles = _tiles(client.get("/").text)
            live = client.get("/live?once=1")
            assert live.status_code == 200, (role, live.text)
            stream_tiles = _tiles(live.text.replace("\ndata: ", ""))
            expected_tiles = TILES.get(role)
            for where, tiles in (("page", page_tiles), ("SSE", stream_tiles)):
                if expected_tiles is None and set(tiles) != STAFF_TILES:
                    leaks.append(f"{where} tiles of {role}: {sorted(tiles)}")
                if expected_tiles is not None and tiles != expected_tiles:
                    leaks.append(f"{where} tiles of {role}: {tiles}, expected {expected_tiles}")
            assert "event: changed" in client.get("/live?once=1&tiles=0").text
    assert leaks == [], "\n".join(leaks)


def test_every_dashboard_screen_is_in_the_matrix() -> None:
    """A new screen (or SSE stream) gets an access decision here before it ships: unlisted GET routes fail."""
    served: set[str] = set()
    for module in pkgutil.walk_packages(landbridge.web.__path__, "landbridge.web."):
        router = getattr(importlib.import_module(module.name), "router", None)
        if isinstance(router, APIRouter):
            served |= {route.path for route in router.routes if isinstance(route, APIRoute) and "GET" in route.methods}
    listed = {path.split("?")[0] for path, _ in SCREENS} - CONCRETE
    listed |= {"/yard/stack/{block}/{bay}/{row}", "/container/{number}", "/live", "/login", "/act/{name}"}
    listed |= {"/lists/{name}", "/lists/{name}.csv"}
    listed |= {"/driver/live"}  # the driver's job stream: tests/integration/test_driver_screen.py
    listed |= {"/reports/{name}.{extension}"}  # a report as CSV or XLSX
    assert served == listed
