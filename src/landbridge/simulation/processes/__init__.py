"""The hub's processes: flow generation, ships, trains, border crossings, trucks and grain."""
