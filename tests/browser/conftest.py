"""Real Chromium (Debian's /usr/bin/chromium) against the app served by uvicorn on 127.0.0.1.

The app runs in a background thread over a seeded temporary SQLite database. Every request the
browser makes is routed through a handler that lets through only the app's own origin; anything
else is aborted and recorded, and the test fails — the dashboard must work with no internet.
Without Chromium the tests skip, unless ``LANDBRIDGE_REQUIRE_BROWSER=1`` (as in ``make test``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from landbridge.api.app import create_app
from landbridge.store.migrate import upgrade
from tests.browser.demo import Demo, seed_demo
from tests.live_server import serve

CHROMIUM = os.environ.get("LANDBRIDGE_CHROMIUM", "/usr/bin/chromium")  # Debian's package
# Software WebGL for the map; and, behind the route guard, a resolver that knows no host at all, so
# even a request the guard could not see (none is expected) would fail instead of reaching the internet.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# Every run saves screenshots under build/screenshots/; LANDBRIDGE_UPDATE_SCREENSHOTS=1 refreshes the
# committed set in docs/screenshots/ instead (pages show timestamps, so a plain test run must not touch it).
_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = _ROOT / (
    "docs/screenshots" if os.environ.get("LANDBRIDGE_UPDATE_SCREENSHOTS") == "1" else "build/screenshots"
)

pytestmark = pytest.mark.browser


def _require() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("LANDBRIDGE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"LANDBRIDGE_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed")


@dataclass
class Served:
    """The running app: where it is and what the demo data holds."""

    base_url: str
    demo: Demo
    runs: Path
    database_url: str


def _write_runs(root: Path) -> None:
    """Two short twin runs (base and a slower Khorgos) as the CLI would leave them."""
    from landbridge.scenarios import load_scenario
    from landbridge.simulation.run import simulate

    scenario = load_scenario()
    for name, seed in (("base-seed1", 1), ("base-seed2", 2)):
        result = simulate(scenario, days=28, seed=seed)
        (root / name).mkdir(parents=True)
        (root / name / "kpis.json").write_text(json.dumps(result.kpis, indent=1, sort_keys=True), encoding="utf-8")


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app on a free port over a demo database, for the whole browser session."""
    _require()
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'landbridge.db'}"
    upgrade(url)
    demo = seed_demo(url)
    runs = folder / "runs"
    _write_runs(runs)
    app = create_app(url)
    app.state.runs_dir = str(runs)
    with serve(app) as base_url:
        yield Served(base_url, demo, runs, url)


@pytest.fixture(scope="session")
def browser(served: Served) -> Iterator[Any]:
    """One Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Offline:
    """Requests that tried to leave the app (they are aborted)."""

    origin: str
    outside: list[str] = field(default_factory=list)

    def handle(self, route: Any) -> None:
        target = urlsplit(route.request.url)
        if f"{target.scheme}://{target.netloc}" == self.origin:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()


@pytest.fixture
def context(browser: Any, served: Served) -> Iterator[tuple[Any, Offline]]:
    """A fresh browser context whose every request is checked against the app's origin."""
    # bypass_csp: Playwright's own helpers (wait_for_function) evaluate strings, which the dashboard's
    # Content-Security-Policy forbids; tests/browser/test_day.py checks the policy in contexts of its own.
    ctx = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="en-GB", service_workers="block", bypass_csp=True
    )
    guard = Offline(served.base_url)
    ctx.route("**/*", guard.handle)
    yield ctx, guard
    ctx.close()
    assert guard.outside == [], f"requests left the app: {guard.outside}"


def login(page: Any, base_url: str, token: str, lang: str = "en") -> None:
    """Log in through the form, as a person would."""
    page.goto(f"{base_url}/login?lang={lang}")
    page.fill("#token", token)
    page.click("#login-button")
    page.wait_for_load_state("networkidle")


def shot(page: Any, name: str) -> None:
    """Save a screenshot (build/screenshots/, or docs/screenshots/ with LANDBRIDGE_UPDATE_SCREENSHOTS=1)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
