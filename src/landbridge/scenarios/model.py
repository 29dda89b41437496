"""The scenario file format: one YAML, validated by pydantic, feeds the seed, the twin and the dashboard.

Rule: every number carries its source. Each object with numbers has a ``sources`` mapping from
field name to a fact id of ``lianyungang-facts.md`` (``B4``), a URL, ``derived …`` or ``assumed …``.
The loader refuses a number without a source, so an invented figure cannot slip in unmarked.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, model_validator

_SOURCE_RE = re.compile(r"^(assumed\b.*|derived\b.*|https?://\S+|[BPGFCTO]\d+\b.*)$")

PositiveFloat = Annotated[float, Field(gt=0)]
PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Locode = Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Sourced(BaseModel):
    """An object whose every numeric field must be named in ``sources``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: dict[str, str] = Field(default_factory=dict)
    # numeric fields that are codes (a gauge of 1435 mm, a 40 ft platform), not measured figures
    code_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _every_number_has_a_source(self) -> Sourced:
        missing: list[str] = []
        for name in self.model_fields_set:
            if name == "sources" or name in self.code_fields:
                continue
            value = getattr(self, name)
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            if is_number and name not in self.sources:
                missing.append(name)
        if missing:
            raise ValueError(f"numbers without a source: {', '.join(missing)} (add them to 'sources')")
        for name, source in self.sources.items():
            if not _SOURCE_RE.match(source.strip()):
                raise ValueError(
                    f"source of {name!r} must be a fact id (e.g. B4), a URL, 'derived …' or 'assumed …', got {source!r}"
                )
        return self


class CalibrationTargets(Sourced):
    """Published figures the twin must reproduce."""

    rail_teu_per_year: PositiveFloat
    trains_per_year_min: PositiveFloat
    trains_per_year_max: PositiveFloat
    west_east_teu_ratio: PositiveFloat
    gate_moves_teu_per_year: PositiveFloat


class YardBlockSpec(Sourced):
    """One yard block."""

    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]?$")]
    bays: PositiveInt
    rows: PositiveInt
    max_tiers_full: PositiveInt
    max_tiers_empty: PositiveInt
    reefer_plugs: NonNegativeInt = 0
    dangerous_goods: bool = False


class YardSpec(Sourced):
    """The container yard."""

    area_m2: PositiveFloat
    ground_slots: PositiveInt
    blocks: list[YardBlockSpec]

    @model_validator(mode="after")
    def _blocks_add_up(self) -> YardSpec:
        total = sum(block.bays * block.rows for block in self.blocks)
        if total != self.ground_slots:
            raise ValueError(f"blocks have {total} ground slots but ground_slots says {self.ground_slots}")
        return self


class CfsSpec(Sourced):
    """The container freight station (stuffing/stripping shed)."""

    area_m2: PositiveFloat
    doors: PositiveInt


class TrackSpec(Sourced):
    """A loading track."""

    code: str
    length_m: PositiveFloat


class EquipmentSpec(Sourced):
    """A fleet of identical machines."""

    count: PositiveInt
    moves_per_h: PositiveFloat
    per_operator: PositiveInt | None = None


class RailSpec(Sourced):
    """The base's railway."""

    line_km: PositiveFloat
    capacity_trains_per_day: PositiveFloat
    loading_tracks: list[TrackSpec]
    rail_mounted_gantries: EquipmentSpec
    reach_stackers: EquipmentSpec
    # where a loaded train waits when the line ahead is blocked, so its loading track is free again
    staging_tracks: NonNegativeInt = 0
    # the base's own 1435 mm container flats (0 = not modelled: wagons never short)
    wagons_1435: NonNegativeInt = 0
    # which kinds of open hold stop a box being loaded on a wagon (every hold stops the departure);
    # None = the default table of domain/holds.py (line, terminal, damage)
    hold_kinds_blocking_load: tuple[Literal["customs", "line", "terminal", "damage", "vgm_missing"], ...] | None = None


