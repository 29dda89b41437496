"""A ship discharged through work instructions only, on the driver's screen in real Chromium.

The crane's queue follows the discharge list; the first job arrives over server-sent events while
the driver is already looking at the screen; each box is confirmed with the big Done button and
lands in the yard slot its instruction named; the control room then shows the crane's moves per
hour. The phone-sized viewport is what a driver in a cab holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ManifestEntry
from landbridge.services.authz import create_user
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.operations import manifests, vessel
from landbridge.services.work import equipment, generate
from landbridge.store.unit_of_work import UnitOfWork
from tests.browser.conftest import Offline, Served, login, shot
from tests.browser.demo import OPERATOR_TOKEN, box

pytestmark = pytest.mark.browser

ADMIN = Actor("browser-setup", "admin")


def _free_berth(url: str) -> str:
    with UnitOfWork.for_url(url) as uow:
        for code in ("L4", "L3", "L2", "L1", "29", "30"):
            if uow.vessels.berthed_at(code) is None:
                return code
    raise AssertionError("no free berth in the demo")


def _ship(url: str, count: int) -> tuple[str, list[str]]:
    berth = _free_berth(url)
    now = datetime.now(UTC)
    vessel.announce_vessel(UnitOfWork.for_url(url), ADMIN, reference="V-DRIVER", vessel_name="Driver Test", eta=now)
    vessel.berth_vessel(UnitOfWork.for_url(url), ADMIN, reference="V-DRIVER", berth_code=berth, etb=now)
    numbers = [box("DRV", 700 + i) for i in range(count)]
    for number in numbers:
        register_container(UnitOfWork.for_url(url), RegisterContainer(ContainerNumber(number), "22G1"), ADMIN)
    entries = [ManifestEntry(n) for n in numbers]
    manifests.set_discharge_list(UnitOfWork.for_url(url), ADMIN, visit="V-DRIVER", entries=entries)
    for index in (2, 3):  # one crane does the whole list
        equipment.set_status(
            UnitOfWork.for_url(url), ADMIN, code=f"STS-{berth}-{index}", status=equipment.EquipmentStatus.BREAK,
            reason="lunch",
        )  # fmt: skip
    with UnitOfWork.for_url(url) as uow:
        tractors = [m.code for m in uow.equipment.machines(kind="terminal_tractor")]
    for (
        code
    ) in tractors:  # the crane lands each box in the yard itself (the tractor leg: tests/integration/test_work.py)
        equipment.set_status(
            UnitOfWork.for_url(url), ADMIN, code=code, status=equipment.EquipmentStatus.OUT_OF_SERVICE,
            reason="not in this test",
        )  # fmt: skip
    return berth, numbers


def test_a_ship_is_discharged_on_the_driver_screen(context: tuple[Any, Offline], served: Served, browser: Any) -> None:
    url = served.database_url
    berth, numbers = _ship(url, 3)
    crane = f"STS-{berth}-1"
    driver_token = create_user(UnitOfWork.for_url(url), name="driver-li", role="driver")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", service_workers="block")
    guard = Offline(served.base_url)
    phone.route("**/*", guard.handle)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, served.base_url, driver_token, lang="zh_Hans")
    page.goto(f"{served.base_url}/driver")
    page.click(f"button[data-machine='{crane}']")
    page.wait_for_selector("#no-job")
    page.wait_for_timeout(300)  # the stream has sent its first panel
    made = generate.for_vessel_visit(UnitOfWork.for_url(url), ADMIN, reference="V-DRIVER").body
    named = {i["container"]: i["target"]["slot"] for i in made["created"]}
    assert [i["container"] for i in made["created"]] == numbers
    # The first job arrives over SSE, with no reload.
    page.wait_for_selector(f"#job-container:text('{numbers[0]}')", timeout=10_000)
    assert page.inner_text(".job-kind") == "卸船"
    shot(page, "driver-zh")
    for number in numbers:
        page.wait_for_selector(f"#job-container:text('{number}')", timeout=10_000)
        assert page.inner_text("#job-to") == named[number]
        box_size = page.locator("#job-done").bounding_box()
        assert box_size is not None and box_size["height"] >= 64 and box_size["width"] >= 300  # a thumb hits it
        page.click("#job-done")
        page.wait_for_load_state("networkidle")
    page.wait_for_selector("#no-job")
    with UnitOfWork.for_url(url) as uow:
        rows = uow.containers.rows(numbers)
        assert {n: rows[n].position_reference for n in numbers} == named
    phone.close()
    assert guard.outside == [] and errors == []
    desk, _ = context
    room = desk.new_page()
    login(room, served.base_url, OPERATOR_TOKEN)
    room.goto(f"{served.base_url}/work")
    row = room.locator(f"#productivity tr[data-machine='{crane}']")
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == "3" and cells[2] != "–"  # three moves, a gross rate per crane hour
    assert room.locator(f"#queues tr[data-queue='berth:{berth}'] td").nth(3).inner_text() == "3"
    shot(room, "work-queues")
