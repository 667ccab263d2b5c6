"""The simulator's clock: real time plus an offset moved by the control API.

Stored in the database so the web server, the worker and a shell all see the
same simulated time.
"""

from datetime import timedelta

from django.utils import timezone

from simulator.models import SimClock


def now():
    offset = SimClock.objects.filter(pk=1).values_list("offset_seconds", flat=True).first() or 0.0
    return timezone.now() + timedelta(seconds=offset)


def advance(seconds: float) -> None:
    clock, _ = SimClock.objects.get_or_create(pk=1)
    clock.offset_seconds += seconds
    clock.save(update_fields=["offset_seconds"])
