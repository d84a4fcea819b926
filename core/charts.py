"""Charts drawn on the server as SVG, so the page and the PDF show the same picture: bars (the
bulletin and the dashboards), columns over time and stacked bars (the dashboards).

No script and no style attribute (the page's CSP forbids both): presentation attributes only.
Every label is escaped; the SVG carries its title for screen readers. The fluid kinds scale to
the card's width (viewBox + width="100%"), so they fit a 390-px phone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "'Noto Sans CJK SC', 'Noto Serif CJK SC', 'Microsoft YaHei', sans-serif"
RED = "#b71c1c"


def bar_chart(title: str, rows: list[tuple[str, float | int]], *, width: int = 560, color: str = RED) -> SafeString:
    """A horizontal bar chart: one labelled bar per row, the value printed after the bar."""
    bar, gap, top, label_width, value_width = 20, 8, 36, 150, 48
    height = top + max(1, len(rows)) * (bar + gap) + 6
    largest = max((value for _label, value in rows), default=0) or 1
    span = width - label_width - value_width
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="20" font-size="15" font-weight="bold" fill="#1f2328">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(rows):
        y = top + index * (bar + gap)
        length = max(1.0, span * float(value) / largest) if value else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar - 5}" font-size="13" text-anchor="end" fill="#1f2328">'
            f"{escape(label)}</text>"
        )
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" fill="{color}"/>')
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar - 5}" font-size="13" fill="#1f2328">'
            f"{escape(number_label(value))}</text>"
        )
    if not rows:
        parts.append(f'<text x="{label_width}" y="{top + bar - 5}" font-size="13" fill="#57606a">—</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every interpolated text is escaped above)


def number_label(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)

INK, MUTED, GRID = "#1f2328", "#57606a", "#d0d7de"
GREEN, YELLOW = "#1a7f37", "#bf8700"
# Counts that are neither good nor bad (matters by category, pledges by status) are drawn in blue:
# red is kept for what is behind.
NEUTRAL = "#0550ae"


@dataclass(frozen=True)
class Threshold:
    """What a value means: at or above `good` it is good, at or above `warn` a warning, below it bad
    (the other way round when lower is better). The colour says it, and so must the page's text."""

    good: float
    warn: float
    higher_is_better: bool = True

    def level(self, value: float | int | None) -> str | None:
        if value is None:
            return None
        if self.higher_is_better:
            return "good" if value >= self.good else "warn" if value >= self.warn else "bad"
        return "good" if value <= self.good else "warn" if value <= self.warn else "bad"


LEVEL_COLORS = {"good": GREEN, "warn": YELLOW, "bad": RED}

_FIXED_SIZE = re.compile(r' width="\d+" height="\d+"')


def fluid(svg: str) -> SafeString:
    """An SVG from bar_chart scaled to its container (its fixed width and height dropped)."""
    return mark_safe(_FIXED_SIZE.sub(' width="100%"', svg, count=1))  # noqa: S308  (constant replacement)


def fluid_bar_chart(title: str, rows: Sequence[tuple[str, float | int]], *, color: str = RED) -> SafeString:
    """bar_chart drawn for a phone's width and scaled to its container."""
    return fluid(bar_chart(title, list(rows), width=390, color=color))


def _open(title: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="20" font-size="15" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]


def _short(label: str, limit: int = 6) -> str:
    """A row label that fits the label column (the full name is in the panel's text table)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def column_chart(
    title: str, rows: list[tuple[str, float | int | None]], *, maximum: float | None = None, suffix: str = "",
    width: int = 390, color: str = NEUTRAL, threshold: Threshold | None = None,
) -> SafeString:
    """Vertical columns, one per row (e.g. per week), the value above each; None draws "—".
    With a threshold each column takes the colour of its level (LEVEL_COLORS), not one colour."""
    top, plot, bottom, left = 40, 150, 24, 4
    height = top + plot + bottom
    largest = maximum or max((v for _l, v in rows if v is not None), default=0) or 1
    slot = (width - left) / max(1, len(rows))
    bar = slot * 0.62
    parts = _open(title, width, height)
    base = top + plot
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width}" y2="{base}" stroke="{GRID}"/>')
    for index, (label, value) in enumerate(rows):
        x = left + index * slot + (slot - bar) / 2
        centre = x + bar / 2
        length = plot * min(float(value), largest) / largest if value else 0.0
        if value:
            level = threshold.level(value) if threshold else None
            fill = LEVEL_COLORS[level] if level else color
            parts.append(f'<rect x="{x:.1f}" y="{base - length:.1f}" width="{bar:.1f}" height="{length:.1f}" '
                         f'fill="{fill}"/>')
        shown = "—" if value is None else f"{number_label(value)}{suffix}"
        parts.append(f'<text x="{centre:.1f}" y="{base - length - 4:.1f}" font-size="11" text-anchor="middle" '
                     f'fill="{INK}">{escape(shown)}</text>')
        parts.append(f'<text x="{centre:.1f}" y="{base + 16}" font-size="11" text-anchor="middle" '
                     f'fill="{MUTED}">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every interpolated text is escaped above)


def stacked_bar_chart(
    title: str, rows: list[tuple[str, list[int]]], series: list[tuple[str, str]], *, width: int = 390
) -> SafeString:
    """One horizontal bar per row split into the series' segments (label, colour), with a legend;
    the row's segments are printed as numbers after the bar."""
    bar, gap, label_width, value_width = 20, 8, 84, 74
    legend_y = 40
    top = legend_y + 16
    height = top + max(1, len(rows)) * (bar + gap) + 4
    largest = max((sum(values) for _l, values in rows), default=0) or 1
    span = width - label_width - value_width
    parts = _open(title, width, height)
    x = 0
    for name, color in series:
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{x + 16}" y="{legend_y}" font-size="12" fill="{INK}">{escape(name)}</text>')
        x += 16 + 13 * len(name) + 14
    for index, (label, values) in enumerate(rows):
        y = top + index * (bar + gap)
        parts.append(f'<text x="{label_width - 6}" y="{y + bar - 5}" font-size="13" text-anchor="end" '
                     f'fill="{INK}">{escape(_short(label))}</text>')
        start = float(label_width)
        for value, (_name, color) in zip(values, series, strict=True):
            length = span * value / largest
            if length:
                parts.append(f'<rect x="{start:.1f}" y="{y}" width="{length:.1f}" height="{bar}" fill="{color}"/>')
            start += length
        figures = "/".join(str(v) for v in values)
        parts.append(f'<text x="{start + 6:.1f}" y="{y + bar - 5}" font-size="12" fill="{INK}">{escape(figures)}</text>')
    if not rows:
        parts.append(f'<text x="{label_width}" y="{top + bar - 5}" font-size="13" fill="{MUTED}">—</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every interpolated text is escaped above)
