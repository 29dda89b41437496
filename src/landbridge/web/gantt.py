"""The berth Gantt chart as inline SVG: one lane per berth, the plan as an outline, the actual as a bar.

Drawn on the server so it needs no chart library, prints, and its numbers can be read by a test.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from landbridge.web.i18n import Localiser
from landbridge.web.readmodels.berths import BerthCall
from landbridge.web.readmodels.common import hub_zone

LANE_H = 34
LEFT = 70
WIDTH = 1000
TOP = 26


def window(calls: list[BerthCall], now: datetime) -> tuple[datetime, datetime]:
    """The time span shown: two days back to five days ahead of now, widened to fit every call."""
    start, end = now - timedelta(days=2), now + timedelta(days=5)
    for call in calls:
        for stamp in (call.planned_start, call.actual_start):
            if stamp is not None:
                start = min(start, stamp)
        for stamp in (call.planned_end, call.actual_end):
            if stamp is not None:
                end = max(end, stamp)
    return start.replace(minute=0, second=0, microsecond=0), end


def berth_gantt(calls: list[BerthCall], berths: list[str], now: datetime, lang: Localiser) -> str:
    """SVG markup of the chart."""
    start, end = window(calls, now)
    span_s = max((end - start).total_seconds(), 1.0)

    def x(stamp: datetime) -> float:
        return LEFT + (WIDTH - LEFT - 10) * (stamp - start).total_seconds() / span_s

    height = TOP + LANE_H * max(len(berths), 1) + 10
    parts = [
        f'<svg class="gantt" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(lang.gettext("plan against actual"))}" xmlns="http://www.w3.org/2000/svg">'
    ]
    day = start.astimezone(hub_zone()).replace(hour=0)  # day lines at hub midnight, as the labels read
    while day <= end:
        if day >= start:
            parts.append(
                f'<line x1="{x(day):.1f}" y1="{TOP - 6}" x2="{x(day):.1f}" y2="{height - 10}" class="grid"/>'
                f'<text x="{x(day) + 3:.1f}" y="{TOP - 10}" class="tick">{escape(lang.date(day))}</text>'
            )
        day += timedelta(days=1)
    lane = {code: index for index, code in enumerate(berths)}
    for code, index in lane.items():
        y = TOP + index * LANE_H
        parts.append(
            f'<text x="4" y="{y + LANE_H / 2 + 4:.0f}" class="lane">{escape(code)}</text>'
            f'<line x1="{LEFT}" y1="{y + LANE_H}" x2="{WIDTH - 10}" y2="{y + LANE_H}" class="lane-line"/>'
        )
    for call in calls:
        if call.berth_code not in lane:
            continue
        y = TOP + lane[call.berth_code] * LANE_H
        if call.planned_start and call.planned_end:
            parts.append(
                f'<rect class="plan" data-visit="{escape(call.reference)}" '
                f'x="{x(call.planned_start):.1f}" y="{y + 3}" '
                f'width="{max(2.0, x(call.planned_end) - x(call.planned_start)):.1f}" height="{LANE_H - 6}">'
                f"<title>{escape(call.vessel_name)} · {escape(lang.gettext('plan'))}: "
                f"{escape(lang.datetime(call.planned_start))} – "
                f"{escape(lang.datetime(call.planned_end))}</title></rect>"
            )
        if call.actual_start:
            actual_end = call.actual_end or now
            parts.append(
                f'<rect class="actual" data-visit="{escape(call.reference)}" '
                f'x="{x(call.actual_start):.1f}" y="{y + 9}" '
                f'width="{max(2.0, x(actual_end) - x(call.actual_start)):.1f}" height="{LANE_H - 18}">'
                f"<title>{escape(call.vessel_name)} · {escape(lang.gettext('actual'))}: "
                f"{escape(lang.datetime(call.actual_start))} – {escape(lang.datetime(call.actual_end))}</title></rect>"
            )
        label_at = call.actual_start or call.planned_start
        if label_at:
            parts.append(
                f'<text x="{x(label_at) + 4:.1f}" y="{y + LANE_H / 2 + 4:.0f}" class="vessel">'
                f"{escape(call.vessel_name)}</text>"
            )
    parts.append(f'<line x1="{x(now):.1f}" y1="{TOP - 6}" x2="{x(now):.1f}" y2="{height - 10}" class="now"/>')
    parts.append("</svg>")
    return "".join(parts)
