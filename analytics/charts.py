"""Server-rendered SVG charts: no script, no style attribute, a <title> and <desc> for each.

Colours are presentation attributes (allowed by the site's Content-Security-Policy, unlike
``style=``); classes let a stylesheet override them.
"""
from __future__ import annotations

from html import escape
from typing import Sequence

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 36


def _frame(chart_id: str, title: str, desc: str, body: list[str], y_labels: list[tuple[float, str]],
           days: Sequence[str]) -> str:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']
    for fraction, label in y_labels:
        y = TOP + plot_h * (1 - fraction)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#d0d4da" stroke-width="1"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="#444">{escape(label)}</text>')
    if days:
        for index in sorted({0, len(days) - 1}):
            x = LEFT + (index + 0.5) * (WIDTH - LEFT - RIGHT) / len(days)
            anchor = "start" if index == 0 and len(days) > 1 else "end" if index else "middle"
            parts.append(f'<text class="axis" x="{x:.1f}" y="{HEIGHT - 12}" text-anchor="{anchor}" '
                         f'font-size="11" fill="#444">{escape(days[index])}</text>')
    parts += body
    parts.append("</svg>")
    return "\n".join(parts)


def _nice_max(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50):
        for power in range(0, 9):
            candidate = step * 10 ** power
            if candidate >= value:
                return float(candidate)
    return float(value)


def volume_chart(days: Sequence[str], searches: Sequence[int], chart_id: str = "volume-chart") -> str:
    """Bars: searches per day."""
    top = _nice_max(max([1, *searches]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    body = []
    for index, (day, count) in enumerate(zip(days, searches)):
        height = plot_h * count / top
        x = LEFT + index * slot + slot * 0.1
        body.append(f'<rect class="bar" x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{slot * 0.8:.1f}" '
                    f'height="{height:.1f}" fill="#2b6cb0"><title>{escape(day)}: {count} searches</title></rect>')
    total = sum(searches)
    peak = max(range(len(searches)), key=lambda i: searches[i]) if searches else None
    desc = (f"{total} searches from {days[0]} to {days[-1]}; busiest day {days[peak]} "
            f"with {searches[peak]}." if days and peak is not None else "No searches recorded.")
    labels = [(0.0, "0"), (0.5, f"{top / 2:g}"), (1.0, f"{top:g}")]
    return _frame(chart_id, "Searches per day", desc, body, labels, days)


def zero_rate_chart(days: Sequence[str], rates: Sequence[float], chart_id: str = "zero-rate-chart") -> str:
    """A line: the share of searches with no results, per day (0-100 %)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    points = [(LEFT + (i + 0.5) * slot, TOP + plot_h * (1 - min(max(rate, 0.0), 1.0)))
              for i, rate in enumerate(rates)]
    body = []
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="line" points="{path}" fill="none" stroke="#c53030" stroke-width="2"/>')
    for (x, y), day, rate in zip(points, days, rates):
        body.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#c53030">'
                    f'<title>{escape(day)}: {rate:.0%} with no results</title></circle>')
    if days:
        worst = max(range(len(rates)), key=lambda i: rates[i])
        desc = (f"Share of searches with no results from {days[0]} to {days[-1]}; highest "
                f"{rates[worst]:.0%} on {days[worst]}, average {sum(rates) / len(rates):.0%} per day.")
    else:
        desc = "No searches recorded."
    labels = [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")]
    return _frame(chart_id, "Zero-result rate per day", desc, body, labels, days)
