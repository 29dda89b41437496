"""Keyset paging for the long lists (issue #19): ``limit`` and ``after``, and a ``Link`` to the next page.

A year of the base holds tens of thousands of wagons, train visits and appointments; a list that
returned all of them took seconds. Each long list reads ``limit`` items (default 100, at most
1,000) after the key ``after`` (the last item's key on the previous page — a wagon number, a train
reference, an appointment reference) in the order of an index, so a page costs the same on the
first day and after ten years. A full page carries ``Link: <…?after=KEY&limit=N>; rel="next"``
(RFC 8288); the last page has none.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

PAGE_DEFAULT, PAGE_MAX = 100, 1000

Limit = Annotated[int, Query(ge=1, le=PAGE_MAX, description="Items on this page (at most 1,000)")]
After = Annotated[
    str | None,
    Query(
        max_length=64,
        pattern=r"^[^\x00]*$",  # the schema says what every string field refuses: a NUL character
        description="Key of the last item on the previous page (from the `Link` header)",
    ),
]

NEXT_LINK = {
    "Link": {
        "description": 'The next page, when this one is full: `<URL>; rel="next"` (RFC 8288)',
        "schema": {"type": "string"},
    }
}
"""Response header documentation for a paged list."""


def link_next(request: Request, response: Response, last_key: str | None, count: int, limit: int) -> None:
    """Set ``Link: <…>; rel="next"`` when the page is full (there may be more after ``last_key``)."""
    if last_key is not None and count >= limit:
        url = request.url.include_query_params(after=last_key, limit=limit)
        response.headers["Link"] = f'<{url}>; rel="next"'
