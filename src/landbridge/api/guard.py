"""Input no route should ever see: refused at the door with a 4xx naming the field.

An ASGI middleware in front of every route, so routes added later are covered too:

- query strings and paths with a NUL character (PostgreSQL cannot store one; ``/simulation?a=%00``);
- JSON bodies larger than ``MAX_JSON_BYTES`` (413), or holding NaN, Infinity or a number that
  overflows to infinity (``1e309``) — JSON has no such values and the answer could not be written;
- JSON strings or keys with NUL or a lone surrogate (``"\\ud800"``: not encodable as UTF-8);
- numbers too long to parse, or nesting too deep to walk.

A body that passes is handed on unchanged; one that is not valid JSON at all is left to FastAPI,
whose 422 goes through the same error path (``api/errors.py``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from landbridge.api.errors import error_response

MAX_JSON_BYTES = 4 * 1024 * 1024
"""The largest JSON body a route accepts (a full train plan is a few hundred kB)."""
MAX_DEPTH = 64


class _Refused(Exception):
    def __init__(self, loc: list[str | int], msg: str, kind: str = "value_error") -> None:
        super().__init__(msg)
        self.loc, self.msg, self.kind = loc, msg, kind


def _check_text(text: str, loc: list[str | int]) -> None:
    if "\x00" in text:
        raise _Refused(loc, "must not contain a NUL character", "string_nul")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Refused(loc, "must be valid Unicode text (no lone surrogate)", "string_unicode") from None


def _walk(value: Any, loc: list[str | int], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise _Refused(loc, f"nested deeper than {MAX_DEPTH} levels", "json_depth")
    if isinstance(value, str):
        _check_text(value, loc)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _Refused(loc, "must be a finite number (NaN and Infinity are not JSON)", "finite_number")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, [*loc, key[:64]])
            _walk(item, [*loc, key[:64]], depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, [*loc, index], depth + 1)


def _refuse_constant(name: str) -> float:
    raise _Refused(["body"], f"{name} is not a JSON number; send a finite number", "finite_number")


def check_json(body: bytes) -> None:
    """Raise :class:`_Refused` for a body whose values the hub cannot carry; return for anything else."""
    try:
        value = json.loads(body, parse_constant=_refuse_constant)
    except _Refused:
        raise
    except RecursionError:
        raise _Refused(["body"], f"nested deeper than {MAX_DEPTH} levels", "json_depth") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return  # not JSON (or not text): FastAPI answers 422 json_invalid / 400 on its own error path
    except ValueError:  # e.g. an integer of more than 4300 digits
        raise _Refused(["body"], "a number is too long", "number_too_long") from None
    _walk(value, ["body"])


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media: bytes = value.split(b";")[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return True  # FastAPI reads a body without a content type as JSON


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def check_query_and_path(scope: Scope) -> None:
    """NUL characters in the path or a query parameter (name or value)."""
    if "\x00" in scope.get("path", ""):
        raise _Refused(["path"], "must not contain a NUL character", "string_nul")
    raw = scope.get("query_string", b"").decode("latin-1")
    if "%00" not in raw.lower() and "\x00" not in unquote(raw):
        return
    for key, value in parse_qsl(raw, keep_blank_values=True):
        if "\x00" in key or "\x00" in value:
            raise _Refused(["query", key.replace("\x00", "")[:64]], "must not contain a NUL character", "string_nul")


class InputGuard:
    """The middleware: refuses what no route can handle, before any route runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_query_and_path(scope)
        except _Refused as refused:
            await error_response(422, refused.loc, refused.msg, refused.kind)(scope, receive, send)
            return
        if scope.get("method") not in {"POST", "PUT", "PATCH"} or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > MAX_JSON_BYTES:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_JSON_BYTES:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            check_json(body)
        except _Refused as refused:
            await error_response(422, refused.loc, refused.msg, refused.kind)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    @staticmethod
    async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, ["body"], f"a JSON body may have at most {MAX_JSON_BYTES // (1024 * 1024)} MiB", "body_too_large"
        )
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    sent = False

    async def replay() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
