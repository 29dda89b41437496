"""Parties and the bookings they make."""

from __future__ import annotations

from landbridge.domain.errors import InvalidIdentifier

OWNER_CODE_FIELD = "owner_codes"


def owner_code(value: str) -> str:
    """An ISO 6346 owner code: the three capital letters a container number starts with (``COS``, ``MSC``).

    A shipping line registers its codes (the first three letters of its BIC codes) so that it sees
    the boxes it owns; the equipment category letter (U, J, Z) is not part of it.
    """
    code = value.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise InvalidIdentifier(OWNER_CODE_FIELD, f"owner code {value!r} must be three letters A–Z, e.g. COS")
    return code
