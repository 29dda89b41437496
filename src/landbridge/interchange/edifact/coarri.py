"""COARRI, the discharge/loading report: the terminal reports to the line which containers it
discharged (BGM 44) or loaded (BGM 46), with the time of each move (``DTM+203``) and, for a load,
the cell on board (``LOC+147``). We export it from the recorded events of a vessel visit.

Versions: SMDG COARRI 2.1 on D.00B and the 1.6 line on D.95B.
"""

from __future__ import annotations

from landbridge.interchange.edifact.equipment import container_table
from landbridge.interchange.edifact.tables import q

DISCHARGE_REPORT = "44"
LOADING_REPORT = "46"
DOCUMENT_CODES = q(DISCHARGE_REPORT, LOADING_REPORT)

TABLE_D00B = container_table(
    "COARRI",
    "00B",
    q("SMDG20", "SMDG21", ""),
    DOCUMENT_CODES,
    transport="M",
    equipment="C",
    notes="UNTDID D.00B COARRI structure (TDT group exactly 1; EQD conditional at UN level)",
)
TABLE_D95B = container_table(
    "COARRI",
    "95B",
    q("ITG14", "SMDG16", ""),
    DOCUMENT_CODES,
    transport="M",
    equipment="C",
    notes="UNTDID D.95B COARRI structure; 1.6 line (no VGM)",
)
