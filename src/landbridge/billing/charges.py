"""Charges computed from a box's events: handling per move, and time-based charges per stay.

Only ``occurred_at`` matters (when things happened, not when they were recorded). A *stay* runs
from the event that brought the box into the base (discharge, rail unload, gate in) to the one that
took it out (vessel load, rail load, gate out) or, while the box is still here, to the horizon.

Days of a stay are counted from its first moment: day ``n`` begins ``n − 1`` × 24 h after arrival,
and a day is charged when it has begun before the stay ends. A box leaving at the last second of its
free time (exactly ``free_days`` × 24 h after arrival) therefore pays nothing; one second later it
pays one day. Free days and the stay's kind (storage for a full box, line storage for an empty one,
reefer power for a full reefer) follow the tariff version in force at arrival; each day's rate
follows the version in force when that day began. A charge belongs to the period in which its move
happened or its day began.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from landbridge.billing.tariff import GrainMove, MoveKind, Payer, Tariff, TariffVersion, TimeKind

DAY = timedelta(hours=24)

MOVE_OF_EVENT: dict[str, MoveKind] = {
    "container.discharged": MoveKind.DISCHARGE,
    "container.loaded_vessel": MoveKind.LOAD,
    "container.loaded_wagon": MoveKind.RAIL_LOAD,
    "container.unloaded_wagon": MoveKind.RAIL_UNLOAD,
    "container.gate_in": MoveKind.GATE_IN,
    "container.gate_out": MoveKind.GATE_OUT,
    "container.stuffed": MoveKind.CFS_STUFF,
    "container.stripped": MoveKind.CFS_STRIP,
    "container.gauge_transfer": MoveKind.GAUGE_TRANSFER,
}
GRAIN_MOVE_OF_EVENT: dict[str, GrainMove] = {
    "grain.received": GrainMove.RECEIVED,
    "grain.transferred": GrainMove.TRANSFERRED,
    "grain.shipped": GrainMove.SHIPPED,
}
PLACED = "container.placed"  # a yard move: charged as an extra move when a customer caused it
WEIGHED = "container.vgm_declared"  # a VGM: charged as a weighing when the base weighed the box
ARRIVALS = frozenset({"container.discharged", "container.unloaded_wagon", "container.gate_in"})
DEPARTURES = frozenset({"container.loaded_vessel", "container.loaded_wagon", "container.gate_out"})


@dataclass(frozen=True)
class BoxFacts:
    """What billing needs to know about a box besides its events."""

    number: str
    length_ft: int
    teu: Decimal  # domain.iso_types.teu_of_length: 1, 2, or 2.25 for a 45 ft box
    reefer: bool
    dangerous: bool
    line: str | None = None
    shipper: str | None = None
    consignee: str | None = None


@dataclass(frozen=True)
class BoxEvent:
    """One event of a box's history: its id in the log, type, time and the load state after it."""

    event_id: int
    event_type: str
    occurred_at: datetime
    load_state: str | None = None
    caused_by: str | None = None  # a yard move's ``caused_by_party``: the customer who asked for it
    weighed_here: bool = False  # a VGM's ``weighed_at_base``: the base's scale measured it


@dataclass(frozen=True)
class GrainEvent:
    """A charged grain movement: the lot, its owner and the tonnes moved (one event per movement)."""

    event_id: int
    event_type: str
    occurred_at: datetime
    lot: str
    owner: str | None
    mass_kg: int


@dataclass(frozen=True)
class Waiver:
    """Charges of ``kind`` on ``container`` whose time lies in [start, end) are not billed."""

    container: str
    kind: str
    reason: str
    start: datetime | None = None
    end: datetime | None = None

    def covers(self, container: str, kind: str, moment: datetime) -> bool:
        """Whether this waiver applies to a charge of ``kind`` at ``moment``."""
        return (
            self.container == container
            and self.kind in (kind, "all")
            and (self.start is None or self.start <= moment)
            and (self.end is None or moment < self.end)
        )


