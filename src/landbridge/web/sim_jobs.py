"""What-if runs started from the Simulation screen: a twin run or a small sweep in the background, with progress.

The same machinery as ``landbridge simulate`` and ``landbridge sweep``: the scenario with ``--set``-style
overrides and disruptions (``simulation.cli.build_variant``, which refuses a bad one naming it), one
replication (``simulation.run.simulate`` → ``kpis.json``) or a few seeds of the variant against the
unchanged scenario (``simulation.sweep.run_replication`` per seed, ``summarise`` and
``paired_difference`` → ``sweep.json`` with 95 % confidence intervals). The result is written into the
runs folder the screen reads, so it appears in its run list and comparison as soon as it is done.

Bounded so the web server stays responsive on a small machine: one job at a time (a second start is
refused, 409), at most ``MAX_DAYS`` days, ``MAX_SEEDS`` seeds and ``MAX_RUN_DAYS`` simulated days in all,
in one background thread of the web process (a sweep here runs its seeds one after the other instead of
starting a Dask cluster). Starting needs ``simulation.run`` (planners and admins).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from landbridge.domain.errors import RuleViolation
from landbridge.scenarios.loader import ScenarioError
from landbridge.services.authz import Action
from landbridge.simulation.cli import build_variant, write_kpis
from landbridge.simulation.overrides import OverrideError
from landbridge.simulation.run import simulate
from landbridge.simulation.sweep import SweepResult, Variant, paired_difference, run_replication, summarise
from landbridge.web import runs
from landbridge.web.commands import INT, TEXT, Field, parse_value
from landbridge.web.pages import Page, PageDep, guarded
from landbridge.web.readmodels.common import hub_zone


def _(message: str) -> str:
    """Mark a message for extraction; it is translated when rendered."""
    return message


router = APIRouter(include_in_schema=False)
MAX_DAYS = 365
MAX_SEEDS = 5
MAX_RUN_DAYS = 730  # days × seeds × variants: a year of two variants, or five seeds of 73 days
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
RUN_FIELDS = (
    Field("name", _("Run name"), TEXT, hint=_("letters, digits, - and _; a new folder in the runs folder")),
    Field("days", _("Days"), INT, hint=_("1 to 365")),
    Field("seed", _("Seed"), INT, required=False, hint=_("default 1; a sweep uses this and the next ones")),
    Field("seeds", _("Seeds (sweep)"), INT, required=False, hint=_("1: one run; 2 to 5: a sweep against the scenario")),
    Field(
        "overrides",
        _("Overrides"),
        TEXT,
        required=False,
        hint=_("one key=value per line, as landbridge simulate --set"),
    ),
    Field(
        "disruptions",
        _("Disruptions"),
        TEXT,
        required=False,
        hint=_("one per line, e.g. crossing=khorgos,from=100,to=107"),
    ),
)


@dataclass
class Job:
    """The one background run: what it is, how far it got, how it ended."""

    name: str
    kind: str  # "run" | "sweep"
    total: float
    done: float = 0.0
    state: str = "running"  # running | done | failed
    error: str = ""
    started: float = field(default_factory=time.monotonic)
    wall_s: float | None = None

    @property
    def share(self) -> float:
        """Progress, 0..1."""
        return min(1.0, self.done / self.total) if self.total else 0.0


_LOCK = threading.Lock()
_JOB: Job | None = None


def current_job() -> Job | None:
    """The running job, or the last one that ended."""
    return _JOB


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _variant(overrides: list[str], disruptions: list[str], field_name: str) -> Variant:
    try:
        return build_variant(None, overrides, None, disruptions)
    except OverrideError as error:
        raise RuleViolation(field_name, f"{error.key}: {error.reason}") from None
    except ScenarioError as error:
        raise RuleViolation(field_name, "; ".join(f"{path}: {reason}" for path, reason in error.problems)) from None


def _run(job: Job, folder: Path, variant: Variant, base: Variant, days: int, seeds: list[int]) -> None:
    try:
        if job.kind == "run":
            result = simulate(
                variant.scenario,
                days,
                seeds[0],
                variant.params,
                variant.disruptions,
                progress=lambda day: setattr(job, "done", day),
            )
            folder.mkdir(parents=True)
            write_kpis(result.kpis, folder / runs.KPI_FILE)
        else:
            base_runs, compare_runs = [], []
            for seed in seeds:
                base_runs.append(run_replication(base, seed, days))
                job.done += days
                compare_runs.append(run_replication(variant, seed, days))
                job.done += days
            sweep = SweepResult(
                tuple(seeds),
                days,
                summarise(base_runs),
                summarise(compare_runs),
                paired_difference(base_runs, compare_runs),
            )
            folder.mkdir(parents=True)
            text = json.dumps(sweep.as_dict(), sort_keys=True, indent=2) + "\n"
            (folder / runs.SWEEP_FILE).write_text(text, encoding="utf-8")
        job.state = "done"
    except Exception as error:
        job.state, job.error = "failed", f"{type(error).__name__}: {error}"
    finally:
        job.wall_s = time.monotonic() - job.started


def _form_page(p: Page, values: dict[str, str], errors: dict[str, str], status: int) -> HTMLResponse:
    return p.render(
        "simulation_run.html", {"fields": RUN_FIELDS, "values": values, "errors": errors, "job": _JOB}, status
    )


@router.get("/simulation/run", response_class=HTMLResponse)
def run_form(p: PageDep) -> Response:
    """The form that starts a what-if run or sweep, and the progress of the current one."""
    return guarded(p, Action.SIMULATION_RUN, lambda: _form_page(p, {"days": "30", "seeds": "1"}, {}, 200))


def _start(p: Page, form: dict[str, str]) -> Response:
    global _JOB
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in RUN_FIELDS:
        raw = form.get(spec.name, "")
        try:
            free_text = spec.name in ("overrides", "disruptions")  # several lines, checked by the twin's parser
            values[spec.name] = raw.strip()[:4000] if free_text else parse_value(spec, raw, hub_zone())
        except RuleViolation as error:
            errors[spec.name] = error.reason
    if errors:
        return _form_page(p, form, errors, 422)
    name, days = str(values["name"]), int(values["days"])
    seed, count = values["seed"] if values["seed"] is not None else 1, values["seeds"] or 1
    root = runs.runs_dir(getattr(p.request.app.state, "runs_dir", None))
    checks = {
        "name": None if NAME.match(name) else "letters, digits, - and _ only (at most 40)",
        "days": None if 1 <= days <= MAX_DAYS else f"from 1 to {MAX_DAYS}",
        "seed": None if 0 <= seed < 2**31 else "from 0",
        "seeds": None if 1 <= count <= MAX_SEEDS else f"from 1 to {MAX_SEEDS}",
    }
    errors = {key: reason for key, reason in checks.items() if reason}
    if not errors and (root / name).exists():
        errors["name"] = "a run of this name exists; choose another"
    if not errors and days * count * (2 if count > 1 else 1) > MAX_RUN_DAYS:
        errors["days"] = f"days × seeds × 2 is at most {MAX_RUN_DAYS} here; run longer sweeps with landbridge sweep"
    if errors:
        return _form_page(p, form, errors, 422)
    try:
        _variant(_lines(values["overrides"]), [], "overrides")  # a bad override is named beside its own field
        variant = _variant(_lines(values["overrides"]), _lines(values["disruptions"]), "disruptions")
        base = _variant([], [], "overrides")
    except RuleViolation as error:
        return _form_page(p, form, {error.field: error.reason}, 422)
    seeds = list(range(seed, seed + count))
    with _LOCK:
        if _JOB is not None and _JOB.state == "running":
            return _form_page(p, form, {"_form": f"run {_JOB.name} is still running; wait for it"}, 409)
        kind = "run" if count == 1 else "sweep"
        _JOB = Job(name, kind, float(days if kind == "run" else days * count * 2))
        thread = threading.Thread(
            target=_run, args=(_JOB, root / name, variant, base, days, seeds), name=f"what-if {name}", daemon=True
        )
        thread.start()
    return RedirectResponse(f"/simulation/run?{urlencode({'lang': p.lang.code})}", status_code=303)


@router.post("/simulation/run", response_class=HTMLResponse)
async def start(request: Request, p: PageDep) -> Response:
    """Start the run (see the module docstring for its bounds)."""
    submitted = await request.form()
    form = {key: value for key, value in submitted.items() if isinstance(value, str)}
    if p.viewer is None or not p.viewer.may(Action.SIMULATION_RUN):
        return guarded(p, Action.SIMULATION_RUN, lambda: _form_page(p, form, {}, 200))
    return _start(p, form)


@router.get("/simulation/job", response_class=HTMLResponse)
def job_status(p: PageDep) -> Response:
    """The progress of the current run (an htmx fragment polled by the page while it runs)."""
    return guarded(p, Action.SIMULATION_READ, lambda: p.render("_sim_job.html", {"job": _JOB}))
