"""CODECO, the gate-in/gate-out report: a terminal, depot or rail operator reports containers that
entered (BGM 34) or left (BGM 36) its gate, by truck, rail or barge (the TDT mode says which).

Versions: SMDG CODECO 2.1 on D.00B (VGM-capable) and the older 1.6 line on D.95B.
"""

from __future__ import annotations

from landbridge.interchange.edifact.equipment import container_table
from landbridge.interchange.edifact.tables import q

GATE_IN = "34"
GATE_OUT = "36"
DOCUMENT_CODES = q(GATE_IN, GATE_OUT)

TABLE_D00B = container_table(
    "CODECO",
    "00B",
    q("SMDG20", "SMDG21", ""),
    DOCUMENT_CODES,
    transport="C",
    equipment="M",
    notes="UNTDID D.00B CODECO structure; SMDG CODECO 2.1 document codes",
)
TABLE_D95B = container_table(
    "CODECO",
    "95B",
    q("ITG14", "SMDG16", ""),
    DOCUMENT_CODES,
    transport="C",
    equipment="M",
    notes="UNTDID D.95B CODECO structure; SMDG/ITIGG 1.6 line (no VGM)",
)
