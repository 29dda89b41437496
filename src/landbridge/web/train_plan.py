"""A train load plan from the browser: ask for one, review it wagon by wagon, apply it.

The same services as ``POST /api/v1/plans/train`` and ``…/train/apply``: asking runs the CP-SAT
planner on the live data and its independent checker (nothing is written); the review shows which
box goes on which wagon and rail slot, with its mass, destination and yard slot, and the boxes that
stand on planned boxes and will be moved first; applying re-checks the plan on the data as it is
then and loads every box in one transaction, or nothing. Planners and admins (``plan.run``) only.

The reviewed plan travels back in a hidden field of the Apply form, so what is applied is exactly
what was shown (tampering gains nothing: the service re-checks every plan it is given, as the API
does). The form's fresh token is the idempotency key, so a double click applies it once; a refusal
is shown beside the field it names (the train, the container list, the time limit) or above the plan.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from landbridge.domain.errors import DomainError, RuleViolation
from landbridge.services import planning_live
from landbridge.services.authz import Action
from landbridge.services.idempotency import IdempotencyKey
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.actions import status_of
from landbridge.web.commands import TRAIN_PLAN_FIELDS as ASK_FIELDS
from landbridge.web.commands import new_form_token, parse_value
from landbridge.web.pages import Page, PageDep, guarded
from landbridge.web.readmodels.common import hub_zone
from landbridge.web.readmodels.rail import LOADING_STATUSES, trains
from landbridge.web.readmodels.train_plan import train_plan_view

router = APIRouter(include_in_schema=False)
DEFAULT_TIME_LIMIT_S = 5.0
MAX_PLAN_CHARS = 400_000  # a 60-wagon plan is about 40 kB; anything far larger is not one of ours


def _where(error_field: str) -> str:
    """The ask form's input a planner refusal names (``container_numbers[2]`` → containers)."""
    name = error_field.removeprefix("plan.").split("[")[0].split(".")[0]
    mapped = {"train_reference": "train", "container_numbers": "containers", "time_limit_s": "time_limit_s"}
    return mapped.get(name, "_form")


def _ask_page(p: Page, values: dict[str, str], errors: dict[str, str], status: int = 200) -> HTMLResponse:
    at_base = [t.reference for t in trains(p.session, LOADING_STATUSES)]
    context = {"fields": ASK_FIELDS, "values": values, "errors": errors, "at_base": at_base}
    return p.render("train_plan_ask.html", context, status_code=status)


def _review_page(p: Page, plan: dict[str, Any], error: str = "", status: int = 200, token: str = "") -> HTMLResponse:
    context = {
        "plan": train_plan_view(p.session, plan),
        "plan_json": json.dumps(plan, ensure_ascii=False, separators=(",", ":")),
        "error": error,
        "form_token": token or new_form_token(),
    }
    return p.render("train_plan_review.html", context, status_code=status)


@router.get("/rail/plan", response_class=HTMLResponse)
def ask_form(p: PageDep, train: str = "") -> Response:
    """The form that asks for a load plan (the train may be given in the query string)."""
    return guarded(p, Action.PLAN_RUN, lambda: _ask_page(p, {"train": train[:32]}, {}))


def _ask(p: Page, form: dict[str, str]) -> Response:
    zone = hub_zone()
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in ASK_FIELDS:
        try:
            values[spec.name] = parse_value(spec, form.get(spec.name, ""), zone)
        except RuleViolation as error:
            errors[spec.name] = error.reason
    if errors:
        return _ask_page(p, form, errors, 422)
    try:
        plan = planning_live.plan_train(
            UnitOfWork.for_url(p.request.app.state.database_url),
            train_reference=values["train"],
            time_limit_s=DEFAULT_TIME_LIMIT_S if values["time_limit_s"] is None else values["time_limit_s"],
            seed=1 if values["seed"] is None else values["seed"],
            container_numbers=["".join(n.split()).upper() for n in values["containers"]] or None,
        )
    except DomainError as error:
        return _ask_page(p, form, {_where(error.field): error.reason}, status_of(error))
    return _review_page(p, plan)


@router.post("/rail/plan", response_class=HTMLResponse)
async def ask(request: Request, p: PageDep) -> Response:
    """Run the planner and show its checked plan for review (nothing is written)."""
    submitted = await request.form()
    form = {key: value for key, value in submitted.items() if isinstance(value, str)}
    if p.viewer is None or not p.viewer.may(Action.PLAN_RUN):
        return guarded(p, Action.PLAN_RUN, lambda: _ask_page(p, form, {}))
    return await run_in_threadpool(_ask, p, form)


def _apply(p: Page, form: dict[str, str]) -> Response:
    assert p.viewer is not None
    text = form.get("plan", "")
    try:
        plan = json.loads(text) if len(text) <= MAX_PLAN_CHARS else None
    except ValueError:
        plan = None
    if not isinstance(plan, dict):
        return _ask_page(p, {}, {"_form": "the plan could not be read; ask for a new one"}, 422)
    token = form.get("form_token") or new_form_token()
    digest = hashlib.sha256(f"train-plan-apply\n{text}".encode()).hexdigest()
    actor = replace(p.viewer.actor, source=f"web:POST /rail/plan/apply {token}"[:128])
    try:
        planning_live.apply_train_plan(
            UnitOfWork.for_url(p.request.app.state.database_url),
            actor,
            plan,
            idempotency=IdempotencyKey(f"form:{token}"[:128], digest),
        )
    except DomainError as error:
        p.session.rollback()  # show the plan against the data as it is now
        return _review_page(p, plan, f"{error.field}: {error.reason}", status_of(error), token)
    query = urlencode({"done": "train-plan-apply", "lang": p.lang.code})
    return RedirectResponse(f"/rail?{query}#train-{plan.get('train_reference', '')}", status_code=303)


@router.post("/rail/plan/apply", response_class=HTMLResponse)
async def apply(request: Request, p: PageDep) -> Response:
    """Apply the reviewed plan: re-checked on live data, every box loaded in one transaction, or nothing."""
    submitted = await request.form()
    form = {key: value for key, value in submitted.items() if isinstance(value, str)}
    if p.viewer is None or not p.viewer.may(Action.PLAN_RUN):
        return guarded(p, Action.PLAN_RUN, lambda: _ask_page(p, {}, {}))
    return await run_in_threadpool(_apply, p, form)
