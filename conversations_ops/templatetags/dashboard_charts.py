"""Bar charts for the admin home page, drawn on the server as inline SVG.

No JavaScript and nothing fetched: the page works offline and behind strict CSPs,
and tests can read the bars. This module computes the geometry; the markup is in
templates/admin/dashboard/bar_chart.html.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django import template
from django.utils import dateformat, timezone

from conversations_ops.models import DeliveryReceipt, Message
from conversations_ops.selectors.dashboard import may_view
from conversations_ops.selectors.dashboard_charts import (
    DAY_CHOICES,
    Window,
    chart_days,
    chart_window,
    delivery_failures_by_day,
    message_volume_by_day,
)

register = template.Library()

WIDTH, HEIGHT = 720, 230
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 40, 46  # room for the y ticks, the title and legend, the x labels
MAX_X_LABELS = 10


@dataclass(frozen=True)
class Series:
    key: str  # CSS class suffix: bar-<key>
    label: str
    color: str
    values: list[int]


@dataclass(frozen=True)
class Bar:
    key: str
    day: str  # ISO date
    value: int
    x: float
    y: float
    width: float
    height: float
    color: str
    tooltip: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str  # what a screen reader says: the title and the totals
    y_label: str
    x_label: str
    series: list[Series]
    bars: list[Bar]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    legend: list[tuple[int, Series]]  # (y, series), top right
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    plot_top: int = TOP


def nice_max(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value` (1 for an empty chart)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def bar_chart(*, chart_id: str, title: str, y_label: str, window: Window, series: list[Series]) -> Chart:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_max(max((v for s in series for v in s.values), default=0))
    slot = plot_w / len(window.days)
    bar_w = slot * 0.8 / len(series)
    bars = []
    for i, day in enumerate(window.days):
        when = dateformat.format(day, "D j M Y")
        for j, s in enumerate(series):
            height = round(s.values[i] / top * plot_h, 1)
            bars.append(
                Bar(
                    s.key,
                    day.isoformat(),
                    s.values[i],
                    round(LEFT + i * slot + slot * 0.1 + j * bar_w, 1),
                    round(TOP + plot_h - height, 1),
                    round(bar_w, 1),
                    height,
                    s.color,
                    f"{when}: {s.values[i]} {s.label.lower()}",
                )
            )
    # Every k-th day gets a label, counted back from today so today always has one.
    step = math.ceil(len(window.days) / MAX_X_LABELS)
    x_labels = [
        (round(LEFT + (i + 0.5) * slot, 1), dateformat.format(day, "j M"))
        for i, day in enumerate(window.days)
        if (len(window.days) - 1 - i) % step == 0
    ]
    ticks = [0, top // 2, top] if top % 2 == 0 else [0, top]
    y_ticks = [(round(TOP + plot_h - t / top * plot_h, 1), t) for t in ticks]
    totals = ", ".join(f"{sum(s.values)} {s.label.lower()}" for s in series)
    tz_name = timezone.get_current_timezone_name()
    return Chart(
        id=chart_id,
        title=title,
        summary=f"{title}, last {len(window.days)} days ({tz_name}): {totals} in total.",
        y_label=y_label,
        x_label=f"Day ({tz_name})",
        series=series,
        bars=bars,
        x_labels=x_labels,
        y_ticks=y_ticks,
        legend=[(4 + 14 * j, s) for j, s in enumerate(series)],
    )


@register.simple_tag(takes_context=True)
def dashboard_charts(context) -> dict:
    """The charts the user may see, over the ?days= window (7, 14 or 30; 14 by default)."""
    request = context["request"]
    days = chart_days(request.GET.get("days"))
    window = chart_window(days=days)
    charts = []
    if may_view(request.user, Message):
        volume = message_volume_by_day(window=window)
        charts.append(
            bar_chart(
                chart_id="chart-volume",
                title="Messages per day",
                y_label="Messages",
                window=window,
                series=[
                    Series("inbound", "Inbound", "#79aec8", volume["inbound"]),
                    Series("outbound", "Outbound", "#417690", volume["outbound"]),
                ],
            )
        )
    if may_view(request.user, Message) and may_view(request.user, DeliveryReceipt):
        failures = delivery_failures_by_day(window=window)
        charts.append(
            bar_chart(
                chart_id="chart-failures",
                title="Delivery failures per day",
                y_label="Receipts",
                window=window,
                series=[Series("failed", "Failed or undelivered", "#ba2121", failures)],
            )
        )
    return {"days": days, "choices": DAY_CHOICES, "charts": charts}
