"""Interchange formats (EDIFACT, SMGS, DCSA, CSV) <-> domain objects: pure parse and serialise; services apply."""
