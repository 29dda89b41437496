"""The corridor graph: the base, the border crossings and the destinations, with km and transit times.

Built from the scenario, which holds every fact with its source: routes carry km, transit-day
quantiles and UN/LOCODEs; crossings carry handling time, UN/LOCODE and rail km from the base. A
crossing without sourced km falls back to a great-circle split of its routes (``_split_km``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from landbridge.scenarios.model import Scenario


@dataclass(frozen=True)
class Crossing:
    """A border crossing where containers change gauge (1435 → 1520 mm)."""

    code: str
    name: str
    handling_h: float
    lat_deg: float
    lon_deg: float
    km_from_base: float
    km_source: str
    locode: str | None = None


@dataclass(frozen=True)
class TransitDays:
    """Door-to-door rail transit of a route as three quantiles, in days."""

    p10_d: float
    p50_d: float
    p90_d: float


@dataclass(frozen=True)
class Leg:
    """One edge of the corridor graph."""

    origin: str
    destination: str
    km: float


@dataclass(frozen=True)
class Route:
    """A rail route from the base through one crossing to a destination."""

    code: str
    destination: str
    country: str
    km: float
    transit: TransitDays
    crossing: Crossing
    lat_deg: float
    lon_deg: float
    locode: str | None = None

    @property
    def km_to_border(self) -> float:
        """Rail km from the base to the crossing, never more than 95 % of the route."""
        return min(self.crossing.km_from_base, 0.95 * self.km)

    @property
    def km_after_border(self) -> float:
        """Rail km from the crossing to the destination."""
        return self.km - self.km_to_border

    @property
    def legs(self) -> tuple[Leg, Leg]:
        """Base → crossing → destination."""
        return (
            Leg("base", self.crossing.code, self.km_to_border),
            Leg(self.crossing.code, self.code, self.km_after_border),
        )


@dataclass(frozen=True)
class CorridorNetwork:
    """Nodes (base, crossings, destinations) and the routes through them."""

    base_locode: str
    crossings: dict[str, Crossing] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)

    def route(self, code: str) -> Route:
        """The route with this code (KeyError when unknown)."""
        return self.routes[code]

    def edges(self) -> list[Leg]:
        """Every distinct edge of the graph, for display and checks."""
        seen: dict[tuple[str, str], Leg] = {}
        for route in self.routes.values():
            for leg in route.legs:
                seen.setdefault((leg.origin, leg.destination), leg)
        return list(seen.values())


def great_circle_km(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Haversine distance on a 6,371 km sphere."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dp, dl = p2 - p1, math.radians(lon2_deg - lon1_deg)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _split_km(
    lat_deg: float, lon_deg: float, routes_km: list[tuple[float, float, float]], base_lat_lon_deg: tuple[float, float]
) -> tuple[float, str]:
    fractions = []
    for km, dest_lat, dest_lon in routes_km:
        first = great_circle_km(*base_lat_lon_deg, lat_deg, lon_deg)
        second = great_circle_km(lat_deg, lon_deg, dest_lat, dest_lon)
        fractions.append(km * first / (first + second))
    km = min(fractions) if fractions else 0.0
    return km, "derived (route km split by great-circle distance; no sourced figure)"


def network_from_scenario(scenario: Scenario) -> CorridorNetwork:
    """The corridor graph of a scenario: the one builder the twin, tracking, ETA and planning use."""
    crossings: dict[str, Crossing] = {}
    base = (scenario.base.lat, scenario.base.lon)
    for spec in scenario.crossings:
        if spec.km_from_base is not None:
            km, source = spec.km_from_base, spec.sources.get("km_from_base", "")
        else:
            routes_km = [(r.km, r.lat, r.lon) for r in scenario.routes if r.crossing == spec.code]
            km, source = _split_km(spec.lat, spec.lon, routes_km, base)
        crossings[spec.code] = Crossing(
            code=spec.code,
            name=spec.name,
            handling_h=spec.train_handling_h,
            lat_deg=spec.lat,
            lon_deg=spec.lon,
            km_from_base=km,
            km_source=source,
            locode=spec.locode,
        )
    routes = {
        spec.code: Route(
            code=spec.code,
            destination=spec.destination,
            country=spec.country,
            km=spec.km,
            transit=TransitDays(spec.transit_days_p10, spec.transit_days, spec.transit_days_p90),
            crossing=crossings[spec.crossing],
            lat_deg=spec.lat,
            lon_deg=spec.lon,
            locode=spec.locode,
        )
        for spec in scenario.routes
    }
    return CorridorNetwork(base_locode=scenario.base.locode, crossings=crossings, routes=routes)


def locodes(scenario: Scenario) -> dict[str, str]:
    """UN/LOCODE of each route (its destination) and crossing that has one, by code."""
    found = {crossing.code: crossing.locode for crossing in scenario.crossings if crossing.locode}
    return found | {route.code: route.locode for route in scenario.routes}
