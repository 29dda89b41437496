"""Billing: tariffs as data, charges computed from the event log, invoices, and their checker.

Pure computation only (no database, no services): the billing service in
``landbridge.services.billing`` feeds it facts read from the store. ``check.py`` is the independent
second computation; it shares no code with ``charges.py``.
"""
