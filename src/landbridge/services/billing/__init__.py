"""Billing use cases: tariffs, guarantees and waivers, the gate check, billing runs and invoices.

The arithmetic lives in :mod:`landbridge.billing` (pure); these modules read its facts from the store
through the unit of work and write through ``operations.common.execute``. See docs/billing.md.
"""
