"""A day at the base driven from the browser alone, in two languages, on a hub of its own: containers
registered, a ship announced, berthed and discharged, a hold placed (with the keyboard only) that
stops the truck at the gate, released, the truck out, a train announced, its load plan asked for,
reviewed wagon by wagon and applied, the train departed, grain received and shipped — and the API shows
the same state afterwards.

Only master data the dashboard has no form for (a grain owner's party, the admin's token) is set up
through the API first. Every page is checked for Content-Security-Policy violations and script errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from landbridge.api.app import create_app
from landbridge.scenarios import load_scenario
from landbridge.services.seeding import seed_scenario
from landbridge.store.migrate import upgrade
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.readmodels.common import hub_zone
from tests.browser.conftest import Offline, Served, _require, login, shot
from tests.browser.demo import OPERATOR_TOKEN
from tests.live_server import serve
from tests.support import container_number, token, uic_wagon, wagon_1520

pytestmark = pytest.mark.browser
# axe-core 4.14.1 from npm (MPL-2.0, tests/browser/vendor/axe-core-LICENSE): read from the repository, never fetched.
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_RUN = (
    "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, "
    "resultTypes: ['violations']}).then(r => r.violations.filter(v => v.impact === 'serious' || "
    "v.impact === 'critical').map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => "
    "n.target.join(' ')).join(', ')))"
)


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A fresh hub (scenario only) served on a free port: its base URL and the admin's token."""
    _require()
    folder = tmp_path_factory.mktemp("day")
    url = f"sqlite:///{folder / 'day.db'}"
    upgrade(url)
    seed_scenario(UnitOfWork.for_url(url), load_scenario())
    admin = token(url, "control-room", "admin")
    with serve(create_app(url)) as base:
        party = {"code": "KAZAGRO", "name": "KazAgro Export", "role": "shipper", "country": "KZ"}
        assert httpx.post(f"{base}/api/v1/parties", json=party, headers=_bearer(admin)).status_code == 201
        yield base, admin


def _bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def _hub_time(offset: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + offset).astimezone(hub_zone()).strftime("%Y-%m-%dT%H:%M")