@dataclass(frozen=True)
class Charge:
    """One invoice line: a quantity of one kind at one rate, pointing at the events behind it."""

    container: str
    kind: str
    payer_rule: str
    payer: str | None
    tariff_version: str
    unit: str
    quantity: int
    rate: Decimal
    amount: Decimal
    first_at: datetime
    last_at: datetime
    event_ids: tuple[int, ...]
    waiver: str | None = None

    def key(self) -> tuple[str, str, str, str, str]:
        """What identifies the line across recomputations (for the difference shown on refusal)."""
        return (self.container, self.kind, self.tariff_version, str(self.rate), self.first_at.isoformat())


@dataclass(frozen=True)
class Stay:
    """A box's time in the base: arrival and departure events (departure None while it is here)."""

    arrival: BoxEvent
    departure: BoxEvent | None
    load_state: str
    imported: bool = field(default=False)


def stays(events: Sequence[BoxEvent]) -> list[Stay]:
    """The stays in a box's history (events in the order they happened)."""
    found: list[Stay] = []
    current: BoxEvent | None = None
    for event in events:
        if event.event_type in ARRIVALS and current is None:
            current = event
        elif event.event_type in DEPARTURES and current is not None:
            found.append(_stay(current, event))
            current = None
    if current is not None:
        found.append(_stay(current, None))
    return found


def _stay(arrival: BoxEvent, departure: BoxEvent | None) -> Stay:
    return Stay(
        arrival=arrival,
        departure=departure,
        load_state=arrival.load_state or "empty",
        imported=arrival.event_type == "container.discharged",
    )


def resolve_payer(rule: Payer, box: BoxFacts, imported: bool) -> str | None:
    """The party paying under ``rule`` (the line when the named party is unknown; None when nobody is)."""
    if rule is Payer.LINE:
        named = box.line
    elif rule is Payer.SHIPPER:
        named = box.shipper
    elif rule is Payer.CONSIGNEE:
        named = box.consignee
    else:
        named = box.consignee if imported else box.shipper
    return named if named is not None else box.line


def time_kinds(box: BoxFacts, stay: Stay) -> list[TimeKind]:
    """The time-based charges a stay incurs."""
    if stay.load_state != "full":
        return [TimeKind.LINE_STORAGE]
    return [TimeKind.STORAGE, TimeKind.REEFER_POWER] if box.reefer else [TimeKind.STORAGE]


def days_begun(start: datetime, end: datetime) -> int:
    """How many 24 h days of a stay from ``start`` have begun before ``end``."""
    if end <= start:
        return 0
    whole, rest = divmod(end - start, DAY)
    return whole + (1 if rest else 0)


def _tier_rate(version: TariffVersion, kind: TimeKind, day: int) -> Decimal | None:
    for tier in version.time_charge(kind).tiers:
        if tier.from_day <= day and (tier.to_day is None or day <= tier.to_day):
            return tier.rate
    return None


@dataclass
class _Run:
    """Consecutive charged days of one stay at one rate (one line)."""

    version: str
    rate: Decimal
    waiver: str | None
    first_day: int
    last_day: int


def time_charges(
    tariff: Tariff,
    box: BoxFacts,
    stay: Stay,
    horizon: datetime,
    window: tuple[datetime, datetime],
    waivers: Iterable[Waiver] = (),
) -> list[Charge]:
    """The time-based charge lines of a stay for days that began in ``window`` (before ``horizon``)."""
    start = stay.arrival.occurred_at
    end = horizon if stay.departure is None else min(stay.departure.occurred_at, horizon)
    at_arrival = tariff.version_at(start)
    if at_arrival is None:
        return []
    waiver_list = list(waivers)
    event_ids = (stay.arrival.event_id,) + (() if stay.departure is None else (stay.departure.event_id,))
    lines: list[Charge] = []
    for kind in time_kinds(box, stay):
        rules = at_arrival.time_charge(kind)
        runs: list[_Run] = []
        for day in range(rules.free_days + 1, days_begun(start, end) + 1):
            day_start = start + (day - 1) * DAY
            if not window[0] <= day_start < window[1]:
                continue
            version = tariff.version_at(day_start)
            rate = None if version is None else _tier_rate(version, kind, day)
            if version is None or rate is None:
                continue
            waiver = next((w.reason for w in waiver_list if w.covers(box.number, kind.value, day_start)), None)
            last = runs[-1] if runs else None
            if last and (last.version, last.rate, last.waiver, last.last_day) == (
                version.version,
                rate,
                waiver,
                day - 1,
            ):
                last.last_day = day
            else:
                runs.append(_Run(version.version, rate, waiver, day, day))
        payer = resolve_payer(rules.payer, box, stay.imported)
        per_day = Decimal(box.teu) if rules.unit == "teu_day" else Decimal(1)
        for run in runs:
            days = run.last_day - run.first_day + 1
            unit, quantity, rate = _day_pricing(rules.unit, per_day, days, run.rate)
            amount = Decimal(0) if run.waiver else rate * quantity
            lines.append(
                Charge(
                    container=box.number,
                    kind=kind.value,
                    payer_rule=rules.payer.value,
                    payer=payer,
                    tariff_version=run.version,
                    unit=unit,
                    quantity=quantity,
                    rate=rate,
                    amount=amount,
                    first_at=start + (run.first_day - 1) * DAY,
                    last_at=start + (run.last_day - 1) * DAY,
                    event_ids=event_ids,
                    waiver=run.waiver,
                )
            )
    return lines


