"""COPRAR, the container discharge/loading order: the shipping line tells the terminal which
containers to discharge from (BGM 45) or load onto (BGM 121) a vessel call — our discharge and
load lists. ``LOC+147`` may carry a planned stowage cell, ``LOC+11`` the port of discharge.

Versions: SMDG COPRAR 2.1 on D.00B and the 1.6 line on D.95B.
"""

from __future__ import annotations

from landbridge.interchange.edifact.equipment import container_table
from landbridge.interchange.edifact.tables import q

DISCHARGE_ORDER = "45"
LOADING_ORDER = "121"
DOCUMENT_CODES = q(DISCHARGE_ORDER, LOADING_ORDER)

TABLE_D00B = container_table(
    "COPRAR",
    "00B",
    q("SMDG20", "SMDG21", ""),
    DOCUMENT_CODES,
    transport="M",
    equipment="M",
    notes="UNTDID D.00B COPRAR structure; SMDG COPRAR 2.1 document codes",
)
TABLE_D95B = container_table(
    "COPRAR",
    "95B",
    q("ITG14", "SMDG16", ""),
    DOCUMENT_CODES,
    transport="M",
    equipment="M",
    notes="UNTDID D.95B COPRAR structure; 1.6 line (no VGM)",
)