class GateSpec(Sourced):
    """The truck gate."""

    lanes: PositiveInt
    service_min_mean: PositiveFloat
    appointments_per_hour: PositiveInt
    trucks_per_hour_mean: PositiveFloat
    truck_shuttle_to_quay_min: PositiveFloat
    appointment_early_min: NonNegativeInt = 30
    appointment_late_min: NonNegativeInt = 30
    booking_horizon_days: PositiveInt = 7
    appointments_per_party_per_day: PositiveInt = 40
    # relative truck arrivals per hour of the day (24 weights, hub time like the timetable; None = flat)
    hourly_profile: list[NonNegativeFloat] | None = None

    @model_validator(mode="after")
    def _profile_is_a_day(self) -> GateSpec:
        if self.hourly_profile is not None:
            if len(self.hourly_profile) != 24 or sum(self.hourly_profile) <= 0:
                raise ValueError("hourly_profile needs 24 non-negative weights, not all zero")
            if "hourly_profile" not in self.sources:
                raise ValueError("numbers without a source: hourly_profile (add it to 'sources')")
        return self


class BaseSpec(Sourced):
    """The logistics base itself."""

    name: str
    locode: Locode
    time_zone: str  # IANA name; times are shown and days counted in it
    lat: float
    lon: float
    design_capacity_teu_per_year: PositiveFloat
    yard: YardSpec
    cfs: CfsSpec
    rail: RailSpec
    gate: GateSpec

    @model_validator(mode="after")
    def _known_time_zone(self) -> BaseSpec:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"time_zone {self.time_zone!r} is not an IANA time zone (e.g. Asia/Shanghai)") from None
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The hub's time zone."""
        return ZoneInfo(self.time_zone)


class BerthSpec(Sourced):
    """A berth of the port that the base serves."""

    code: str
    terminal: str
    length_m: PositiveFloat
    depth_m: PositiveFloat
    quay_cranes: NonNegativeInt
    purpose: Literal["container", "grain"] = "container"


class PortSpec(Sourced):
    """Port side: berths and the ship-call pattern."""

    berths: list[BerthSpec]
    sts_moves_per_h: PositiveFloat
    vessel_calls_per_week: PositiveFloat
    interarrival_erlang_k: PositiveInt
    teu_per_box: PositiveFloat
    base_teu_per_call_discharge: NonNegativeFloat
    base_teu_per_call_load: NonNegativeFloat
    # terminal tractors carrying boxes between quay and yard (None: not modelled)
    terminal_tractors: EquipmentSpec | None = None


class SiloGroupSpec(Sourced):
    """A group of identical silo bins."""

    prefix: Annotated[str, Field(pattern=r"^[A-Z]{1,3}$")]
    count: PositiveInt
    capacity_t: PositiveFloat
    allow_mixing: bool = False

    def bin_codes(self) -> list[str]:
        """The bins' codes as the database knows them (``S01``, ``S02``, …): one rule for the seed
        and for generated planning instances, so both name the same bins."""
        return [f"{self.prefix}{number:02d}" for number in range(1, self.count + 1)]


class GrainSpec(Sourced):
    """The grain silo complex and the Kazakh grain flow."""

    name: str
    berth: str
    total_capacity_t: PositiveFloat
    silo_groups: list[SiloGroupSpec]
    transit_t_per_year: NonNegativeFloat
    box_payload_t: PositiveFloat
    harvest_start_day_of_year: Annotated[int, Field(ge=1, le=366)]
    harvest_multiplier: PositiveFloat
    # grain gear at the grain berth: tipplers emptying bulk boxes into the silo (None: not modelled)
    loaders: EquipmentSpec | None = None

    @model_validator(mode="after")
    def _groups_add_up(self) -> GrainSpec:
        total = sum(group.count * group.capacity_t for group in self.silo_groups)
        if abs(total - self.total_capacity_t) > 1e-6 * self.total_capacity_t:
            raise ValueError(f"silo groups hold {total:g} t but total_capacity_t says {self.total_capacity_t:g}")
        return self


