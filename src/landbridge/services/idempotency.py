"""Idempotent commands: a POST repeated with the same ``Idempotency-Key`` replays the first answer.

The key, a digest of the request and the answer are stored in the command's own transaction, so
either the command and its key are both written or neither is. A repeat therefore writes nothing.
Keys are per caller (two users may pick the same key). A key reused with a different request is
refused rather than silently replaying an answer to another question.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from landbridge.domain.errors import RuleViolation
from landbridge.domain.events import utc_now
from landbridge.store.repositories import IdempotencyRepository

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class IdempotencyKey:
    """The caller's key and the digest of the request it was sent with."""

    key: str
    request_sha256: str
    raw_sha256: str | None = None
    """The digest over the raw bytes, as keys stored before requests were compared as canonical JSON."""

    def __post_init__(self) -> None:
        if not 1 <= len(self.key) <= MAX_KEY_LENGTH:
            raise RuleViolation(HEADER, f"must be 1-{MAX_KEY_LENGTH} characters")


@dataclass(frozen=True)
class Outcome:
    """A command's answer: HTTP status and JSON body; ``replayed`` when it came from the key store."""

    status_code: int
    body: Any
    replayed: bool = False


def canonical_body(body: bytes) -> bytes:
    """A JSON body with sorted keys and no insignificant blanks (anything else as it came)."""
    try:
        value = json.loads(body)
    except ValueError:
        return body
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def request_digest(method: str, path: str, body: bytes, *, canonical: bool = True) -> str:
    """SHA-256 over method, path and the body as canonical JSON: what makes two requests 'the same'.

    The same JSON with its keys in another order, or spaced differently, is the same request.
    """
    digest = hashlib.sha256()
    for part in (method.upper().encode(), b"\0", path.encode(), b"\0", canonical_body(body) if canonical else body):
        digest.update(part)
    return digest.hexdigest()


def stored_outcome(repository: IdempotencyRepository, actor: str, key: IdempotencyKey) -> Outcome | None:
    """The first answer to this key, or None; refuses a key reused for a different request."""
    found = repository.answer(actor, key.key)
    if found is None:
        return None
    request_sha256, status_code, response = found
    if request_sha256 not in {key.request_sha256, key.raw_sha256}:
        raise RuleViolation(HEADER, "this key was already used with a different request")
    return Outcome(status_code, response, replayed=True)


def remember(repository: IdempotencyRepository, actor: str, key: IdempotencyKey, outcome: Outcome) -> None:
    """Store the answer in the current transaction."""
    repository.store(
        {
            "actor": actor,
            "key": key.key,
            "request_sha256": key.request_sha256,
            "status_code": outcome.status_code,
            "response": outcome.body,
            "created_at": utc_now(),
        }
    )
