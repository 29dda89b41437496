"""One ``StrEnum`` per status (review of #17): the dashboard's list filter takes the appointment statuses from
the domain, like the API (checked in tests/integration/test_error_path.py) and the services."""

from __future__ import annotations

from landbridge.domain.gate import AppointmentStatus
from landbridge.web.readmodels.lists import BY_NAME


def test_the_dashboard_filters_appointments_by_the_domain_enum() -> None:
    (status,) = [each for each in BY_NAME["appointments"].filters if each.name == "status"]
    assert [value for value, _label in status.choices] == [member.value for member in AppointmentStatus]


def test_the_status_check_constraints_hold_the_enums_values() -> None:
    from landbridge.domain.gate import DeliveryOrderStatus
    from landbridge.domain.visits import TruckVisitStatus
    from landbridge.store.tables import DELIVERY_ORDER_STATUSES, TRUCK_VISIT_STATUSES

    for condition, enum in ((TRUCK_VISIT_STATUSES, TruckVisitStatus), (DELIVERY_ORDER_STATUSES, DeliveryOrderStatus)):
        assert condition == "status IN (" + ", ".join(f"'{member.value}'" for member in enum) + ")"
