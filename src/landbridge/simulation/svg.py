"""Tiny inline-SVG charts, so the report opens offline with no plotting library or CDN."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

WIDTH = 760
HEIGHT = 260
PAD_LEFT = 56
PAD_RIGHT = 16
PAD_TOP = 28
PAD_BOTTOM = 36
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** len(str(int(value))) / 10
    for step in (1, 2, 2.5, 5, 7.5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return value


class _Frame:
    def __init__(self, title: str, x_min: float, x_max: float, y_max: float, x_label: str, y_label: str) -> None:
        self.x_min, self.x_max = x_min, (x_max if x_max > x_min else x_min + 1)
        self.y_max = _nice_max(y_max)
        self.parts: list[str] = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" font-family="sans-serif" font-size="11">',
            f'<text x="{WIDTH / 2}" y="16" text-anchor="middle" font-size="13">{escape(title)}</text>',
        ]
        for index in range(5):
            value = self.y_max * index / 4
            y = self.y(value)
            self.parts.append(
                f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            )
            self.parts.append(f'<text x="{PAD_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
        for index in range(6):
            value = self.x_min + (self.x_max - self.x_min) * index / 5
            self.parts.append(
                f'<text x="{self.x(value):.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" text-anchor="middle">{value:.0f}</text>'
            )
        self.parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT - 4}" text-anchor="middle">{escape(x_label)}</text>')
        self.parts.append(
            f'<text x="12" y="{HEIGHT / 2}" transform="rotate(-90 12 {HEIGHT / 2})" '
            f'text-anchor="middle">{escape(y_label)}</text>'
        )

    def x(self, value: float) -> float:
        return PAD_LEFT + (value - self.x_min) / (self.x_max - self.x_min) * (WIDTH - PAD_LEFT - PAD_RIGHT)

    def y(self, value: float) -> float:
        return HEIGHT - PAD_BOTTOM - value / self.y_max * (HEIGHT - PAD_TOP - PAD_BOTTOM)

    def legend(self, names: Sequence[str]) -> None:
        for index, name in enumerate(names):
            x = WIDTH - PAD_RIGHT - 130
            y = PAD_TOP + 4 + 14 * index
            self.parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{COLOURS[index % 8]}"/>')
            self.parts.append(f'<text x="{x + 14}" y="{y + 9}">{escape(name)}</text>')

    def svg(self) -> str:
        return "".join(self.parts) + "</svg>"


def line_chart(
    title: str,
    xs: Sequence[float],
    series: dict[str, Sequence[float]],
    x_label: str,
    y_label: str,
    bands: Sequence[tuple[float, float]] = (),
) -> str:
    """Lines sharing one x axis; ``bands`` shade x intervals (closures)."""
    y_max = max((max(values, default=0.0) for values in series.values()), default=1.0)
    frame = _Frame(title, min(xs, default=0.0), max(xs, default=1.0), y_max, x_label, y_label)
    for begin, end in bands:
        frame.parts.append(
            f'<rect x="{frame.x(begin):.1f}" y="{PAD_TOP}" width="{frame.x(end) - frame.x(begin):.1f}"'
            f' height="{HEIGHT - PAD_TOP - PAD_BOTTOM}" fill="#fdd"/>'
        )
    for index, values in enumerate(series.values()):
        points = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in zip(xs, values, strict=False))
        frame.parts.append(
            f'<polyline fill="none" stroke="{COLOURS[index % 8]}" stroke-width="1.4" points="{points}"/>'
        )
    frame.legend(list(series))
    return frame.svg()


def bar_chart(
    title: str, labels: Sequence[float], series: dict[str, Sequence[float]], x_label: str, y_label: str
) -> str:
    """Stacked bars, one per label."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    frame = _Frame(
        title, min(labels, default=0) - 0.5, max(labels, default=1) + 0.5, max(totals, default=1), x_label, y_label
    )
    width = max(1.0, (frame.x(1) - frame.x(0)) * 0.8)
    for i, label in enumerate(labels):
        base = 0.0
        for index, values in enumerate(series.values()):
            top = base + values[i]
            frame.parts.append(
                f'<rect x="{frame.x(label) - width / 2:.1f}" y="{frame.y(top):.1f}" '
                f'width="{width:.1f}" height="{frame.y(base) - frame.y(top):.1f}" '
                f'fill="{COLOURS[index % 8]}"><title>{label:g}: {values[i]:g}</title></rect>'
            )
            base = top
    frame.legend(list(series))
    return frame.svg()


