"""Read models of the dashboard: one module per screen, read-only, straight on the tables.

The screens only look, never change, so they skip the domain round trip and read rows into plain
dataclasses. They name event types and statuses by the domain's enums, count days in the scenario's
hub time zone, and leave who-sees-what to the store's one visibility rule (``Scope``) rather than
repeating it (see ``docs/dashboard.md``).

``overview`` (headline tiles and alerts), ``berths`` (Gantt), ``yard`` (heat map, stacks), ``rail``
(trains, wagon checks, departures board), ``grain`` (silos, lots, owner ledger), ``cargo`` (a
container's timeline, customs holds), ``corridor`` (map), ``base`` (seeded layout).
"""
