"""Interchange use cases: apply received EDIFACT/CSV to the hub, export messages, SMGS notes, delivery.

Parsing and writing live in :mod:`landbridge.interchange` (pure); these modules open the unit of
work, call the operations services and record what was received and sent.
"""
