"""The independent checker: a second computation of a period's charges from plain data.

Written apart from ``charges.py`` and sharing no code with it (nor with the tariff model): it reads
the tariff as the JSON document the API serves, walks every stay day by day in integer cents, and
sums per payer and per (box, kind). Tests and ``landbridge billing run`` compare its totals with the
billing service's invoice lines; a difference of one cent is a failure.

Input (all plain JSON types; times ISO 8601 with offset)::

    {"tariff": {...document...}, "period": {"start": t, "end": t}, "horizon": t,
     "boxes": {number: {"length_ft", "reefer", "dangerous", "line", "shipper", "consignee"}},
     "events": [{"id", "container", "type", "occurred_at", "load_state", "caused_by_party", "weighed_at_base"}],
     "grain_events": [{"id", "lot", "type", "occurred_at", "after": {the event's after payload}}],
     "waivers": [{"container", "kind", "start", "end"}]}

Besides handling and stays it charges a yard move with a ``caused_by_party`` (``extra_move``, that
party pays), a VGM with ``weighed_at_base`` (``weighing``), and grain movements per tonne or part
thereof, reading the masses from the grain events' own payloads (the lot's owner pays).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

_IN = {"container.discharged": "sea", "container.unloaded_wagon": "rail", "container.gate_in": "road"}
_OUT = {"container.loaded_vessel", "container.loaded_wagon", "container.gate_out"}
_MOVES = {
    "container.discharged": "discharge",
    "container.loaded_vessel": "load",
    "container.unloaded_wagon": "rail_unload",
    "container.loaded_wagon": "rail_load",
    "container.gate_in": "gate_in",
    "container.gate_out": "gate_out",
    "container.stuffed": "cfs_stuff",
    "container.stripped": "cfs_strip",
    "container.gauge_transfer": "gauge_transfer",
}


def _t(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _cents(value: Any) -> int:
    text = str(value)
    whole, _, frac = text.partition(".")
    frac = (frac + "00")[:2]
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole or "0")) * 100 + int(frac))


def _teu_hundredths(length_ft: int) -> int:
    """TEU × 100 of a box by its length: 20 ft 1, 40 ft 2, longer (45 ft) 2.25 (ITF/Eurostat/UNECE glossary)."""
    if length_ft <= 20:
        return 100
    if length_ft < 40:
        return 150
    return 200 if length_ft == 40 else 225


def _version(tariff: dict[str, Any], moment: datetime) -> dict[str, Any] | None:
    for version in tariff["versions"]:
        begins, ends = _t(version["valid_from"]), _t(version["valid_to"])
        assert begins is not None
        if begins <= moment and (ends is None or moment < ends):
            found: dict[str, Any] = version
            return found
    return None


def _who(rule: str, box: dict[str, Any], from_sea: bool) -> str:
    wanted = {"line": "line", "shipper": "shipper", "consignee": "consignee"}.get(rule)
    if wanted is None:
        wanted = "consignee" if from_sea else "shipper"
    return box.get(wanted) or box.get("line") or ""


def _waived(waivers: list[dict[str, Any]], number: str, kind: str, moment: datetime) -> bool:
    for waiver in waivers:
        if waiver["container"] != number or waiver["kind"] not in (kind, "all"):
            continue
        begins, ends = _t(waiver.get("start")), _t(waiver.get("end"))
        if (begins is None or begins <= moment) and (ends is None or moment < ends):
            return True
    return False


def check_period(data: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Totals in cents ``{"by_payer": {party: cents}, "by_box_kind": {"BOX|kind": cents}}``."""
    tariff, boxes, waivers = data["tariff"], data["boxes"], data.get("waivers", [])
    first, last = _t(data["period"]["start"]), _t(data["period"]["end"])
    horizon = _t(data["horizon"])
    assert first is not None and last is not None and horizon is not None
    by_payer: dict[str, int] = defaultdict(int)
    by_box_kind: dict[str, int] = defaultdict(int)

    def add(number: str, kind: str, payer: str, cents: int) -> None:
        if cents:
            by_payer[payer] += cents
            by_box_kind[f"{number}|{kind}"] += cents

    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in data["events"]:
        history[event["container"]].append(event)
    for number, events in history.items():
        box = boxes[number]
        events.sort(key=lambda e: (_t(e["occurred_at"]), e["id"]))
        arrived: dict[str, Any] | None = None
        from_sea = False
        for event in events:
            moment = _t(event["occurred_at"])
            assert moment is not None
            if event["type"] in _IN and arrived is None:
                arrived, from_sea = event, _IN[event["type"]] == "sea"
            move = _MOVES.get(event["type"])
            if move is not None and first <= moment < last:
                version = _version(tariff, moment)
                if version is not None:
                    rate = version["handling"][move]
                    price = rate["per_20ft"] if box["length_ft"] <= 20 else rate["per_40ft"]
                    payer = _who(rate["payer"], box, from_sea)
                    if not _waived(waivers, number, move, moment):
                        add(number, move, payer, _cents(price))
                    if box["dangerous"] and not _waived(waivers, number, "dg_surcharge", moment):
                        add(number, "dg_surcharge", payer, _cents(version.get("dg_surcharge_per_move", 0)))
            if first <= moment < last:
                _extra_service(tariff, box, number, event, moment, from_sea, waivers, add)
            if event["type"] in _OUT and arrived is not None:
                _stay_days(tariff, box, number, arrived, moment, from_sea, (first, last, horizon), waivers, add)
                arrived = None
        if arrived is not None:
            _stay_days(tariff, box, number, arrived, horizon, from_sea, (first, last, horizon), waivers, add)
    for event in data.get("grain_events", []):
        moment = _t(event["occurred_at"])
        assert moment is not None
        if first <= moment < last:
            _grain(tariff, event, moment, add)
    return {"by_payer": dict(by_payer), "by_box_kind": dict(by_box_kind)}