class CrossingSpec(Sourced):
    """A border crossing with a gauge change, shared with the rest of the corridor's traffic.

    ``trains_per_day`` / ``eastbound_trains_per_day`` are the published daily figures; the twin's
    throughput limit is ``west_/east_capacity_trains_per_day`` when given (else those figures), and
    the other terminals' trains (``*_background_trains_per_day``) queue for the same interchange.
    """

    code: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    name: str
    methods: list[Literal["container_transshipment", "bogie_exchange"]]
    train_handling_h: PositiveFloat
    trains_per_day: PositiveFloat
    eastbound_trains_per_day: PositiveFloat
    lat: float
    lon: float
    locode: Locode | None = None
    km_from_base: PositiveFloat | None = None  # rail km; without it the route km is split by great-circle distance
    west_capacity_trains_per_day: PositiveFloat | None = None
    east_capacity_trains_per_day: PositiveFloat | None = None
    west_background_trains_per_day: NonNegativeFloat = 0.0
    east_background_trains_per_day: NonNegativeFloat = 0.0
    background_daily_cv: NonNegativeFloat = 0.0
    holding_trains: PositiveInt = 12
    transshipment_h: PositiveFloat | None = None
    bogie_exchange_h: PositiveFloat | None = None
    bogie_exchange_share: Annotated[float, Field(ge=0, le=1)] = 0.0
    # the base's dedicated 1520 mm wagons kept on the far side of this crossing (0 = not modelled)
    wagons_1520: NonNegativeInt = 0

    @model_validator(mode="after")
    def _methods_have_times(self) -> CrossingSpec:
        if self.bogie_exchange_share > 0 and ("bogie_exchange" not in self.methods or self.bogie_exchange_h is None):
            raise ValueError("bogie_exchange_share > 0 needs 'bogie_exchange' in methods and bogie_exchange_h")
        return self

    def capacity_trains_per_day(self, direction: str) -> float:
        """The interchange's throughput limit in one direction."""
        if direction == "west":
            return self.west_capacity_trains_per_day or self.trains_per_day
        return self.east_capacity_trains_per_day or self.eastbound_trains_per_day

    def background_trains_per_day(self, direction: str) -> float:
        """Other terminals' trains a day in one direction."""
        return self.west_background_trains_per_day if direction == "west" else self.east_background_trains_per_day


class TrainTypeSpec(Sourced):
    """A block-train type on one gauge."""

    code_fields: ClassVar[frozenset[str]] = frozenset({"gauge_mm"})

    code: str
    gauge_mm: Literal[1435, 1520]
    wagons: PositiveInt
    teu: PositiveInt
    max_cargo_t: PositiveFloat | None = None
    axle_load_t: PositiveFloat
    max_length_m: PositiveFloat


class WagonTypeSpec(Sourced):
    """A container flat wagon type."""

    code_fields: ClassVar[frozenset[str]] = frozenset({"gauge_mm", "platform_ft"})

    code: str
    gauge_mm: Literal[1435, 1520]
    platform_ft: Literal[40, 60, 80]
    length_m: PositiveFloat
    tare_t: PositiveFloat
    payload_t: PositiveFloat
    axles: PositiveInt


class RouteSpec(Sourced):
    """A rail route from the base to a destination."""

    code: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    destination: str
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    km: PositiveFloat
    transit_days: PositiveFloat
    transit_days_p10: PositiveFloat
    transit_days_p90: PositiveFloat
    crossing: str
    lat: float
    lon: float
    locode: Locode
    # the other crossing a dispatcher may send this route's trains through, and what it costs
    alternative_crossing: str | None = None
    alternative_extra_km: NonNegativeFloat = 0.0
    alternative_extra_days: NonNegativeFloat = 0.0

    @model_validator(mode="after")
    def _spread_ordered(self) -> RouteSpec:
        if not self.transit_days_p10 <= self.transit_days <= self.transit_days_p90:
            raise ValueError("transit days must satisfy p10 <= transit_days <= p90")
        return self


class DepartureSpec(Sourced):
    """A weekly (or every n weeks) train in the timetable."""

    direction: Literal["west", "east"]
    route: str
    days: list[Weekday]
    time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    every_weeks: PositiveInt = 1
    cargo: Literal["containers", "grain"] = "containers"


class FlowSpec(Sourced):
    """Container-flow parameters of the twin."""

    share_20ft: Annotated[float, Field(ge=0, le=1)]
    share_40ft: Annotated[float, Field(ge=0, le=1)]
    share_45ft: Annotated[float, Field(ge=0, le=1)]
    share_reefer: Annotated[float, Field(ge=0, le=1)]
    empty_share_west: Annotated[float, Field(ge=0, le=1)]
    empty_share_east: Annotated[float, Field(ge=0, le=1)]
    train_load_factor: Annotated[float, Field(gt=0, le=1)]
    ship_train_direct_share: Annotated[float, Field(ge=0, le=1)]
    dwell_days_sea_to_rail: PositiveFloat
    dwell_days_rail_to_sea: PositiveFloat
    dwell_days_empty: PositiveFloat
    gate_teu_per_rail_teu: NonNegativeFloat
    # depot/CFS/empty boxes entering by road a year, independent of the trains (None = the ratio above)
    depot_teu_per_year: NonNegativeFloat | None = None

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> FlowSpec:
        total = self.share_20ft + self.share_40ft + self.share_45ft
        if abs(total - 1) > 1e-6:
            raise ValueError(f"box-size shares must sum to 1, got {total:g}")
        return self


