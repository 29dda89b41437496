"""Interchange formats ↔ plain typed objects: EDIFACT, SMGS waybills, DCSA, CSV (pure parse/serialise, no I/O)."""
