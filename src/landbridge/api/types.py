"""Field types every API input uses, so the rules of :mod:`landbridge.domain.times` hold at the door.

``Instant`` is the one type for a time in a request (body field or query parameter): an RFC 3339
text with an offset, within the accepted years, handed to the service as an aware UTC ``datetime``.
Numbers (Unix seconds: ``hour_start=0`` used to mean 1970) and naive texts are refused with a 422
that names the field. The JSON schema says the same (``pattern``, and no ``format: date-time``: the
seconds may be left out, which strict RFC 3339 does not allow), so generated clients and
Schemathesis send exactly what is accepted.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, WithJsonSchema

from landbridge.domain.times import EARLIEST_YEAR, LATEST_YEAR, OFFSET_EXAMPLE, RANGE_TEXT, checked_time, time_problem

# Years 2000-2099, an RFC 3339 date-time (seconds may be left out), and an explicit offset (Z or ±hh:mm).
# A real calendar day of 2000-2099 (30-day months, February with the 29th only in leap years).
_DATE = (
    r"(20[0-9]{2}-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
    r"|20[0-9]{2}-(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|20[0-9]{2}-02-(0[1-9]|1[0-9]|2[0-8])"
    r"|20(0[048]|[2468][048]|[13579][26])-02-29)"
)
INSTANT_PATTERN = (
    "^" + _DATE + r"[Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
_INSTANT = re.compile(INSTANT_PATTERN)
assert EARLIEST_YEAR == 2000 and LATEST_YEAR == 2099, "INSTANT_PATTERN spells out the accepted years"


def _text_only(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    shape = f"must be an RFC 3339 date-time text with an offset, e.g. {OFFSET_EXAMPLE}"
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(shape)
    if _INSTANT.fullmatch(value) is None:
        try:
            problem = time_problem(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            problem = None
        raise ValueError(problem or shape)
    return value


def _in_range(value: datetime) -> datetime:
    problem = time_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return checked_time(value, "time")


Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_text_only),
    AfterValidator(_in_range),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": INSTANT_PATTERN,
            "description": f"RFC 3339 date-time with an offset, {RANGE_TEXT}, e.g. {OFFSET_EXAMPLE}",
            "examples": [OFFSET_EXAMPLE],
        }
    ),
]
"""An aware UTC ``datetime`` from an RFC 3339 text with an offset, years 2000-2099."""


# An hour boundary in UTC: minutes and seconds zero, and an offset of whole hours.
HOUR_PATTERN = "^" + _DATE + r"[Tt ]([01][0-9]|2[0-3]):00(:00(\.0{1,6})?)?([Zz]|[+-]([01][0-9]|2[0-3]):00)$"
_HOUR = re.compile(HOUR_PATTERN)


def _on_the_hour(value: Any) -> Any:
    if isinstance(value, str) and _INSTANT.fullmatch(value) is not None and _HOUR.fullmatch(value) is None:
        raise ValueError("must start on the hour (minutes and seconds 00, an offset of whole hours)")
    return value


HourStart = Annotated[
    AwareDatetime,
    BeforeValidator(_text_only),
    BeforeValidator(_on_the_hour),
    AfterValidator(_in_range),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": HOUR_PATTERN,
            "description": f"The start of an hour, RFC 3339 with an offset, {RANGE_TEXT}, e.g. {OFFSET_EXAMPLE}",
            "examples": ["2026-01-15T10:00:00+08:00"],
        }
    ),
]
"""An :data:`Instant` on a whole UTC hour (appointment windows)."""
