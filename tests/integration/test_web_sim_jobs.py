"""What-if runs started from the Simulation screen: a run and a small sweep in the background with progress,
refusals beside their field, one job at a time, planners only — and the results in the screen's comparison."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from landbridge.web import sim_jobs
from tests.support import Hub, token

# The twin and the runs folder do not touch the database: SQLite only.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _csrf(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(csrftoken)" value="([^"]*)"', html))


def _wait(web: TestClient) -> str:
    deadline = time.monotonic() + 60  # a 1-day run takes under a second; this only bounds a hang
    while True:
        fragment = web.get("/simulation/job").text
        if 'data-state="running"' not in fragment or time.monotonic() > deadline:
            return fragment
        time.sleep(0.1)


def _planner(make_hub: Callable[..., Hub], runs_dir: Path) -> tuple[Hub, TestClient]:
    made = make_hub(users=("admin",), as_user="admin")
    made.client.app.state.runs_dir = str(runs_dir)  # type: ignore[attr-defined]
    web = TestClient(made.client.app)
    web.cookies.set("lb_token", token(made.url, "web-planner", "planner"))
    return made, web


def test_a_run_is_started_from_the_screen(make_hub: Callable[..., Hub], tmp_path: Path) -> None:
    made, web = _planner(make_hub, tmp_path)
    assert 'id="start-run"' in web.get("/simulation").text
    form = _csrf(web.get("/simulation/run").text)

    bad = web.post("/simulation/run", data={**form, "name": "x", "days": "2", "overrides": "twin.no_such=1"})
    assert bad.status_code == 422 and 'id="sim-run-overrides-error"' in bad.text
    long = web.post("/simulation/run", data={**form, "name": "x", "days": "400"})
    assert long.status_code == 422 and 'id="sim-run-days-error"' in long.text
    odd = web.post("/simulation/run", data={**form, "name": "../up", "days": "2"})
    assert odd.status_code == 422 and 'id="sim-run-name-error"' in odd.text

    started = web.post("/simulation/run", data={**form, "name": "base-1d", "days": "1"}, follow_redirects=False)
    assert started.status_code == 303, started.text[-800:]
    done = _wait(web)
    assert 'data-state="done"' in done, done
    assert (tmp_path / "base-1d" / "kpis.json").is_file()
    assert "base-1d" in web.get("/simulation?a=base-1d").text
    again = web.post("/simulation/run", data={**form, "name": "base-1d", "days": "1"})
    assert again.status_code == 422 and "exists" in again.text

    with TestClient(made.client.app) as auditor:
        auditor.cookies.set("lb_token", token(made.url, "web-aud", "auditor"))
        assert 'id="start-run"' not in auditor.get("/simulation").text
        refused = auditor.post("/simulation/run", data={"name": "y", "days": "1"}, follow_redirects=False)
        assert refused.status_code == 403
    assert sim_jobs.current_job() is not None


@pytest.mark.slow  # four replications of the twin (about 3 s on an idle machine)
def test_a_sweep_is_compared_with_the_scenario(make_hub: Callable[..., Hub], tmp_path: Path) -> None:
    _made, web = _planner(make_hub, tmp_path)
    form = _csrf(web.get("/simulation/run").text)
    sweep = {**form, "name": "fewer-rmg", "days": "1", "seeds": "2", "overrides": "twin.rmg_per_train=1"}
    assert web.post("/simulation/run", data=sweep, follow_redirects=False).status_code == 303
    if 'data-state="running"' in web.get("/simulation/job").text:  # a second start while one runs is refused
        busy = web.post("/simulation/run", data={**form, "name": "other", "days": "2"})
        assert busy.status_code == 409 and 'id="sim-run-error"' in busy.text
    finished = _wait(web)
    assert 'data-state="done"' in finished and "fewer-rmg%20%28compare%29" in finished, finished
    compared = web.get("/simulation", params={"a": "fewer-rmg", "b": "fewer-rmg (compare)"}).text
    assert 'id="sweep-note"' in compared and 'id="kpis"' in compared
