"""The dashboard's forms: ``POST /act/{command}`` performs one of ``web.commands.COMMANDS``.

The viewer is the same actor the API authenticates; the role policy decides (403 page otherwise).
The form's fields are parsed, the command's service function runs through
``operations.common.execute``, and then:

* success → 303 back to the screen the form was on, which says what was done (post/redirect/get,
  so a reload does not repeat the command);
* refusal → the form again, filled in, with the service's reason next to the field it names (or above
  the form when it names none), with the HTTP status of the API (403/404/409/422).

Every rendered form carries a fresh ``form_token``; it is the command's idempotency key (scoped to the
user), with a digest of the submitted fields, so a double click or a resent POST replays the first
answer instead of performing the command twice. Cross-site posts are refused by the CSRF guard on
every dashboard form (``web/csrf.py``), whose hidden field every form here carries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from landbridge.domain.errors import Conflict, DomainError, Forbidden, NotFound
from landbridge.services.idempotency import IdempotencyKey
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.commands import BY_NAME, Call, Command, field_of, new_form_token, parse_form
from landbridge.web.pages import Page, PageDep, not_found
from landbridge.web.readmodels.common import hub_zone

router = APIRouter(include_in_schema=False)
NOT_FIELDS = frozenset({"csrftoken", "form_token", "next"})


def status_of(error: DomainError) -> int:
    """The API's HTTP status for a domain error (403/404/409/422)."""
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    return 422


def _safe_next(target: str) -> str:
    """Back to a screen of this site only."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    return parts.path


def _digest(name: str, form: dict[str, str]) -> str:
    fields = {key: value for key, value in sorted(form.items()) if key not in NOT_FIELDS}
    body = json.dumps([name, fields], ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(body).hexdigest()


def form_page(p: Page, command: Command, form: dict[str, str], errors: dict[str, str], status: int) -> HTMLResponse:
    """The command's form alone (the standalone page, and where a refusal is shown)."""
    context = {
        "command": command,
        "values": form,
        "errors": errors,
        "form_token": form.get("form_token") or new_form_token(),
        "next": _safe_next(form.get("next", "/")),
    }
    return p.render("act.html", context, status_code=status)


def _perform(p: Page, command: Command, form: dict[str, str]) -> Response:
    assert p.viewer is not None
    values, errors = parse_form(command, form, hub_zone())
    if errors:
        return form_page(p, command, form, errors, 422)
    token = form.get("form_token") or new_form_token()
    key = IdempotencyKey(f"form:{token}"[:128], _digest(command.name, form))
    actor = replace(p.viewer.actor, source=f"web:POST /act/{command.name} {token}"[:128])
    call = Call(
        UnitOfWork.for_url(p.request.app.state.database_url),
        actor,
        p.viewer.scope,
        values,
        values.pop("occurred_at", None),
        key,
    )
    try:
        command.run(call)
    except DomainError as error:
        where = field_of(error.field, command) or "_form"
        return form_page(p, command, form, {where: error.reason}, status_of(error))
    target = _safe_next(form.get("next", "/"))
    return RedirectResponse(f"{target}?{urlencode({'done': command.name, 'lang': p.lang.code})}", status_code=303)


def _allowed(p: Page, name: str) -> tuple[Command | None, Response | None]:
    if p.viewer is None:
        return None, RedirectResponse(f"/login?next=/act/{name}", status_code=303)
    command = BY_NAME.get(name)
    if command is None:
        return None, not_found(p, name)
    if not p.viewer.may(command.action):
        return None, p.render("forbidden.html", {"what": f"/act/{name}"}, status_code=403)
    return command, None


@router.get("/act/{name}", response_class=HTMLResponse)
def show(p: PageDep, name: str) -> Response:
    """One command's form on a page of its own (values may be given in the query string)."""
    command, refused = _allowed(p, name)
    if refused is not None or command is None:
        assert refused is not None
        return refused
    form = {key: value for key, value in p.request.query_params.items() if key != "lang"}
    return form_page(p, command, form, {}, 200)


@router.post("/act/{name}", response_class=HTMLResponse)
async def perform(request: Request, p: PageDep, name: str) -> Response:
    """Perform the command with the posted fields (see the module docstring)."""
    command, refused = _allowed(p, name)
    if refused is not None or command is None:
        assert refused is not None
        return refused
    submitted = await request.form()
    form: dict[str, Any] = {key: value for key, value in submitted.items() if isinstance(value, str)}
    return await run_in_threadpool(_perform, p, command, form)
