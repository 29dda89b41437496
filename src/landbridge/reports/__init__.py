"""Management reports: the base's daily, weekly and monthly figures, computed from the event log.

Pure computation over plain event records (``figures.py``) and exports (``export.py``); the service
``landbridge.services.reports`` reads the events and the few facts they need. See docs/reports.md.
"""
