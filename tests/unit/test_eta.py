"""The corridor ETA: fitted to the scenario's quantiles, narrowed by progress, deterministic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from statistics import NormalDist

import numpy as np
import pytest

from landbridge.corridor import eta
from landbridge.corridor.eta import ShiftedLogNormal, Stage, TrainProgress, estimate_arrival, transit_model
from landbridge.corridor.network import CorridorNetwork, network_from_scenario
from landbridge.scenarios import load_scenario

DEPARTED = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def network() -> CorridorNetwork:
    return network_from_scenario(load_scenario())


def test_shifted_lognormal_goes_through_the_three_quantiles() -> None:
    fit = ShiftedLogNormal.fit(5, 6, 9)
    assert fit.shift_d == pytest.approx(4.5)
    assert [fit.quantile(p) for p in (0.1, 0.5, 0.9)] == pytest.approx([5, 6, 9])


def test_symmetric_spread_falls_back_to_an_unshifted_fit() -> None:
    fit = ShiftedLogNormal.fit(8, 10, 12)
    assert fit.shift_d == 0.0
    assert fit.quantile(0.1) == pytest.approx(8) and fit.quantile(0.9) == pytest.approx(12)


def test_network_splits_every_route_at_its_crossing(network: CorridorNetwork) -> None:
    almaty = network.route("almaty")
    assert almaty.crossing.code == "khorgos"
    assert almaty.km_to_border + almaty.km_after_border == pytest.approx(almaty.km)
    assert network.route("duisburg").km_to_border == pytest.approx(4119.0)  # C3
    assert {(leg.origin, leg.destination) for leg in network.edges()} >= {("base", "khorgos"), ("khorgos", "almaty")}


def test_two_leg_model_reproduces_every_route_quantile(network: CorridorNetwork) -> None:
    for route in network.routes.values():
        model = transit_model(route)
        assert abs(model.calibration_error["p10"]) < 0.005, route.code
        assert abs(model.calibration_error["p90"]) < 0.005, route.code
        assert abs(model.calibration_error["p50"]) < 0.02, route.code
        # Each leg's minimum is the route's minimum shared out by km.
        share = route.km_to_border / route.km
        assert model.to_border.shift_d / (model.to_border.shift_d + model.after_border.shift_d) == pytest.approx(share)


def test_before_departure_the_estimate_is_the_route_distribution(network: CorridorNetwork) -> None:
    model = transit_model(network.route("almaty"))
    estimate = estimate_arrival(model, TrainProgress(), as_of=DEPARTED)
    assert estimate.stage is Stage.NOT_DEPARTED
    days = [(q - DEPARTED).total_seconds() / 86400 for q in (estimate.p10, estimate.p50, estimate.p90)]
    assert days == pytest.approx([5, 6, 9], rel=0.03)


def test_spread_narrows_as_the_train_progresses(network: CorridorNetwork) -> None:
    model = transit_model(network.route("duisburg"))
    border = DEPARTED + timedelta(days=5)
    steps = [
        (TrainProgress(departed_at=DEPARTED), DEPARTED),
        (TrainProgress(departed_at=DEPARTED, border_arrived_at=border), border),
        (
            TrainProgress(departed_at=DEPARTED, border_arrived_at=border, gauge_changed_at=border + timedelta(hours=5)),
            border + timedelta(hours=5),
        ),
        (
            TrainProgress(departed_at=DEPARTED, border_arrived_at=border, arrived_at=border + timedelta(days=12)),
            border + timedelta(days=12),
        ),
    ]
    spreads = [estimate_arrival(model, progress, as_of).spread_h for progress, as_of in steps]
    assert spreads[0] > spreads[1] > spreads[3] == 0.0
    assert spreads[2] == pytest.approx(spreads[1], rel=0.05)  # same leg left; only sampling noise differs


def test_a_slow_first_leg_delays_the_second_through_the_correlation(network: CorridorNetwork) -> None:
    model = transit_model(network.route("duisburg"))

    def leg_two_median_d(border_days: float) -> float:
        border = DEPARTED + timedelta(days=border_days)
        estimate = estimate_arrival(model, TrainProgress(departed_at=DEPARTED, border_arrived_at=border), border)
        return (estimate.p50 - border).total_seconds() / 86400

    assert leg_two_median_d(8.0) > leg_two_median_d(5.0) + 0.5


def test_elapsed_time_is_never_forgotten(network: CorridorNetwork) -> None:
    model = transit_model(network.route("tashkent"))
    late = DEPARTED + timedelta(days=6)  # past the first leg's median, border not yet reached
    estimate = estimate_arrival(model, TrainProgress(departed_at=DEPARTED), as_of=late)
    fresh = estimate_arrival(model, TrainProgress(departed_at=DEPARTED), as_of=DEPARTED)
    assert estimate.p10 > late
    assert estimate.p50 > fresh.p50
    assert not estimate.overdue


def test_a_train_far_past_its_p99_is_flagged_and_still_gets_a_future_estimate(network: CorridorNetwork) -> None:
    model = transit_model(network.route("almaty"))
    gauge = DEPARTED + timedelta(days=4)
    as_of = gauge + timedelta(days=20)
    estimate = estimate_arrival(model, TrainProgress(departed_at=DEPARTED, gauge_changed_at=gauge), as_of)
    assert estimate.overdue
    assert as_of < estimate.p10 < estimate.p90


def test_same_inputs_give_the_same_estimate(network: CorridorNetwork) -> None:
    model = transit_model(network.route("moscow"))
    progress = TrainProgress(departed_at=DEPARTED)
    as_of = DEPARTED + timedelta(days=2)
    assert estimate_arrival(model, progress, as_of) == estimate_arrival(model, progress, as_of)


def test_conditioned_estimates_are_calibrated_against_journeys_drawn_from_the_model(network: CorridorNetwork) -> None:
    """At the border, the P10–P90 band must hold the true arrival about 80 % of the time, P50 about half."""
    import math

    import numpy as np

    model = transit_model(network.route("tashkent"))
    rng = np.random.default_rng(42)
    rho = model.leg_correlation
    inside = below_median = 0
    trials = 300
    for _ in range(trials):
        u, v = rng.standard_normal(2)
        first = float(model.to_border.days(np.array([u]))[0])
        second = float(model.after_border.days(np.array([rho * u + math.sqrt(1 - rho**2) * v]))[0])
        border = DEPARTED + timedelta(days=first)
        truth = border + timedelta(days=model.handling_d + second)
        estimate = estimate_arrival(
            model, TrainProgress(departed_at=DEPARTED, border_arrived_at=border), border, samples=4000
        )
        inside += estimate.p10 <= truth <= estimate.p90
        below_median += truth <= estimate.p50
    assert 0.72 < inside / trials < 0.88
    assert 0.40 < below_median / trials < 0.60


def test_tracking_builds_routes_with_the_one_corridor_builder() -> None:
    """Tracking, the twin and planning share ``network_from_scenario``: same km to the border, same LOCODEs."""
    from landbridge.corridor.network import locodes
    from landbridge.services.tracking.eta import corridor_route

    scenario = load_scenario()
    network = network_from_scenario(scenario)
    for code, route in network.routes.items():
        assert corridor_route(code) == route
    astana = network.route("astana")
    assert astana.locode == "KZNQZ" and locodes(scenario)["astana"] == "KZNQZ"
    assert astana.crossing.km_from_base == 4119 and astana.crossing.km_source.startswith("C3")
    assert network.crossings["khorgos"].locode == "CNHRS"


def test_the_vectorised_normal_quantile_is_python_s_to_the_last_place_or_so() -> None:
    """The estimate draws 20,000 normal quantiles at once (issue #19: one Python call each cost 72 ms)."""
    p = np.concatenate([np.linspace(1e-12, 1 - 1e-12, 20_001), [1e-9, 0.075, 0.0751, 0.5, 0.925, 1 - 1e-9]])
    expected = np.array([NormalDist().inv_cdf(float(value)) for value in p])
    assert np.allclose(eta._inv_cdf(p), expected, rtol=1e-15, atol=0.0)
