"""The twin can start from today's state of the base instead of an empty one."""

from __future__ import annotations

from landbridge.scenarios import Scenario
from landbridge.simulation import AnnouncedTrain, InitialState, YardContainer, simulate


def _state() -> InitialState:
    westbound = tuple(
        YardContainer(f"TEST{index:06d}0", 2, "west", arrived_h=-30.0, route="almaty") for index in range(20)
    )
    eastbound = tuple(
        YardContainer(
            f"EAST{index:06d}0", 1, "east", arrived_h=-10.0, leaves_by="road", expected_departure_h=48.0 + index
        )
        for index in range(30)
    )
    trains = (AnnouncedTrain("KZ-4711", "east", "almaty", time_h=12.0, teu=90, boxes=50),)
    return InitialState(containers=westbound + eastbound, trains=trains, silo_stock_t=1000.0)


def test_starts_with_the_yard_and_announced_train_of_the_state(scenario: Scenario) -> None:
    empty = simulate(scenario, 7.0, 1, initial_state=InitialState()).kpis
    loaded = simulate(scenario, 7.0, 1, initial_state=_state()).kpis
    assert loaded["run"]["from_initial_state"] is True
    assert loaded["run"]["warmup_days"] == 0.0
    # day 0: 20 FEU + 30 TEU in the yard, against nothing in an empty base
    assert empty["yard"]["series_teu"][0] == 0
    assert loaded["yard"]["series_teu"][0] == 70
    # the announced train arrives with its 90 TEU; the waiting FEUs leave on Monday's Almaty train
    assert loaded["trains"]["per_destination"]["almaty"]["east_teu"] >= 90
    assert loaded["dwell_days"]["initial"]["count"] == 50
    assert loaded["teu"]["rail"]["east"] == empty["teu"]["rail"]["east"] + 90


def test_state_run_is_deterministic(scenario: Scenario) -> None:
    first = simulate(scenario, 7.0, 5, initial_state=_state()).kpis
    second = simulate(scenario, 7.0, 5, initial_state=_state()).kpis
    assert first == second


def test_clock_offset_keeps_weekday_time_and_season() -> None:
    from datetime import UTC, datetime

    from landbridge.simulation.state import clock_offset_h

    # Tuesday 8 December 2026, 06:00 UTC = 14:00 in the hub (UTC+8)
    offset = clock_offset_h(datetime(2026, 12, 8, 6, 0, tzinfo=UTC))
    assert offset % 168 == 24 + 14
    assert 48 * 168 <= offset < 50 * 168  # day 342 of the year: week 49 (0-based 48)


def test_announced_ships_and_trains_replace_the_random_and_timetabled_ones(scenario: Scenario) -> None:
    from landbridge.simulation import AnnouncedTrain, InitialState
    from landbridge.simulation.state import AnnouncedVessel

    state = InitialState(
        trains=(AnnouncedTrain("CN-ALMATY-7", "west", "almaty", time_h=8.0, teu=0, boxes=0),),
        vessels=(AnnouncedVessel("V1", 5.0), AnnouncedVessel("V2", 30.0)),
    )
    result = simulate(scenario, 7.0, 2, initial_state=state)
    ships = result.twin.records.ships
    assert [ship.arrival_h for ship in ships[:2]] == [5.0, 30.0]
    assert all(ship.arrival_h >= 30.0 for ship in ships[2:])
    west = [t for t in result.twin.records.trains if t.direction == "west" and t.route == "almaty"]
    # Monday's 10:00 Almaty slot is taken by the announced train, not doubled
    assert west[0].train_id == "CN-ALMATY-7" and west[0].scheduled_h == 10.0
    assert len({t.scheduled_h for t in west}) == len(west)