def histogram(title: str, values: Sequence[float], bins: int, x_label: str) -> str:
    """Counts of values in equal-width bins."""
    if not values:
        return bar_chart(title, [0], {"count": [0]}, x_label, "boxes")
    low, high = min(values), max(values)
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int((value - low) / width))] += 1
    frame = _Frame(title, low, low + width * bins, max(counts), x_label, "boxes")
    for index, count in enumerate(counts):
        x0 = frame.x(low + index * width)
        x1 = frame.x(low + (index + 1) * width)
        frame.parts.append(
            f'<rect x="{x0:.1f}" y="{frame.y(count):.1f}" width="{max(x1 - x0 - 1, 1):.1f}" '
            f'height="{frame.y(0) - frame.y(count):.1f}" fill="{COLOURS[0]}"/>'
        )
    return frame.svg()


def gantt(
    title: str,
    rows: Sequence[str],
    bars: Sequence[tuple[str, float, float, str]],
    x_min: float,
    x_max: float,
    x_label: str,
) -> str:
    """Horizontal bars (row, start, end, tooltip) per row, e.g. ships at berths."""
    height = PAD_TOP + PAD_BOTTOM + 22 * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" font-family="sans-serif" font-size="11">',
        f'<text x="{WIDTH / 2}" y="16" text-anchor="middle" font-size="13">{escape(title)}</text>',
    ]
    span = (x_max - x_min) or 1.0

    def x(value: float) -> float:
        return PAD_LEFT + (min(max(value, x_min), x_max) - x_min) / span * (WIDTH - PAD_LEFT - PAD_RIGHT)

    for index, row in enumerate(rows):
        y = PAD_TOP + 22 * index
        parts.append(f'<text x="{PAD_LEFT - 4}" y="{y + 14}" text-anchor="end">{escape(row)}</text>')
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y + 20}" y2="{y + 20}" stroke="#eee"/>')
    row_index = {row: index for index, row in enumerate(rows)}
    for number, (row, start, end, tip) in enumerate(bars):
        if end < x_min or start > x_max or row not in row_index:
            continue
        y = PAD_TOP + 22 * row_index[row] + 3
        parts.append(
            f'<rect x="{x(start):.1f}" y="{y}" width="{max(x(end) - x(start), 0.8):.1f}" height="15" '
            f'fill="{COLOURS[number % 8]}" opacity="0.85"><title>{escape(tip)}</title></rect>'
        )
    for index in range(6):
        value = x_min + span * index / 5
        parts.append(f'<text x="{x(value):.1f}" y="{height - PAD_BOTTOM + 14}" text-anchor="middle">{value:.0f}</text>')
    parts.append(f'<text x="{WIDTH / 2}" y="{height - 4}" text-anchor="middle">{escape(x_label)}</text></svg>')
    return "".join(parts)


def scatter(
    title: str,
    points: Mapping[str, Sequence[tuple[float, float]]],
    x_range: tuple[float, float],
    x_label: str,
    y_label: str,
    bands: Sequence[tuple[float, float]] = (),
) -> str:
    """Points per series, e.g. border wait of each train against its arrival day."""
    y_max = max((y for series in points.values() for _, y in series), default=1.0)
    frame = _Frame(title, x_range[0], x_range[1], max(y_max, 1.0), x_label, y_label)
    for begin, end in bands:
        frame.parts.append(
            f'<rect x="{frame.x(begin):.1f}" y="{PAD_TOP}" width="{frame.x(end) - frame.x(begin):.1f}"'
            f' height="{HEIGHT - PAD_TOP - PAD_BOTTOM}" fill="#fdd"/>'
        )
    for index, series in enumerate(points.values()):
        for x, y in series:
            frame.parts.append(
                f'<circle cx="{frame.x(x):.1f}" cy="{frame.y(y):.1f}" r="2.2" fill="{COLOURS[index % 8]}"/>'
            )
    frame.legend(list(points))
    return frame.svg()