def _day_pricing(unit: str, per_day: Decimal, days: int, rate: Decimal) -> tuple[str, int, Decimal]:
    """(unit, quantity, rate) of a line of ``days`` charged days.

    A whole number of TEU per box (20 and 40 ft) bills TEU-days at the tariff's rate. A 45 ft box
    (2.25 TEU) bills box-days at the day's price for the box, ``rate × 2.25`` rounded half up to the
    cent — the one rounding in billing, per day, so each day costs the same whatever the line.
    """
    if per_day == per_day.to_integral_value():
        return unit, days * int(per_day), rate
    day_price = (rate * per_day).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"day_{per_day.normalize()}teu", days, day_price


def move_charges(
    tariff: Tariff,
    box: BoxFacts,
    events: Sequence[BoxEvent],
    window: tuple[datetime, datetime],
    waivers: Iterable[Waiver] = (),
) -> list[Charge]:
    """One handling line per move in ``window`` (and a DG surcharge line for a box with IMDG goods)."""
    waiver_list = list(waivers)
    imported, inside = False, False
    lines: list[Charge] = []
    for event in events:
        if event.event_type in ARRIVALS and not inside:
            imported, inside = event.event_type == "container.discharged", True
        elif event.event_type in DEPARTURES and inside:
            inside = False
        moment = event.occurred_at
        version = tariff.version_at(moment) if window[0] <= moment < window[1] else None
        if version is None:
            continue
        lines.extend(_service_lines(version, box, event, imported, waiver_list))
        move = MOVE_OF_EVENT.get(event.event_type)
        if move is None:
            continue
        handling = version.handling[move]
        rate = handling.per_20ft if box.length_ft <= 20 else handling.per_40ft
        payer = resolve_payer(handling.payer, box, imported)
        charged = [(move.value, rate)]
        if box.dangerous and version.dg_surcharge_per_move > 0:
            charged.append(("dg_surcharge", version.dg_surcharge_per_move))
        for kind, price in charged:
            waiver = next((w.reason for w in waiver_list if w.covers(box.number, kind, moment)), None)
            lines.append(
                Charge(
                    container=box.number,
                    kind=kind,
                    payer_rule=handling.payer.value,
                    payer=payer,
                    tariff_version=version.version,
                    unit="move",
                    quantity=1,
                    rate=price,
                    amount=Decimal(0) if waiver else price,
                    first_at=moment,
                    last_at=moment,
                    event_ids=(event.event_id,),
                    waiver=waiver,
                )
            )
    return lines


