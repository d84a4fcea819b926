"""The bulletin's charts: one bar chart per figure series, drawn by core.charts."""

from __future__ import annotations

from django.utils.safestring import SafeString

from core.charts import bar_chart


def bulletin_charts(series: list[dict]) -> list[SafeString]:  # type: ignore[type-arg]
    """SVG for each of content.chart_series(figures)."""
    return [bar_chart(str(item["title"]), item["rows"]) for item in series]