class BookingSpec(Sourced):
    """Average TEU booked a week for one destination and direction (before the seasons)."""

    route: str
    direction: Literal["west", "east"]
    teu_per_week: NonNegativeFloat


class SeasonSpec(Sourced):
    """A demand multiplier for calendar weeks ``from_week``..``to_week`` (1–53; may wrap the year)."""

    code_fields: ClassVar[frozenset[str]] = frozenset({"from_week", "to_week"})

    name: str
    direction: Literal["west", "east", "both"]
    from_week: Annotated[int, Field(ge=1, le=53)]
    to_week: Annotated[int, Field(ge=1, le=53)]
    multiplier: PositiveFloat

    def covers(self, week_of_year: int) -> bool:
        """True when the (1-based) week lies in the season."""
        if self.from_week <= self.to_week:
            return self.from_week <= week_of_year <= self.to_week
        return week_of_year >= self.from_week or week_of_year <= self.to_week


class DemandSpec(Sourced):
    """Bookings by destination and week, separate from the timetable that is offered to carry them."""

    bookings: list[BookingSpec]
    seasons: list[SeasonSpec] = Field(default_factory=list)
    # seasons are rescaled so each direction's yearly mean multiplier is 1 (teu_per_week stays the mean)
    normalise_seasons: bool = True
    week_to_week_cv: NonNegativeFloat = 0.0


class Scenario(BaseModel):
    """A whole scenario: the base, the port, grain, the corridor, the timetable and the flows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    title: str
    calibration_targets: CalibrationTargets
    base: BaseSpec
    port: PortSpec
    grain: GrainSpec
    crossings: list[CrossingSpec]
    train_types: list[TrainTypeSpec]
    wagon_types: list[WagonTypeSpec]
    routes: list[RouteSpec]
    timetable: list[DepartureSpec]
    flows: FlowSpec
    demand: DemandSpec | None = None

    def route(self, code: str) -> RouteSpec:
        """The route with this code."""
        return next(route for route in self.routes if route.code == code)

    def crossing(self, code: str) -> CrossingSpec:
        """The border crossing with this code."""
        return next(crossing for crossing in self.crossings if crossing.code == code)


def cross_reference_errors(scenario: Scenario) -> list[tuple[str, str]]:
    """References between parts of the file (route → crossing, timetable → route…), with YAML paths."""
    errors: list[tuple[str, str]] = []
    crossing_codes = {crossing.code for crossing in scenario.crossings}
    route_codes = {route.code for route in scenario.routes}
    berth_codes = {berth.code for berth in scenario.port.berths}
    for index, route in enumerate(scenario.routes):
        if route.crossing not in crossing_codes:
            errors.append(
                (
                    f"routes.{index}.crossing",
                    f"unknown crossing {route.crossing!r}; known: {', '.join(sorted(crossing_codes))}",
                )
            )
    for index, route in enumerate(scenario.routes):
        alternative = route.alternative_crossing
        if alternative is not None and (alternative not in crossing_codes or alternative == route.crossing):
            errors.append(
                (f"routes.{index}.alternative_crossing", f"must be another known crossing, got {alternative!r}")
            )
    for index, departure in enumerate(scenario.timetable):
        if departure.route not in route_codes:
            errors.append((f"timetable.{index}.route", f"unknown route {departure.route!r}"))
    if scenario.demand is not None:
        for index, booking in enumerate(scenario.demand.bookings):
            if booking.route not in route_codes:
                errors.append((f"demand.bookings.{index}.route", f"unknown route {booking.route!r}"))
    if scenario.grain.berth not in berth_codes:
        errors.append(("grain.berth", f"unknown berth {scenario.grain.berth!r}"))
    collections: dict[str, list[Any]] = {
        "routes": list(scenario.routes),
        "crossings": list(scenario.crossings),
        "port.berths": list(scenario.port.berths),
        "base.yard.blocks": list(scenario.base.yard.blocks),
        "base.rail.loading_tracks": list(scenario.base.rail.loading_tracks),
    }
    for collection, items in collections.items():
        seen: set[str] = set()
        for index, item in enumerate(items):
            code = str(item.code)
            if code in seen:
                errors.append((f"{collection}.{index}.code", f"duplicate code {code!r}"))
            seen.add(code)
    return errors
