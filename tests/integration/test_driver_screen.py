"""The driver's screen and the control room's work queues, over HTTP with the dashboard's cookie.

A driver signs on to a crane, sees the next box with its from and to places, confirms it (the box
is in the slot the instruction named), gets the next job over server-sent events, and a second
"done" for the same job is refused with the job and its state named; the control room shows the
queue and the crane's moves; every word is in the driver's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.integration.test_work import _ship, call, without_tractors
from tests.support import Hub, token


def _csrf(html: str) -> dict[str, str]:
    """The CSRF field every dashboard form carries (web/csrf.py): posted back with its cookie."""
    match = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert match, html[:500]
    return {"csrftoken": match.group(1)}


def test_a_driver_discharges_a_ship_on_the_driver_screen(make_hub: Callable[..., Hub]) -> None:
    hub: Hub = make_hub(users=("admin", "planner", "auditor"), as_user="admin")
    without_tractors(hub.url)
    numbers = _ship(hub, 2)
    call(hub, "PUT", "/api/v1/equipment/STS-30-2/status", {"status": "break", "reason": "lunch"}, user="planner")
    call(hub, "PUT", "/api/v1/equipment/STS-30-3/status", {"status": "break", "reason": "lunch"}, user="planner")
    made = call(hub, "POST", "/api/v1/work/instructions/generate", {"vessel_visit": "V1"}, 201, "planner")
    first, second = made["created"]
    driver_token = token(hub.url, "wang", "driver")
    with TestClient(hub.client.app, cookies={"lb_token": driver_token}) as driver:
        choose = driver.get("/driver")
        assert choose.status_code == 200 and 'data-machine="STS-30-1"' in choose.text
        assert driver.post("/driver/sign-on", data={"code": "STS-30-1"}, follow_redirects=False).status_code == 403
        signed = driver.post("/driver/sign-on", data={"code": "STS-30-1", **_csrf(choose.text)}, follow_redirects=False)
        assert signed.status_code == 303
        screen = driver.get("/driver").text
        assert numbers[0] in screen and first["to_place"] in screen and 'id="job-done"' in screen
        stream = driver.get("/driver/live?once=1").text
        assert "event: job" in stream and numbers[0] in stream
        token_field = _csrf(stream)  # the job panel pushed over SSE carries the token too
        done = driver.post(f"/driver/jobs/{first['id']}/done", data=token_field, follow_redirects=False)
        assert done.status_code == 303
        box = call(hub, "GET", f"/api/v1/containers/{numbers[0]}")
        assert box["position"] == {"kind": "yard", "reference": first["target"]["slot"]}
        assert numbers[1] in driver.get("/driver/live?once=1").text  # the next job arrives by itself
        again = driver.post(f"/driver/jobs/{first['id']}/done", data=token_field)
        assert again.status_code == 409 and f"work instruction {first['id']} is done" in again.text
        russian = driver.get("/driver?lang=ru").text
        assert "Готово" in russian and "Проблема" in russian
        assert "судно V1" in russian and "vessel V1" not in russian  # the job's places in Russian too
        problem = driver.post(
            f"/driver/jobs/{second['id']}/problem",
            data={"problem": "damaged", "note": "door", **token_field},
            follow_redirects=False,
        )
        assert problem.status_code == 303
        assert call(hub, "GET", f"/api/v1/work/instructions/{second['id']}")["problem"] == "damaged: door"
    with TestClient(hub.client.app, cookies={"lb_token": hub.tokens["auditor"]}) as room:
        page = room.get("/work")
        assert page.status_code == 200 and 'data-queue="berth:30"' in page.text
        assert 'data-machine="STS-30-1"' in page.text and "lunch" in page.text
        assert 'id="per-shift"' in page.text  # the confirmed move counts in its shift (hub time)
        assert room.get("/driver").status_code == 403
        assert room.get("/driver/live?once=1").status_code == 403
    with TestClient(hub.client.app) as anonymous:
        assert anonymous.get("/driver/live?once=1").status_code == 401