class Desk:
    """The operator at the browser: opens a screen, unfolds a command's form, fills it in, sends it."""

    def __init__(self, page: Any, base: str, lang: str) -> None:
        self.page, self.base, self.lang = page, base, lang

    def act(self, screen: str, command: str, fields: dict[str, str], done: bool = True) -> None:
        page = self.page
        page.goto(f"{self.base}{screen}{'&' if '?' in screen else '?'}lang={self.lang}")
        page.click(f"#act-{command} summary")
        for name, value in fields.items():
            field = page.locator(f"#form-{command} [name='{name}']")
            if field.evaluate("element => element.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        with page.expect_navigation():
            page.click(f"#form-{command} button[type=submit]")
        if done:
            assert page.locator("#done").count() == 1, (command, page.inner_text("main")[:1500])


@pytest.mark.parametrize("lang", ["zh", "ru"])
def test_a_day_from_the_browser(browser: Any, hub_server: tuple[str, str], lang: str) -> None:
    base, admin = hub_server
    serial = 10 if lang == "zh" else 20
    box_a, box_b = container_number(serial + 1), container_number(serial + 2)
    ship, berth, train, lot = f"V-{lang.upper()}", "29" if lang == "zh" else "30", f"T-{lang.upper()}", f"G-{lang}"
    context = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
    guard = Offline(base)
    context.route("**/*", guard.handle)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None,
    )
    login(page, base, admin, lang)
    desk = Desk(page, base, lang)

    for number in (box_a, box_b):
        desk.act(
            "/container",
            "container-register",
            {"number": number, "iso_type": "42G1", "load_state": "full", "gross_mass_kg": "18000"},
        )
    desk.act("/berths", "vessel-announce", {"reference": ship, "vessel_name": f"Day {lang}", "eta": _hub_time()})
    desk.act("/berths", "vessel-berth", {"reference": ship, "berth_code": berth, "etb": _hub_time()})
    desk.act("/berths", "discharge-list-add", {"reference": ship, "containers": f"{box_a} {box_b}", "reason": "BAPLIE"})
    for number in (box_a, box_b):
        desk.act("/berths", "vessel-discharge", {"reference": ship, "container": number})
    shot(page, f"day-berths-{lang}")

    # The hold, with the keyboard only: unfold the form, tab through its fields, Enter sends it.
    page.goto(f"{base}/customs?lang={lang}")
    page.focus("#act-hold-place summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type(box_a)
    page.keyboard.press("Tab")  # the kind: customs is the first choice
    page.keyboard.press("Tab")
    page.keyboard.type("x-ray")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#done").count() == 1, page.inner_text("main")[:1500]

    order = f"DO-{lang}"
    valid = {"valid_from": _hub_time(-timedelta(hours=1)), "valid_to": _hub_time(timedelta(days=2))}
    desk.act("/gate", "delivery-order-issue", {"reference": order, "containers": box_a, "pin": "4711", **valid})
    truck = {"reference": f"TV-{lang}", "plate": f"苏G {serial}", "pick_up": box_a, "delivery_order": order}
    desk.act("/gate", "truck-in", {**truck, "pin": "4711", "override_reason": "walk-in"})
    desk.act("/gate", "truck-out", {"reference": f"TV-{lang}"}, done=False)
    refusal = page.locator("#truck-out-error")
    assert refusal.count() == 1 and "hold" in refusal.inner_text(), page.inner_text("main")[:1500]
    shot(page, f"day-gate-refused-{lang}")

    page.goto(f"{base}/lists/holds?open=yes&container={box_a}&lang={lang}")
    with page.expect_navigation():
        page.click("form[data-command='hold-release'] button")
    assert page.locator("#done").count() == 1
    desk.act("/gate", "truck-out", {"reference": f"TV-{lang}"})

    wagons = f"{uic_wagon(serial + 1)} cn_flat_40ft\n{uic_wagon(serial + 2)} cn_flat_40ft"
    desk.act(
        "/rail",
        "train-announce",
        {
            "reference": train,
            "direction": "west",
            "route_code": "almaty",
            "gauge_mm": "1435",
            "train_type_code": "cn_1435",
            "wagons": wagons,
        },
    )
    # The load plan: asked from the Rail screen, reviewed wagon by wagon, applied.
    page.goto(f"{base}/rail?lang={lang}")
    page.click("#act-train-plan summary")
    page.fill("#form-train-plan [name='train']", train)
    page.fill("#form-train-plan [name='containers']", box_b)
    with page.expect_navigation():
        page.click("#form-train-plan button[type=submit]")
    planned_row = page.locator(f"#plan-wagons tr[data-container='{box_b}']")
    assert planned_row.count() == 1, page.inner_text("main")[:1500]
    assert "18" in planned_row.inner_text()  # its mass, 18 000 kg in the language's digits
    shot(page, f"day-load-plan-{lang}")
    with page.expect_navigation():
        page.click("#form-train-plan-apply button[type=submit]")
    assert page.locator("#done").count() == 1, page.inner_text("main")[:1500]
    desk.act("/rail", "train-depart", {"train": train})

    grain = {
        "reference": lot,
        "owner_code": "KAZAGRO",
        "crop": "wheat",
        "grain_class": "3",
        "mass_kg": "60000",
        "moisture_pct": "13",
        "silo_code": "S01" if lang == "zh" else "S02",
        "wagons": f"{wagon_1520(serial + 1)} 60000",
    }
    desk.act("/grain", "grain-receive", grain)
    bulk = f"GV-{lang.upper()}"  # grain loads at the grain berth, 32
    desk.act("/berths", "vessel-announce", {"reference": bulk, "vessel_name": f"Grain {lang}", "eta": _hub_time()})
    desk.act("/berths", "vessel-berth", {"reference": bulk, "berth_code": "32", "etb": _hub_time()})
    desk.act("/grain", "grain-ship", {"lot": lot, "mass_kg": "20000", "vessel_visit": bulk})
    desk.act("/berths", "vessel-depart", {"reference": bulk})
    shot(page, f"day-grain-{lang}")

    # The audit search finds what was done, in this language.
    page.goto(f"{base}/audit?container={box_a}&lang={lang}")
    assert page.locator("tr[data-event='container.gate_out']").count() == 1
    context.close()
    assert problems == [] and guard.outside == []

    # The API sees the same state.
    def api(path: str) -> Any:
        response = httpx.get(base + path, headers=_bearer(admin), timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    assert api(f"/api/v1/containers/{box_a}")["position"]["kind"] == "delivered"
    assert api(f"/api/v1/holds?container={box_a}&open=true") == []
    assert api(f"/api/v1/train-visits/{train}")["status"] == "departed"
    assert api(f"/api/v1/containers/{box_b}")["position"]["reference"].startswith(f"{train}/")  # train/wagon/slot
    assert api(f"/api/v1/grain/lots/{lot}")["mass_kg"] == 40_000
    assert api(f"/api/v1/vessel-visits/{bulk}")["status"] == "departed"
    etb = datetime.fromisoformat(api(f"/api/v1/vessel-visits/{ship}")["etb"])
    assert abs(etb - datetime.now(UTC)) < timedelta(minutes=10)  # the hub time typed is the instant meant
    history = api(f"/api/v1/containers/{box_a}/history")
    assert all((event.get("source_reference") or "").startswith("web:") for event in history)


def test_no_screen_needs_an_inline_script_or_style(browser: Any, served: Served) -> None:
    """Every screen works under the Content-Security-Policy (no 'unsafe-inline'): no violation is reported —
    and axe-core finds no serious or critical WCAG 2.1 A/AA violation on any of them."""
    checked = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")  # CSP in force
    guard = Offline(served.base_url)
    checked.route("**/*", guard.handle)
    page = checked.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None,
    )
    login(page, served.base_url, OPERATOR_TOKEN)
    inaccessible: list[str] = []
    screens = ("/", "/berths", "/yard", "/yard?mode=dwell", "/yard?mode=outbound", "/rail", "/grain", "/corridor")
    for path in (
        *screens,
        "/customs",
        "/yard?mode=hold",
        "/interchange",
        "/simulation",
        "/gate",
        "/lists",
        "/lists/holds",
        "/audit",
        f"/container/{served.demo.held_box}",
    ):
        response = page.goto(served.base_url + path)
        assert response is not None and "unsafe-inline" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        if path == "/yard?mode=hold":
            shot(page, "yard-by-hold")
        page.evaluate(AXE)
        inaccessible.extend(f"{path}: {violation}" for violation in page.evaluate(AXE_RUN))
    page.goto(served.base_url + "/yard")
    block, bay, row, _tiers = served.demo.stack
    assert (
        page.locator(f"[data-stack='{block}-{bay}-{row}']")
        .evaluate("element => getComputedStyle(element).getPropertyValue('--level')")
        .strip()
    )  # the level came through the CSSOM, not a style attribute
    page.click(f"[data-stack='{block}-{bay}-{row}']")
    page.wait_for_selector("#stack-boxes")
    checked.close()
    assert problems == [] and guard.outside == []
    assert inaccessible == []