def _service_lines(
    version: TariffVersion, box: BoxFacts, event: BoxEvent, imported: bool, waivers: list[Waiver]
) -> list[Charge]:
    """A weighing at the base or a customer-caused yard move, when the tariff charges it."""
    payer: str | None
    if event.event_type == PLACED and event.caused_by is not None and version.extra_move is not None:
        rates = version.extra_move
        kind, rule, payer = "extra_move", "causer", event.caused_by
        price = rates.per_20ft if box.length_ft <= 20 else rates.per_40ft
    elif event.event_type == WEIGHED and event.weighed_here and version.weighing is not None:
        kind, rule = "weighing", version.weighing.payer.value
        payer, price = resolve_payer(version.weighing.payer, box, imported), version.weighing.per_box
    else:
        return []
    waiver = next((w.reason for w in waivers if w.covers(box.number, kind, event.occurred_at)), None)
    return [
        Charge(
            container=box.number,
            kind=kind,
            payer_rule=rule,
            payer=payer,
            tariff_version=version.version,
            unit="move" if kind == "extra_move" else "box",
            quantity=1,
            rate=price,
            amount=Decimal(0) if waiver else price,
            first_at=event.occurred_at,
            last_at=event.occurred_at,
            event_ids=(event.event_id,),
            waiver=waiver,
        )
    ]


def tonnes_begun(mass_kg: int) -> int:
    """Whole tonnes charged for ``mass_kg``: per tonne *or part thereof* (65,001 kg → 66 t)."""
    return -(-mass_kg // 1000)


def grain_charges(tariff: Tariff, events: Iterable[GrainEvent], window: tuple[datetime, datetime]) -> list[Charge]:
    """One line per grain movement in ``window`` that the version in force charges; the lot's owner pays."""
    lines: list[Charge] = []
    for event in events:
        move = GRAIN_MOVE_OF_EVENT.get(event.event_type)
        moment = event.occurred_at
        version = tariff.version_at(moment) if window[0] <= moment < window[1] else None
        rate = None if version is None or move is None else version.grain.get(move)
        if version is None or move is None or rate is None or event.mass_kg <= 0:
            continue
        tonnes = tonnes_begun(event.mass_kg)
        lines.append(
            Charge(
                container=event.lot,
                kind=f"grain_{move.value}",
                payer_rule="owner",
                payer=event.owner,
                tariff_version=version.version,
                unit="tonne",
                quantity=tonnes,
                rate=rate.per_tonne,
                amount=rate.per_tonne * tonnes,
                first_at=moment,
                last_at=moment,
                event_ids=(event.event_id,),
            )
        )
    return lines


def may_charge_from(events: Sequence[BoxEvent], start: datetime) -> bool:
    """Whether a box can have a charge at or after ``start``: an event then, or a stay still open.

    A box whose history ended before ``start`` with the box gone charges nothing in a later window
    (its moves are earlier and its days all began before it left), so a billing run skips it. The
    independent checker walks every box the run read (the store reads only boxes that moved since
    ``start`` or are not gone, each with its whole history).
    """
    if not events:
        return False
    if events[-1].occurred_at >= start:
        return True
    found = stays(events)
    return bool(found) and found[-1].departure is None


def box_charges(
    tariff: Tariff,
    box: BoxFacts,
    events: Sequence[BoxEvent],
    window: tuple[datetime, datetime],
    horizon: datetime,
    waivers: Iterable[Waiver] = (),
) -> list[Charge]:
    """Every charge line of one box in ``window``, time-based ones counted up to ``horizon``."""
    waiver_list = [w for w in waivers if w.container == box.number]
    lines = move_charges(tariff, box, events, window, waiver_list)
    for stay in stays(events):
        lines.extend(time_charges(tariff, box, stay, horizon, window, waiver_list))
    return sorted(lines, key=lambda c: (c.first_at, c.kind, c.tariff_version))


def owed_days(
    tariff: Tariff,
    box: BoxFacts,
    events: Sequence[BoxEvent],
    at: datetime,
    covered_through: datetime | None,
    waivers: Iterable[Waiver] = (),
) -> Decimal:
    """What the box's current stay owes at ``at`` in time-based charges not covered by a guarantee.

    A guarantee ("paid / guaranteed through D") covers every day that began before D.
    """
    current = [s for s in stays(events) if s.departure is None]
    if not current:
        return Decimal(0)
    start = covered_through or current[-1].arrival.occurred_at
    window = (max(start, current[-1].arrival.occurred_at), at)
    lines = time_charges(tariff, box, current[-1], at, window, waivers)
    return sum((line.amount for line in lines), Decimal(0))
