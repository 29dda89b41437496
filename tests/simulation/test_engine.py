"""The kernel keeps SimPy's invariants: a monotone clock, FIFO resources, deterministic ties."""

from __future__ import annotations

from landbridge.simulation.engine import Engine, Process, Resource


def test_ties_run_in_scheduling_order_and_clock_is_monotone() -> None:
    engine = Engine()
    seen: list[tuple[float, str]] = []

    def proc(name: str, delay: float) -> Process:
        yield delay
        seen.append((engine.now_h, name))

    for name, delay in [("a", 2.0), ("b", 1.0), ("c", 2.0), ("d", 0.0)]:
        engine.start(proc(name, delay))
    engine.run(10.0)
    assert seen == [(0.0, "d"), (1.0, "b"), (2.0, "a"), (2.0, "c")]
    assert engine.now_h == 10.0


def test_resource_serves_first_come_first_served_and_measures_waits() -> None:
    engine = Engine()
    crane = Resource.pool(engine, "crane", 1)
    finished: list[tuple[str, float]] = []

    def job(name: str) -> Process:
        unit = yield crane
        yield 3.0
        crane.release(unit)
        finished.append((name, engine.now_h))

    for name in "xyz":
        engine.start(job(name))
    engine.run(100.0)
    assert finished == [("x", 3.0), ("y", 6.0), ("z", 9.0)]
    assert crane.waits_h == [0.0, 3.0, 6.0]
    assert abs(crane.utilisation() - 9.0 / 100.0) < 1e-9


def test_closed_unit_is_not_used_until_reopened() -> None:
    engine = Engine()
    pool = Resource.pool(engine, "rmg", 2)
    starts: list[float] = []

    def job() -> Process:
        unit = yield pool
        starts.append(engine.now_h)
        yield 1.0
        pool.release(unit)

    engine.call_at(0.0, lambda: pool.close("rmg#2"))
    engine.call_at(5.0, lambda: pool.reopen("rmg#2"))
    for _ in range(3):
        engine.start(job(), 0.5)
    engine.run(20.0)
    # one unit in service: the jobs run one after another until the second unit returns
    assert starts == [0.5, 1.5, 2.5]
    # utilisation counts only in-service unit-hours: 3 busy h over (5 × 1 + 15 × 2) h
    assert abs(pool.utilisation() - 3.0 / 35.0) < 1e-9
