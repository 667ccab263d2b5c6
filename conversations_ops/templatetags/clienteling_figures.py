"""Filters of the response-time figures page."""

from django import template

register = template.Library()


@register.filter
def period(periods: dict, days: int):
    return periods[days]


@register.filter
def wait(value) -> str:
    """A wait as people say it: 45 s, 12 min, 3 h 05 min, 2 d 4 h; "—" without answered waits."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"
