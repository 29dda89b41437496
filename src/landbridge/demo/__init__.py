"""A demo operating day at the base: a fixture for ``make run`` and the tests, not a use case.

It plays an ordinary day through the operations services (``day.play_demo_day``), on the layout of
the scenario the database was seeded with.
"""
