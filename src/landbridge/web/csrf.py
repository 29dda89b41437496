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

from asgi_csrf import Errors, asgi_csrf  # type: ignore[import-untyped]
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "lb_csrf"
FIELD = "csrftoken"
PROTECTED_WITHOUT_COOKIE = frozenset({"/login", "/logout"})
API_PREFIXES = ("/api/", "/dcsa/")


def _is_api(scope: dict[str, Any]) -> bool:
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


class CsrfGuard:
    """The middleware (``app.add_middleware(CsrfGuard, secret=…)``)."""

    def __init__(self, app: ASGIApp, secret: str | None = None) -> None:
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
        await self.app(scope, receive, send)


def token_for(scope: MutableMapping[str, Any]) -> str:
    """The value a form's hidden ``csrftoken`` field must carry (sets the cookie when missing)."""
    get_token = scope.get(FIELD)
    return str(get_token()) if callable(get_token) else ""