def _extra_service(
    tariff: dict[str, Any],
    box: dict[str, Any],
    number: str,
    event: dict[str, Any],
    moment: datetime,
    from_sea: bool,
    waivers: list[dict[str, Any]],
    add: Any,
) -> None:
    version = _version(tariff, moment)
    if version is None:
        return
    if event["type"] == "container.placed" and event.get("caused_by_party"):
        rates = version.get("extra_move")
        if rates and not _waived(waivers, number, "extra_move", moment):
            price = rates["per_20ft"] if box["length_ft"] <= 20 else rates["per_40ft"]
            add(number, "extra_move", event["caused_by_party"], _cents(price))
    elif event["type"] == "container.vgm_declared" and event.get("weighed_at_base"):
        fee = version.get("weighing")
        if fee and not _waived(waivers, number, "weighing", moment):
            add(number, "weighing", _who(fee["payer"], box, from_sea), _cents(fee["per_box"]))


def _grain(tariff: dict[str, Any], event: dict[str, Any], moment: datetime, add: Any) -> None:
    after = event["after"] or {}
    move = event["type"].removeprefix("grain.")
    if move == "received":
        kg = after.get("received_kg")
    elif move == "shipped":
        kg = after.get("shipped_kg")
    elif move == "transferred" and "to_silo" in after:  # the source lot's event; the new lot's is the same move
        kg = after.get("moved_kg")
    else:
        kg = None
    version = _version(tariff, moment)
    rate = None if version is None else (version.get("grain") or {}).get(move)
    if kg and rate:
        tonnes = (int(kg) + 999) // 1000
        add(event["lot"], "grain_" + move, after.get("owner_code") or "", _cents(rate["per_tonne"]) * tonnes)


def _stay_days(
    tariff: dict[str, Any],
    box: dict[str, Any],
    number: str,
    arrived: dict[str, Any],
    left: datetime,
    from_sea: bool,
    bounds: tuple[datetime, datetime, datetime],
    waivers: list[dict[str, Any]],
    add: Any,
) -> None:
    first, last, horizon = bounds
    start = _t(arrived["occurred_at"])
    assert start is not None
    rules_at_arrival = _version(tariff, start)
    if rules_at_arrival is None:
        return
    if arrived.get("load_state") == "full":
        kinds = ["storage", "reefer_power"] if box["reefer"] else ["storage"]
    else:
        kinds = ["line_storage"]
    stop = min(left, horizon)
    for kind in kinds:
        rules = rules_at_arrival[kind]
        hundredths = _teu_hundredths(box["length_ft"]) if rules.get("unit", "teu_day") == "teu_day" else 100
        payer = _who(rules["payer"], box, from_sea)
        day, begins = 1, start
        while begins < stop:
            if day > rules["free_days"] and first <= begins < last:
                today = _version(tariff, begins)
                if today is not None and not _waived(waivers, number, kind, begins):
                    for tier in today[kind]["tiers"]:
                        if tier["from_day"] <= day and (tier["to_day"] is None or day <= tier["to_day"]):
                            # rate × TEU per day, half a cent rounded up (only 2.25 TEU can leave one)
                            add(number, kind, payer, (_cents(tier["rate"]) * hundredths + 50) // 100)
                            break
            day += 1
            begins = start + timedelta(hours=24 * (day - 1))
