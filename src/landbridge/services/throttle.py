"""Rate limits and the lockout after failed tokens or logins, with the ``limits`` library (moving windows).

Each app keeps its counters in memory (one uvicorn process serves the hub; a restart forgets
them, which errs towards letting people in). Two rules:

- **lockout**: an address that sent ``auth_failure_limit`` wrong tokens or logins (default 20 in
  5 minutes) gets 429 with ``Retry-After`` for every authenticated request and login until the
  window has passed — even with a right token, so a guess cannot be confirmed while locked out;
- **rate**: one API user may make ``rate_limit`` requests (default 1200 a minute), then 429.

Behind a reverse proxy, run uvicorn with ``--proxy-headers`` so the address is the caller's. The
HTTP side (429 answers, the caller's address) is in ``api/throttle.py``.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from landbridge.config import Settings


def _limit(text: str) -> RateLimitItem | None:
    return None if text.strip() in {"", "0"} else parse(text)


class Throttle:
    """The app's counters: failed authentications per address, requests per user."""

    def __init__(self, rate_limit: str, auth_failure_limit: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._requests = _limit(rate_limit)
        self._failures = _limit(auth_failure_limit)

    @classmethod
    def from_settings(cls, settings: Settings) -> Throttle:
        """The limits the settings name."""
        return cls(settings.rate_limit, settings.auth_failure_limit)

    def _wait_s(self, item: RateLimitItem, *keys: str) -> int:
        reset_time, _ = self._limiter.get_window_stats(item, *keys)
        return max(1, math.ceil(reset_time - time.time()))

    def lockout_s(self, address: str) -> int | None:
        """Seconds an address must still wait after too many failures, or None."""
        if self._failures is None or self._limiter.test(self._failures, "auth-failure", address):
            return None
        return self._wait_s(self._failures, "auth-failure", address)

    def failed(self, address: str) -> None:
        """Count one wrong token or login from ``address``."""
        if self._failures is not None:
            self._limiter.hit(self._failures, "auth-failure", address)

    def request_wait_s(self, caller: str) -> int | None:
        """Count one request of ``caller``; seconds to wait when over the limit, else None."""
        if self._requests is None or self._limiter.hit(self._requests, "request", caller):
            return None
        return self._wait_s(self._requests, "request", caller)
