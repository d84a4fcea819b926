"""Charts drawn on the server as SVG, so the page and the PDF show the same picture.

No script and no style attribute (the page's CSP forbids both): presentation attributes only.
Every label is escaped; the SVG carries its title for screen readers.
"""

from __future__ import annotations

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
            f"{escape(_number(value))}</text>"
        )
    if not rows:
        parts.append(f'<text x="{label_width}" y="{top + bar - 5}" font-size="13" fill="#57606a">—</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every interpolated text is escaped above)


def _number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def bulletin_charts(series: list[dict]) -> list[SafeString]:  # type: ignore[type-arg]
    """SVG for each of content.chart_series(figures)."""
    return [bar_chart(str(item["title"]), item["rows"]) for item in series]
