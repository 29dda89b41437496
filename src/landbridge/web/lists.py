"""List screens: ``/lists`` (the lists a viewer may open), ``/lists/{name}`` with filters and paging,
``/lists/{name}.csv`` (the same rows, every page), and ``/gate`` (trucks inside, appointments, the gate's forms).

The rows come from ``readmodels/lists.py`` (policy action per list, visibility rule in the query).
A filter is a plain GET form, so a filtered list is a link that can be shared or bookmarked; the
language rides along as ``?lang``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from landbridge.domain.events import as_utc
from landbridge.domain.gate import AppointmentStatus
from landbridge.services.authz import Action
from landbridge.web.pages import Page, PageDep, guarded, not_found
from landbridge.web.readmodels.common import hub_zone
from landbridge.web.readmodels.lists import (
    BY_NAME,
    EVENTS,
    LISTS,
    ListSpec,
    all_rows,
    bad_filters,
    csv_text,
    page_of,
)

router = APIRouter(include_in_schema=False)


def _given(p: Page, spec: ListSpec) -> dict[str, str]:
    names = {option.name for option in spec.filters}
    return {key: value[:100] for key, value in p.request.query_params.items() if key in names and value}


def _list_page(p: Page, spec: ListSpec, base: str = "") -> HTMLResponse:
    assert p.viewer is not None
    given = _given(p, spec)
    try:
        number = int(p.request.query_params.get("page", "1"))
    except ValueError:
        number = 1
    page = page_of(p.session, spec, p.viewer.scope, given, number)
    query = [(key, value) for key, value in given.items()]

    base = base or f"/lists/{spec.name}"

    def page_url(n: int) -> str:
        return f"{base}?{urlencode([*query, ('page', str(n)), ('lang', p.lang.code)])}"

    csv_url = f"/lists/{spec.name}.csv?{urlencode(query)}" if query else f"/lists/{spec.name}.csv"
    return p.render(
        "list.html",
        {
            "spec": spec,
            "base_url": base,
            "bad": bad_filters(spec, given),
            "page": page,
            "given": given,
            "page_url": page_url,
            "csv_url": csv_url,
            "hold_write": Action.HOLD_WRITE,
        },
    )


@router.get("/lists", response_class=HTMLResponse)
def index(p: PageDep) -> Response:
    """The lists this viewer's role may open."""
    viewer = p.viewer
    mine = [] if viewer is None else [spec for spec in LISTS if viewer.may(spec.action)]
    return guarded(p, Action.CONTAINER_READ, lambda: p.render("lists.html", {"lists": mine}))


@router.get("/lists/{name}.csv")
def export(p: PageDep, name: str) -> Response:
    """Every row of the filtered list as CSV (UTF-8 with BOM so spreadsheets read Cyrillic and Chinese)."""
    spec = BY_NAME.get(name)
    if spec is None:
        return not_found(p, name) if p.viewer is not None else guarded(p, None, lambda: not_found(p, name))

    def build() -> Response:
        assert p.viewer is not None
        given = _given(p, spec)
        rows = list(all_rows(p.session, spec, p.viewer.scope, given))

        def lines() -> Iterator[str]:
            out = io.StringIO()
            writer = csv.writer(out)
            out.write("\ufeff")
            writer.writerow([column.key for column in spec.columns])
            for count, row in enumerate(rows, start=1):
                writer.writerow([csv_text(row.get(column.key), _iso) for column in spec.columns])
                if count % 1000 == 0:  # a chunk per thousand rows, not per row
                    yield out.getvalue()
                    out.seek(0)
                    out.truncate()
            yield out.getvalue()

        headers = {"Content-Disposition": f'attachment; filename="{spec.name}.csv"'}
        return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=headers)

    return guarded(p, spec.action, build)


@router.get("/lists/{name}", response_class=HTMLResponse)
def one_list(p: PageDep, name: str) -> Response:
    """One list, filtered and paged."""
    spec = BY_NAME.get(name)
    if spec is None:
        return not_found(p, name) if p.viewer is not None else guarded(p, None, lambda: not_found(p, name))
    return guarded(p, spec.action, lambda: _list_page(p, spec))


def _iso(value: datetime) -> str:
    return as_utc(value).astimezone(hub_zone()).isoformat(timespec="seconds")


@router.get("/gate", response_class=HTMLResponse)
def gate(p: PageDep) -> Response:
    """The gate: trucks inside and the appointments still to come, with the gate's forms."""

    def build() -> HTMLResponse:
        assert p.viewer is not None
        trucks = page_of(p.session, BY_NAME["trucks"], p.viewer.scope, {"status": "in"}, 1)
        booked = page_of(
            p.session, BY_NAME["appointments"], p.viewer.scope, {"status": AppointmentStatus.BOOKED.value}, 1
        )
        return p.render("gate.html", {"trucks": trucks, "booked": booked, "lists": BY_NAME})

    return guarded(p, BY_NAME["trucks"].action, build)


@router.get("/audit", response_class=HTMLResponse)
def audit(p: PageDep) -> Response:
    """Audit search: events by container, train, vessel, who, role, type and time range, with before/after.

    The same list as ``/lists/events`` (and its CSV); a shipper or line finds only the events of its own boxes.
    """
    return guarded(p, EVENTS.action, lambda: _list_page(p, EVENTS, base="/audit"))
