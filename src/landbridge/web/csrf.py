"""CSRF protection for the dashboard's forms (login and logout included), with ``asgi-csrf``.

Double-submit cookie: the page that shows a form sets a signed ``lb_csrf`` cookie (SameSite=Strict)
and puts the same value in the form's hidden ``csrftoken`` field; a POST whose field does not match
its cookie is refused with 403. Login and logout are protected even without any cookie, so another
site cannot log a browser in or out. The JSON API (``/api``, ``/dcsa``) authenticates with a bearer
header a browser never adds by itself, so it is outside this check.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

import asgi_csrf as _asgi_csrf  # type: ignore[import-untyped]
from asgi_csrf import Errors, asgi_csrf
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "lb_csrf"
FIELD = "csrftoken"
PROTECTED_WITHOUT_COOKIE = frozenset({"/login", "/logout"})
API_PREFIXES = ("/api/", "/dcsa/")


def _is_api(scope: MutableMapping[str, Any]) -> bool:
    return str(scope.get("path", "")).startswith(API_PREFIXES)


async def _refuse(_scope: dict[str, Any], send: Any, _error: Errors) -> None:
    body = json.dumps(
        {
            "detail": [
                {
                    "loc": ["body", FIELD],
                    "msg": "the form is stale or came from another site; reload the page and try again",
                    "type": "csrf",
                }
            ]
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _multipart_token(boundary: bytes | str, receive: Any) -> tuple[str | None, Any]:
    """The ``csrftoken`` field of a multipart body, read up to it; the body is replayed to the app afterwards.

    asgi-csrf 0.11 reads it with ``FormParser(..., FileClass=…)``, which python-multipart 0.0.13+ no longer
    accepts (every multipart POST — a file upload form — answered 500). Same contract, on the low-level
    parser: a file part before the token is refused (``FileBeforeToken``), as asgi-csrf means it to be.
    """
    messages: list[dict[str, Any]] = []
    part: dict[str, Any] = {"field": b"", "value": b"", "headers": {}, "name": None, "data": b""}

    def on_part_begin() -> None:
        part.update(field=b"", value=b"", headers={}, name=None, data=b"")

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part["value"] += data[start:end]

    def on_header_end() -> None:
        part["headers"][part["field"].lower()] = part["value"]
        part.update(field=b"", value=b"")

    def on_headers_finished() -> None:
        _kind, options = parse_options_header(part["headers"].get(b"content-disposition", b""))
        if b"filename" in options:
            raise _asgi_csrf.FileBeforeToken
        part["name"] = options.get(b"name")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if part["name"] == FIELD.encode():
            part["data"] += data[start:end]

    def on_part_end() -> None:
        if part["name"] == FIELD.encode():
            raise _asgi_csrf.TokenFound(part["data"].decode("utf-8", errors="replace"))

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )

    async def replay_receive() -> Any:
        return messages.pop(0) if messages else await receive()

    more_body = True
    try:
        while more_body:
            message = await receive()
            messages.append(message)
            parser.write(message.get("body", b""))
            more_body = message.get("more_body", False)
    except _asgi_csrf.TokenFound as found:
        return str(found.args[0]), replay_receive
    return None, replay_receive


_asgi_csrf._parse_multipart_form_data = _multipart_token  # the module looks it up on every request


class CsrfGuard:
    """The middleware (``app.add_middleware(CsrfGuard, secret=…)``)."""

    def __init__(self, app: ASGIApp, secret: str | None = None) -> None:
        self.api = app
        self.app = asgi_csrf(
            app,
            signing_secret=secret,
            cookie_name=COOKIE,
            always_protect=set(PROTECTED_WITHOUT_COOKIE),
            skip_if_scope=_is_api,
            cookie_samesite="Strict",
            send_csrf_failed=_refuse,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_api(scope):
            # The bearer-token API skips the check (``skip_if_scope``) and never shows a form, so it
            # skips asgi-csrf altogether: it signed a fresh token for every request (issue #19).
            await self.api(scope, receive, send)
            return
        await self.app(scope, receive, send)


def token_for(scope: MutableMapping[str, Any]) -> str:
    """The value a form's hidden ``csrftoken`` field must carry (sets the cookie when missing)."""
    get_token = scope.get(FIELD)
    return str(get_token()) if callable(get_token) else ""
