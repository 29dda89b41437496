"""What each KPI is: its area, a name a planner reads, its unit, and the parts of its key that qualify it.

A KPI key is a dotted path of ``kpis.json`` (``border.khorgos.west.wait_h.p90``). Templates match it
segment by segment (``*`` = any one segment, kept as context such as the crossing and direction;
a trailing statistic — count, mean, P50, P90, max — is split off). Names and units are English
here; the dashboard translates them through its gettext catalogs (``web/vocabulary_kpis.py`` lists
them for extraction), so one table serves the report, the CLI and the four languages.
"""

from __future__ import annotations

from dataclasses import dataclass

STATISTICS = {"count": "count", "mean": "mean", "p50": "median", "p90": "P90", "max": "maximum"}

AREAS = (
    "Calibration",
    "Throughput",
    "Trains",
    "Demand",
    "Border",
    "Yard",
    "Gate",
    "Wagons",
    "Equipment",
    "Waits",
    "Dwell",
    "Ships",
    "Grain",
)

# (pattern, area, name, unit, lower is better?)
_TEMPLATES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("calibration.rail_teu_per_year", "Calibration", "Rail TEU a year", "TEU", False),
    ("calibration.trains_per_year", "Calibration", "Trains a year", "trains", False),
    ("calibration.west_east_teu_ratio", "Calibration", "West : east TEU", "ratio", False),
    ("calibration.gate_moves_teu_per_year", "Calibration", "Gate moves a year", "TEU", False),
    ("teu.rail.west", "Throughput", "Rail TEU westbound", "TEU", False),
    ("teu.rail.east", "Throughput", "Rail TEU eastbound", "TEU", False),
    ("teu.rail.total", "Throughput", "Rail TEU", "TEU", False),
    ("teu.sea.discharged_for_rail", "Throughput", "Sea TEU discharged for rail", "TEU", False),
    ("teu.sea.direct_ship_to_train", "Throughput", "Sea TEU on a train within hours", "TEU", False),
    ("teu.sea.loaded_from_rail", "Throughput", "Rail TEU loaded onto ships", "TEU", False),
    ("teu.gate.in", "Gate", "Gate TEU in", "TEU", False),
    ("teu.gate.out", "Gate", "Gate TEU out", "TEU", False),
    ("teu.gate.total", "Gate", "Gate TEU", "TEU", False),
    ("teu.gate.trucks", "Gate", "Trucks through the gate", "trucks", False),
    ("teu.gate.trucks_per_hour", "Gate", "Trucks an hour", "trucks/h", False),
    ("teu.gate.peak_hour_trucks", "Gate", "Trucks in the busiest hour", "trucks", True),
    ("teu.gate.appointments_moved", "Gate", "Appointments moved to a later window", "trucks", True),
    ("trains.west", "Trains", "Trains westbound", "trains", False),
    ("trains.east", "Trains", "Trains eastbound", "trains", False),
    ("trains.total", "Trains", "Trains", "trains", False),
    ("trains.cancelled_total", "Trains", "Trains cancelled", "trains", True),
    ("trains.cancelled.*", "Trains", "Trains cancelled", "trains", True),
    ("trains.rerouted", "Trains", "Trains rerouted", "trains", True),
    ("trains.rerouted_extra_km", "Trains", "Extra distance of rerouted trains", "km", True),
    ("trains.departure_delay_h", "Trains", "Departure delay", "h", True),
    ("trains.hold_for_boxes_h", "Trains", "Waiting for boxes", "h", True),
    ("trains.held_at_base_h", "Trains", "Held at the base by the line", "h", True),
    ("trains.formation_wait_h", "Trains", "Waiting for a track or wagons", "h", True),
    ("trains.load_factor_west", "Trains", "Load factor westbound", "share", False),
    ("trains.transit_days_west", "Trains", "Transit westbound", "days", True),
    ("trains.per_destination.*.west_trains", "Trains", "Trains westbound", "trains", False),
    ("trains.per_destination.*.east_trains", "Trains", "Trains eastbound", "trains", False),
    ("trains.per_destination.*.west_teu", "Trains", "Rail TEU westbound", "TEU", False),
    ("trains.per_destination.*.east_teu", "Trains", "Rail TEU eastbound", "TEU", False),
    ("demand.booked_teu", "Demand", "TEU booked westbound", "TEU", False),
    ("demand.carried_west_teu", "Demand", "TEU carried westbound", "TEU", False),
    ("demand.bookings_refused_teu", "Demand", "Bookings refused", "TEU", True),
    ("demand.refused_at_gate_teu", "Demand", "Export boxes refused at the gate", "TEU", True),
    ("demand.unmet_teu", "Demand", "Unmet demand", "TEU", True),
    ("demand.boxes_left_behind", "Demand", "Boxes left behind", "boxes", True),
    ("demand.teu_left_behind", "Demand", "TEU left behind", "TEU", True),
    ("demand.waiting_at_end_teu", "Demand", "TEU waiting at the end", "TEU", True),
    ("late_boxes", "Demand", "Boxes left behind", "boxes", True),
    ("border.*.*.trains", "Border", "The base's trains at the border", "trains", False),
    ("border.*.*.wait_h", "Border", "Border wait of the base's trains", "h", True),
    ("border.*.*.all_trains", "Border", "All trains at the border", "trains", False),
    ("border.*.*.all_wait_h", "Border", "Border wait of all trains", "h", True),
    ("border.*.*.arrivals_per_day", "Border", "Trains arriving a day", "trains/day", False),
    ("border.*.*.mean_queue_trains", "Border", "Border queue, mean", "trains", True),
    ("border.*.*.max_queue_trains", "Border", "Border queue, maximum", "trains", True),
    ("border.*.*.utilisation", "Border", "Interchange utilisation", "share", False),
    ("border.*.*.capacity_trains_per_day", "Border", "Interchange capacity", "trains/day", False),
    ("border.*.*.background_trains_per_day", "Border", "Other terminals' trains", "trains/day", False),
    ("border.*.*.background_held_upstream", "Border", "Other trains held upstream", "trains", True),
    ("border.*.*.closed_days", "Border", "Days closed", "days", True),
    ("yard.capacity_teu", "Yard", "Stacking capacity (full boxes)", "TEU", False),
    ("yard.occupancy_teu", "Yard", "Yard occupancy", "TEU", False),
    ("yard.peak_share_of_capacity", "Yard", "Yard peak against capacity", "share", True),
    ("yard.ground_slot_share", "Yard", "Ground slots in use", "share", True),
    ("yard.working_limit_share", "Yard", "Working limit of the yard", "share", False),
    ("yard.refused_teu", "Yard", "Refused TEU", "TEU", True),
    ("yard.sea_diverted_teu", "Yard", "Sea TEU held at the quay", "TEU", True),
    ("yard.teu_hours_in_window", "Yard", "TEU-hours in the yard", "TEU·h", False),
    ("yard.sample_h", "Yard", "Sampling interval", "h", False),
    ("wagons.*.fleet", "Wagons", "Fleet", "wagons", False),
    ("wagons.*.wagon_days_in_use", "Wagons", "Wagon days in use", "wagon days", False),
    ("wagons.*.utilisation", "Wagons", "Fleet in use", "share", False),
    ("wagons.*.shortages", "Wagons", "Wagon shortages", "trains", True),
    ("wagons.*.shortage_wait_h", "Wagons", "Wait for wagons", "h", True),
    ("utilisation.*", "Equipment", "Utilisation", "share", False),
    ("queue_waits_h.*", "Waits", "Wait", "h", True),
    ("dwell_days.*", "Dwell", "Yard dwell", "days", True),
    ("ship_calls.container", "Ships", "Container ship calls", "calls", False),
    ("ship_calls.grain", "Ships", "Grain ship calls", "calls", False),
    ("grain.received_t", "Grain", "Grain received", "t", False),
    ("grain.shipped_t", "Grain", "Grain shipped", "t", False),
    ("grain.silo_peak_t", "Grain", "Silo peak", "t", True),
    ("grain.silo_capacity_t", "Grain", "Silo capacity", "t", False),
)

