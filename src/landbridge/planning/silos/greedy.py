"""A quick target: keep stored lots where they are, consolidate only if the arriving lots need room.

Why: on a complex the size of Miaoling (40 silos and 24 star bins) the CP-SAT model alone, with
one worker, found no allocation at all in 60 s for 50 lots at 81 % fill. Most days look like
that: the grain already stored stays and the day's trains are taken in, or a few part-filled
silos of one owner's grain are merged to free a silo for a new lot. This module builds such a
target in milliseconds; CP-SAT starts from it (as a hint) and, if it finds nothing better in time,
the plan is this target.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from landbridge.planning.silos.problem import Lot, SiloInstance

Key = tuple[str, str, str]


class _Fill:
    """Silo contents while building a target: kilograms per (lot, silo), room and key per silo."""

    def __init__(self, instance: SiloInstance) -> None:
        self.instance = instance
        self.key_of = {lot.lot_id: lot.key for lot in instance.lots}
        self.kg: dict[tuple[str, int], int] = {}
        self.room: list[int] = []
        self.key: list[Key | None] = []
        for s, silo in enumerate(instance.silos):
            for lot_id, kg in silo.contents:
                self.kg[lot_id, s] = self.kg.get((lot_id, s), 0) + kg
            self.room.append(silo.capacity_kg - sum(kg for _, kg in silo.contents))
            self.key.append(self.key_of[silo.contents[0][0]] if silo.contents and not silo.allow_mixing else None)

    def copy(self) -> _Fill:
        other = object.__new__(_Fill)
        other.instance, other.key_of = self.instance, self.key_of
        other.kg, other.room, other.key = dict(self.kg), list(self.room), list(self.key)
        return other

    def accepts(self, s: int, key: Key) -> bool:
        return self.room[s] > 0 and (self.instance.silos[s].allow_mixing or self.key[s] in (None, key))

    def put(self, lot_id: str, s: int, amount: int) -> None:
        self.kg[lot_id, s] = self.kg.get((lot_id, s), 0) + amount
        self.room[s] -= amount
        if not self.instance.silos[s].allow_mixing:
            self.key[s] = self.key_of[lot_id]

    def place(self, lot: Lot) -> bool:
        """Put an arriving lot in; False (state half-changed) when it does not fit."""
        return self.pour(lot.lot_id, lot.key, lot.mass_kg)

    def pour(self, lot_id: str, key: Key, mass_kg: int) -> bool:
        """Put ``mass_kg`` of a lot in; False (state half-changed) when it does not fit.

        Each portion goes to the silo with the least room that takes the whole rest of the lot —
        silos already holding the lot's owner/crop/class before empty ones, so that empty silos
        stay free for other keys — and when none takes the rest, to the accepting silo with the
        most room (fewest portions). Ties go to the lower index: identical silos in file order.
        """
        left = mass_kg
        while left > 0:
            accepting = [s for s in range(len(self.room)) if self.accepts(s, key)]
            if not accepting:
                return False
            whole = [s for s in accepting if self.room[s] >= left]
            if whole:
                chosen = min(whole, key=lambda s: (self.key[s] != key or self.is_empty(s), self.room[s], s))
            else:
                chosen = max(accepting, key=lambda s: (self.room[s], -s))
            amount = min(left, self.room[chosen])
            self.put(lot_id, chosen, amount)
            left -= amount
        return True

    def is_empty(self, s: int) -> bool:
        return self.room[s] == self.instance.silos[s].capacity_kg

    def empty(self, s: int) -> int | None:
        """Move everything in silo s elsewhere so that it is free for any key: into part-filled
        silos of its key (least room first), then into smaller empty silos (e.g. a star bin takes
        what is left in a big silo). Returns the receiving (lot, silo) pairs, or None (state
        unchanged) when those silos lack the room."""
        key = self.key[s]
        lots = sorted((lot_id, kg) for (lot_id, t), kg in self.kg.items() if t == s and kg > 0)
        if key is None or not lots:
            return None
        capacity = self.instance.silos[s].capacity_kg
        same = sorted(
            (t for t in range(len(self.room)) if t != s and self.key[t] == key and self.room[t] > 0),
            key=lambda t: (self.room[t], t),
        )
        smaller = sorted(
            (
                t
                for t in range(len(self.room))
                if self.key[t] is None
                and self.room[t] > 0
                and not self.instance.silos[t].allow_mixing
                and self.instance.silos[t].capacity_kg < capacity
                and self.room[t] == self.instance.silos[t].capacity_kg
            ),
            key=lambda t: (-self.room[t], t),
        )
        receivers = same + smaller
        if sum(self.room[t] for t in receivers) < sum(kg for _, kg in lots):
            return None
        pairs = 0
        for lot_id, kg in lots:
            left = kg
            while left > 0:
                t = next(t for t in receivers if self.room[t] > 0)
                amount = min(left, self.room[t])
                self.put(lot_id, t, amount)
                left -= amount
                pairs += 1
            del self.kg[lot_id, s]
        self.room[s] = capacity
        self.key[s] = None
        return pairs


def greedy_target(instance: SiloInstance) -> dict[tuple[str, int], int] | None:
    """(lot id, silo index) → kg: stored lots unmoved if the arriving lots then fit; otherwise
    silos are emptied (``_Fill.empty``: into part-filled silos of the same owner/crop/class, then
    smaller empty bins), one at a time and the one needing the fewest transfers first, until they
    do. None when even that does not make room.

    Arriving lots go in heaviest first (the hardest to place). Every transfer here is a direct move
    into a silo that has the room and accepts the key before any intake, so the target can be ordered.
    """
    arriving = sorted(
        (lot for lot in instance.lots if not instance.stored_kg(lot.lot_id)), key=lambda lot: (-lot.mass_kg, lot.lot_id)
    )
    state = _Fill(instance)
    while True:
        trial = state.copy()
        if all(trial.place(lot) for lot in arriving):
            return {pair: kg for pair, kg in trial.kg.items() if kg > 0}
        best: tuple[int, int, _Fill] | None = None
        for s in range(len(instance.silos)):
            candidate = state.copy()
            pairs = candidate.empty(s)
            held = instance.silos[s].capacity_kg - state.room[s]
            if pairs is not None and (best is None or (pairs, held) < best[:2]):
                best = (pairs, held, candidate)
        if best is None:
            return None
        state = best[2]


# Complexity above the limit on purpose: one pass over the target, measured as the fast path.
def regrouped_target(  # noqa: C901
    instance: SiloInstance, time_limit_s: float, seed: int = 1, hint: dict[tuple[str, int], int] | None = None
) -> dict[tuple[str, int], int] | None:
    """A target that first decides which silos serve which owner/crop/class, then pours the grain.

    Why: when stored lots must move, merging silos one at a time (``greedy_target``) moves far more
    than needed (miaoling-02: 34 transfers), and the full CP-SAT model, with a kilogram variable
    per lot and silo, improves on that only slowly. Which silos each key gets is the real decision:
    a small CP-SAT model picks it, keeping every silo with its present key where possible and
    displacing as few stored lots as possible (each displaced lot needs at least one transfer),
    with enough capacity for every key. The lots are then poured: grain that stays stays, displaced
    and arriving lots fill their key's silos whole where one takes the rest, else the roomiest first.
    """
    silos, lots = instance.silos, instance.lots
    keys = sorted({lot.key for lot in lots})
    key_index = {key: k for k, key in enumerate(keys)}
    lot_key = {lot.lot_id: key_index[lot.key] for lot in lots}
    mass = [0] * len(keys)
    for lot in lots:
        mass[key_index[lot.key]] += lot.mass_kg
    model = cp_model.CpModel()
    serves = {
        (k, s): model.new_bool_var(f"serves_{k}_{s}")
        for k in range(len(keys))
        for s, silo in enumerate(silos)
        if not silo.allow_mixing
    }
    share = {
        (k, s): model.new_int_var(0, silo.capacity_kg, f"share_{k}_{s}")
        for k in range(len(keys))
        for s, silo in enumerate(silos)
        if silo.allow_mixing
    }
    for s, silo in enumerate(silos):
        if silo.allow_mixing:
            model.add(sum(share[k, s] for k in range(len(keys))) <= silo.capacity_kg)
            for lot_id, kg in silo.contents:  # grain in a mixing silo stays there
                model.add(share[lot_key[lot_id], s] >= kg)
        else:
            model.add(sum(serves[k, s] for k in range(len(keys))) <= 1)
    for k in range(len(keys)):
        model.add(
            sum(silo.capacity_kg * serves[k, s] for s, silo in enumerate(silos) if not silo.allow_mixing)
            + sum(share[k, s] for s, silo in enumerate(silos) if silo.allow_mixing)
            >= mass[k]
        )
    displaced = {
        lot.lot_id: model.new_bool_var(f"displaced_{lot.lot_id}") for lot in lots if instance.stored_kg(lot.lot_id)
    }
    emptied = []
    for s, silo in enumerate(silos):
        if silo.allow_mixing or not silo.contents:
            continue
        keeps = serves[lot_key[silo.contents[0][0]], s]
        emptied.append(1 - keeps)
        for lot_id, _ in silo.contents:
            model.add(displaced[lot_id] >= 1 - keeps)
    # Fewest displaced lots, then fewest silos emptied (each emptied silo is at least one conveyor run).
    model.minimize((len(emptied) + 1) * sum(displaced.values()) + sum(emptied))
    if hint is not None:
        for (k, s), var in serves.items():
            model.add_hint(var, any(kg > 0 and lot_key[lot_id] == k for (lot_id, t), kg in hint.items() if t == s))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.01)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    state = _Fill(instance)
    moving: list[tuple[str, int]] = []  # (lot, kg) leaving silos that change key
    for s, silo in enumerate(silos):
        if silo.allow_mixing or not silo.contents or solver.value(serves[lot_key[silo.contents[0][0]], s]):
            continue
        for lot_id, kg in silo.contents:
            moving.append((lot_id, kg))
            del state.kg[lot_id, s]
        state.room[s], state.key[s] = silo.capacity_kg, None
    for (k, s), var in serves.items():
        if solver.value(var):
            state.key[s] = keys[k]  # reserved for its key, even while still empty
    for s, silo in enumerate(silos):
        if not silo.allow_mixing and not any(solver.value(serves[k, s]) for k in range(len(keys))):
            state.room[s] = 0  # serves no key: takes nothing
    by_lot = {lot.lot_id: lot for lot in lots}
    pour = [(by_lot[lot_id], kg) for lot_id, kg in moving]
    pour += [(lot, lot.mass_kg) for lot in lots if not instance.stored_kg(lot.lot_id)]
    for lot, kg in sorted(pour, key=lambda item: (-item[1], item[0].lot_id)):
        if not state.pour(lot.lot_id, lot.key, kg):
            return None
    return {pair: kg for pair, kg in state.kg.items() if kg > 0}
