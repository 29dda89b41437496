"""The dashboard over HTTP (no browser): logins, shipper visibility, empty states, languages, SSE.

Runs on SQLite and PostgreSQL like the rest of the integration suite; the browser tests in
tests/browser cover what needs a real page (clicks, the map, the plots, screenshots).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.web.readonly import read_engine
from tests.browser.demo import OPERATOR_TOKEN, OTHER_SHIPPER_TOKEN, SHIPPER_TOKEN, Demo, seed_demo

LOCALE = Path(__file__).resolve().parents[2] / "src" / "landbridge" / "web" / "locale"
SCREENS = ("/", "/berths", "/yard", "/rail", "/grain", "/corridor", "/container", "/customs", "/simulation")


@pytest.fixture
def demo(database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Demo]]:
    """The app over the demo day (users exist, so logging in is required)."""
    facts = seed_demo(database_url)
    app = create_app(database_url)
    app.state.runs_dir = str(tmp_path / "no-runs")
    with TestClient(app) as client:
        yield client, facts
    read_engine(database_url).dispose()


def form(client: TestClient, fields: dict[str, str]) -> dict[str, str]:
    """The fields with the CSRF token the login page puts into its form (and its cookie)."""
    page = client.get("/login")
    match = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return {**fields, "csrftoken": match.group(1)}


def heading(html: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert match, html[:500]
    return match.group(1).strip()


@pytest.mark.parametrize("locale", ["zh_Hans", "ru", "kk"])
def test_every_message_is_translated_and_compiled(locale: str) -> None:
    with open(LOCALE / "messages.pot", "rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    with open(LOCALE / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        po = {message.id: message.string for message in read_po(handle) if message.id}
    with open(LOCALE / locale / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        mo = {message.id: message.string for message in read_mo(handle) if message.id}
    assert sorted(wanted - {k for k, v in po.items() if v}) == []
    assert mo == po  # the committed .mo was compiled from the committed .po


def test_an_open_dashboard_shows_its_empty_screens(database_url: str, tmp_path: Path) -> None:
    """LANDBRIDGE_OPEN_DASHBOARD=1 (as `make run` sets it) opens the staff screens without a login."""
    from landbridge.scenarios import load_scenario
    from landbridge.services.seeding import seed_scenario
    from landbridge.store.unit_of_work import UnitOfWork

    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    app = create_app(database_url, open_dashboard=True)
    app.state.runs_dir = str(tmp_path / "runs")
    with TestClient(app) as client:
        for path in SCREENS:
            assert client.get(path).status_code == 200, path
        expectations = {
            "/yard": "yard-empty",
            "/rail": "no-trains",
            "/berths": "no-calls",
            "/customs": "no-holds",
            "/corridor": "no-transit",
            "/simulation": "no-runs",
        }
        for path, marker in expectations.items():
            assert f'id="{marker}"' in client.get(path).text, path
        assert "No alerts" in client.get("/").text


def test_an_empty_users_table_does_not_open_the_dashboard(database_url: str) -> None:
    """Before, deleting every user opened the dashboard again; now only the explicit setting does."""
    from landbridge.scenarios import load_scenario
    from landbridge.services.seeding import seed_scenario
    from landbridge.store.unit_of_work import UnitOfWork

    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    with TestClient(create_app(database_url)) as client:
        for path in SCREENS:
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
        assert client.get("/live?once=1").status_code == 401


def test_login_and_logout_refuse_cross_site_posts(demo: tuple[TestClient, Demo]) -> None:
    client, _ = demo
    forged = TestClient(client.app)  # another site's page: no cookie of ours, no token field
    cross_site = forged.post("/login", data={"token": OPERATOR_TOKEN, "next": "/"}, follow_redirects=False)
    assert cross_site.status_code == 403
    assert forged.post("/logout", follow_redirects=False).status_code == 403
    client.post("/login", data=form(client, {"token": OPERATOR_TOKEN, "next": "/"}))
    assert client.post("/logout", follow_redirects=False).status_code == 403  # our cookie, but no field
    assert client.get("/rail", follow_redirects=False).status_code == 200  # still logged in
    token = re.search(r'name="csrftoken" value="([^"]+)"', client.get("/rail").text)
    assert token is not None
    out = client.post("/logout", data={"csrftoken": token.group(1)}, follow_redirects=False)
    assert out.status_code == 303


def test_wrong_logins_lock_the_address_out(demo: tuple[TestClient, Demo]) -> None:
    client, _ = demo
    statuses = [
        client.post("/login", data=form(client, {"token": f"guess-{i}", "next": "/"})).status_code for i in range(21)
    ]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    locked = client.post("/login", data=form(client, {"token": OPERATOR_TOKEN, "next": "/"}), follow_redirects=False)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0  # even a right token waits


def test_login_is_required_once_users_exist(demo: tuple[TestClient, Demo]) -> None:
    client, _ = demo
    for path in SCREENS:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
    wrong = client.post("/login", data=form(client, {"token": "guess", "next": "/"}), follow_redirects=False)
    assert wrong.status_code == 401 and 'id="login-failed"' in wrong.text
    fields = form(client, {"token": OPERATOR_TOKEN, "next": "//evil.example/"})
    right = client.post("/login", data=fields, follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == "/"  # no open redirect
    cookie = right.headers["set-cookie"]
    assert "lb_token=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    for path in SCREENS:
        assert client.get(path).status_code == 200, path


def test_a_shipper_gets_the_same_404_for_missing_and_foreign_boxes(demo: tuple[TestClient, Demo]) -> None:
    client, facts = demo
    login = client.post("/login", data=form(client, {"token": SHIPPER_TOKEN, "next": "/"}), follow_redirects=False)
    assert login.headers["location"] == "/container"  # a cargo owner lands on its container search
    yard = client.get("/yard?lang=kk")
    assert yard.status_code == 403 and facts.shipper_box not in yard.text  # no yard.read in the policy
    assert client.get(f"/container/{facts.shipper_box}").status_code == 200
    missing = client.get("/container/MSCU1234566?lang=kk")
    foreign = client.get(f"/container/{facts.other_box}?lang=kk")
    assert missing.status_code == foreign.status_code == 404
    assert heading(missing.text) == heading(foreign.text) == "Біз бұл контейнерді таппадық"
    # Byte for byte the same page once the typed number is blanked: nothing tells the box exists.
    assert foreign.text.replace(facts.other_box, "N") == missing.text.replace("MSCU1234566", "N")
    assert "JSEU" not in client.get("/customs").text  # the only hold is on Jiangsu Export's box

    other = TestClient(client.app)
    other.post("/login", data=form(other, {"token": OTHER_SHIPPER_TOKEN, "next": "/"}))
    assert other.get(f"/container/{facts.other_box}").status_code == 200
    assert other.get(f"/container/{facts.shipper_box}").status_code == 404


def test_language_comes_from_the_query_then_the_cookie_then_the_browser(demo: tuple[TestClient, Demo]) -> None:
    client, _ = demo
    client.post("/login", data=form(client, {"token": OPERATOR_TOKEN, "next": "/"}))
    page = client.get("/rail?lang=ru")
    assert '<html lang="ru" ' in page.text and "Ж/д" in page.text
    assert "lb_lang=ru" in page.headers["set-cookie"]
    assert '<html lang="ru" ' in client.get("/grain").text  # kept by the cookie
    client.cookies.delete("lb_lang")
    assert '<html lang="zh-Hans" ' in client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert '<html lang="en" ' in client.get("/", headers={"Accept-Language": "de"}).text


def test_overview_tiles_stream_over_sse_tile_by_tile(demo: tuple[TestClient, Demo]) -> None:
    client, facts = demo
    assert client.get("/live?once=1").status_code == 401
    client.post("/login", data=form(client, {"token": SHIPPER_TOKEN, "next": "/"}))
    shipper = client.get("/live?once=1&lang=en")
    assert shipper.status_code == 200 and "event: tiles" in shipper.text
    assert "kpi-containers" in shipper.text and "kpi-yard" not in shipper.text and "kpi-ships" not in shipper.text
    client.post("/login", data=form(client, {"token": OPERATOR_TOKEN, "next": "/"}))
    response = client.get("/live?once=1&lang=en")
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "event: tiles" in response.text
    assert f"({facts.yard_positions} / " in response.text.replace(",", "")  # a 40 ft box fills two positions


def test_a_run_name_cannot_leave_the_runs_folder(demo: tuple[TestClient, Demo], tmp_path: Path) -> None:
    client, _ = demo
    client.post("/login", data=form(client, {"token": OPERATOR_TOKEN, "next": "/"}))
    runs = tmp_path / "runs"
    (runs / "a").mkdir(parents=True)
    (runs / "a" / "kpis.json").write_text('{"trains": {"total": 7}}')
    (tmp_path / "kpis.json").write_text('{"secret": 1}')
    client.app.state.runs_dir = str(runs)  # type: ignore[attr-defined]
    assert 'data-kpi="trains.total"' in client.get("/simulation?a=a").text
    outside = client.get("/simulation?a=..")
    assert outside.status_code == 200 and "secret" not in outside.text


def test_a_40ft_box_fills_both_bays_it_covers(demo: tuple[TestClient, Demo], database_url: str) -> None:
    from landbridge.store import tables
    from landbridge.store.database import session_factory
    from tests.browser.demo import box

    client, _ = demo
    client.post("/login", data=form(client, {"token": OPERATOR_TOKEN, "next": "/"}))
    number = box("FEU", 404040)
    with session_factory(database_url)() as session:
        session.add(
            tables.ContainerRow(
                number=number,
                iso_type="45G1",
                load_state="full",
                gross_mass_kg=20_000,
                seals=[],
                position_kind="yard",
                position_reference="E-40-4-1",
                version=1,
            )
        )
        session.flush()
        session.add(tables.YardSlotRow(block="E", bay=40, row=4, tier=1, container_number=number))
        session.add_all(
            [tables.YardCellRow(block="E", bay=bay, row=4, tier=1, container_number=number) for bay in (39, 40)]
        )
        session.commit()
    page = client.get("/yard").text
    assert 'data-stack="E-39-4"' in page and 'data-stack="E-40-4"' in page
    assert number in client.get("/yard/stack/E/39/4").text and number in client.get("/yard/stack/E/40/4").text
    blocks = {
        b["code"]: b
        for b in client.get("/api/v1/yard/blocks", headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}).json()
    }
    assert re.search(rf"Block E <small>{blocks['E']['occupied_slots']} / ", page)  # one box, counted once


def test_a_token_from_landbridge_users_create_logs_in(demo: tuple[TestClient, Demo], database_url: str) -> None:
    from landbridge.services.authz import create_user
    from landbridge.store.unit_of_work import UnitOfWork

    client, _ = demo
    token = create_user(UnitOfWork.for_url(database_url), name="night-planner", role="planner")
    fields = form(client, {"token": f"  {token}\n", "next": "/rail"})
    response = client.post("/login", data=fields, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/rail"
    assert "night-planner" in client.get("/rail").text


def test_a_consignee_follows_its_incoming_box_like_the_api(demo: tuple[TestClient, Demo], database_url: str) -> None:
    from landbridge.services.authz import create_user
    from landbridge.store import tables
    from landbridge.store.database import session_factory
    from landbridge.store.unit_of_work import UnitOfWork

    client, facts = demo
    with session_factory(database_url)() as session:
        session.add(tables.PartyRow(code="DUISBURGIMP", name="Duisburg Import GmbH", role="consignee", country="DE"))
        session.flush()
        booking = session.query(tables.ConsignmentRow).filter_by(booking_reference="BK-DUI-003").one()
        booking.consignee_code = "DUISBURGIMP"
        session.commit()
    token = create_user(UnitOfWork.for_url(database_url), name="duisburg-import", role="shipper", party="DUISBURGIMP")
    client.post("/login", data=form(client, {"token": token, "next": "/"}))
    assert client.get(f"/container/{facts.transit_box}").status_code == 200
    assert client.get(f"/container/{facts.shipper_box}").status_code == 404
    api = client.get(f"/api/v1/tracking/{facts.transit_box}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