# words that appear as context (parts of keys): translated like the names
CONTEXT_WORDS = {
    "west": "westbound",
    "east": "eastbound",
    "khorgos": "Khorgos",
    "alashankou": "Alashankou",
    "wagons_1435": "1435 mm",
    "wagons_1520_khorgos": "1520 mm at Khorgos",
    "wagons_1520_alashankou": "1520 mm at Alashankou",
    "gate_lane": "gate lanes",
    "reach_stacker": "reach stackers",
    "rmg": "rail gantries",
    "track": "loading tracks",
    "staging_track": "staging tracks",
    "berth": "berths",
    "grain_berth": "grain berth",
    "quay_cranes": "quay cranes",
    "west_few_boxes": "westbound, too few boxes",
    "west_no_track": "westbound, no free track",
    "west_no_wagons": "westbound, no free wagons",
    "east_few_bookings": "eastbound, too few bookings",
    "sea_to_rail": "sea to rail",
    "road_to_rail": "road to rail",
    "rail_to_sea": "rail to sea",
    "rail_to_road": "rail to road",
    "direct": "direct",
    "grain": "grain",
    "depot": "depot",
    "initial": "in the yard at the start",
}


@dataclass(frozen=True, slots=True)
class KpiInfo:
    """A KPI described for people."""

    key: str
    area: str
    name: str
    unit: str
    context: tuple[str, ...]
    statistic: str | None
    lower_is_better: bool


def describe(key: str) -> KpiInfo | None:
    """The description of a KPI key, or None for keys that are not shown (run metadata, series)."""
    parts = key.split(".")
    statistic = None
    if parts[-1] in STATISTICS and len(parts) > 1:
        statistic = STATISTICS[parts[-1]]
        parts = parts[:-1]
    for pattern, area, name, unit, lower in _TEMPLATES:
        pattern_parts = pattern.split(".")
        if len(pattern_parts) != len(parts):
            continue
        context: list[str] = []
        for want, got in zip(pattern_parts, parts, strict=True):
            if want == "*":
                context.append(got)
            elif want != got:
                break
        else:
            return KpiInfo(key, area, name, unit, tuple(context), statistic, lower)
    return None


def context_label(word: str) -> str:
    """English label of a key part (destination codes keep their name)."""
    return CONTEXT_WORDS.get(word, word.replace("_", " "))
