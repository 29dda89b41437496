"""Repositories: load and save domain objects; the only code that knows the table layout.

One module per context. Services reach them through the unit of work (``uow.containers``,
``uow.yard``, ``uow.rail``…), never by building them on a session themselves. The names are
re-exported here so ``from landbridge.store.repositories import X`` keeps working.
"""

from __future__ import annotations

from landbridge.store.repositories.billing import BillingRepository
from landbridge.store.repositories.containers import ContainerRepository, container_from_row
from landbridge.store.repositories.customs import CustomsRepository
from landbridge.store.repositories.equipment import EquipmentRepository
from landbridge.store.repositories.events import EventLog, all_events, event_from_row
from landbridge.store.repositories.gate import GateRepository
from landbridge.store.repositories.grain import GrainRepository
from landbridge.store.repositories.idempotency import IdempotencyRepository
from landbridge.store.repositories.manifests import ManifestRepository
from landbridge.store.repositories.parties import PartyRepository
from landbridge.store.repositories.rail import RailRepository
from landbridge.store.repositories.reference import ReferenceRepository
from landbridge.store.repositories.reports import ReportRepository
from landbridge.store.repositories.scope import EVERYTHING, Scope
from landbridge.store.repositories.snapshots import StateSnapshotRepository
from landbridge.store.repositories.twin import TwinSnapshotRepository
from landbridge.store.repositories.users import UserRepository
from landbridge.store.repositories.vessels import VesselRepository
from landbridge.store.repositories.vgm import VgmRepository
from landbridge.store.repositories.work import WorkRepository
from landbridge.store.repositories.yard import YardRepository

__all__ = [
    "EVERYTHING",
    "BillingRepository",
    "ContainerRepository",
    "CustomsRepository",
    "EquipmentRepository",
    "EventLog",
    "GateRepository",
    "GrainRepository",
    "IdempotencyRepository",
    "ManifestRepository",
    "PartyRepository",
    "RailRepository",
    "ReferenceRepository",
    "ReportRepository",
    "Scope",
    "StateSnapshotRepository",
    "TwinSnapshotRepository",
    "UserRepository",
    "VesselRepository",
    "VgmRepository",
    "WorkRepository",
    "YardRepository",
    "all_events",
    "container_from_row",
    "event_from_row",
]
