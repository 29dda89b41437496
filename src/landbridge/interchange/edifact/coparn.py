"""COPARN, the container announcement: a line pre-advises a booking (BGM 11: empties released to a
shipper for an export, ``RFF+BN``) or a release (BGM 12: an import container released for delivery,
``RFF+RE``/``RFF+BM``), or announces a container (BGM 126). Bookings and delivery orders of the
operations services are created from it.

Versions: SMDG COPARN 2.1 on D.00B and the 1.6 line on D.95B.
"""

from __future__ import annotations

from landbridge.interchange.edifact.equipment import container_table
from landbridge.interchange.edifact.tables import q

BOOKING = "11"
RELEASE = "12"
ANNOUNCEMENT = "126"
DOCUMENT_CODES = q(BOOKING, RELEASE, ANNOUNCEMENT)

TABLE_D00B = container_table(
    "COPARN",
    "00B",
    q("SMDG20", "SMDG21", ""),
    DOCUMENT_CODES,
    transport="C",
    equipment="M",
    notes="UNTDID D.00B COPARN structure; SMDG COPARN 2.1 document codes",
)
TABLE_D95B = container_table(
    "COPARN",
    "95B",
    q("ITG14", "SMDG16", ""),
    DOCUMENT_CODES,
    transport="C",
    equipment="M",
    notes="UNTDID D.95B COPARN structure; 1.6 line (no VGM)",
)
