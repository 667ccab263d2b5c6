"""Per-day series for the admin home page's charts: one GROUP BY per chart.

Days are the console's time zone (TIME_ZONE), truncated in the database, and each
query reads only the chosen window, on an index of its date column (Message:
message_date_created_idx), so its cost follows the window, not the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from conversations_ops.models import FAILED_RECEIPT_STATUSES, DeliveryReceipt, Direction, Message
from conversations_ops.selectors.expected_failures import expected_failure_receipt_q

DAY_CHOICES = (7, 14, 30)
DEFAULT_DAYS = 14


@dataclass(frozen=True)
class Window:
    days: list[date]  # oldest first, today (console time) last
    start: datetime  # midnight that opens the first day
    end: datetime  # midnight after today

    @property
    def tz(self):
        return self.start.tzinfo


def chart_window(*, days: int, now=None) -> Window:
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now or timezone.now(), tz)
    first = today - timedelta(days=days - 1)
    # Built from dates, not by adding 24 h, so a DST change does not shift a midnight.
    start = timezone.make_aware(datetime.combine(first, time.min), tz)
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min), tz)
    return Window([first + timedelta(days=i) for i in range(days)], start, end)


def message_volume_by_day(*, window: Window) -> dict[str, list[int]]:
    """Messages per day by direction, on Twilio's date_created: {"inbound": [...], "outbound": [...]}."""
    rows = (
        Message.objects.filter(date_created__gte=window.start, date_created__lt=window.end)
        .order_by()
        .values_list(TruncDate("date_created", tzinfo=window.tz), "direction")
        .annotate(n=Count("pk"))
    )
    series = {Direction.INBOUND.value: {}, Direction.OUTBOUND.value: {}}
    for day, direction, n in rows:
        series.setdefault(direction, {})[day] = n
    return {direction: [counts.get(day, 0) for day in window.days] for direction, counts in series.items()}


def delivery_failures_by_day(*, window: Window) -> list[int]:
    """Receipts that failed or were undelivered, per day of Twilio's date_updated, less a
    pairing's expected 63016 (selectors/expected_failures.py)."""
    rows = (
        DeliveryReceipt.objects.filter(
            status__in=FAILED_RECEIPT_STATUSES, date_updated__gte=window.start, date_updated__lt=window.end
        )
        .exclude(expected_failure_receipt_q())
        .order_by()
        .values_list(TruncDate("date_updated", tzinfo=window.tz))
        .annotate(n=Count("pk"))
    )
    counts = dict(rows)
    return [counts.get(day, 0) for day in window.days]


def chart_days(value) -> int:
    """The ?days= of the page, when it is one of the offered windows."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_DAYS
    return days if days in DAY_CHOICES else DEFAULT_DAYS
