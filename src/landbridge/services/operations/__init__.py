"""Operations: the hub's daily commands (vessel, yard, rail, gate, CFS, grain, customs).

Every command is a function ``(uow, command, actor, idempotency=None) -> Outcome`` that runs in
one unit of work through :func:`landbridge.services.operations.common.execute`: state changes and
their events are committed together, once, or not at all.
"""
