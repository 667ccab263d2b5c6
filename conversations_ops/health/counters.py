"""Counts kept in the database (`MetricCounter`), so every process and machine reports the same.

- `outbox_twilio_429`: Twilio's 429 answers to the outbox's calls. The outbox
  only kept the *last* error of each operation (overwritten by the next try, kept
  on success), which cannot count them; the runner now adds one here per 429
  (outbox/attempt.py). 429s are rare by design (the pacing keeps under Twilio's
  limit), so one UPDATE each costs nothing.
- `webhook_received:<source>`: webhook events stored per endpoint. WebhookEvent
  has no index on `source` (every index costs each webhook INSERT, the hot path),
  so counting the whole table by source at every scrape would read all of it.
  Instead the `metrics-tally` schedule (every minute) adds the new events to
  these rows and moves their `counted_up_to_id`; a scrape adds only the events
  after it, a range of the primary key.
"""

import logging
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from conversations_ops.db_writes import write_transaction
from conversations_ops.models import EventSource, MetricCounter, WebhookEvent

logger = logging.getLogger(__name__)

TWILIO_429 = "outbox_twilio_429"
RECEIVED_PREFIX = "webhook_received:"
# The tally stops at the newest event older than this: an INSERT that took its id
# before a newer one but commits after it (PostgreSQL's sequences) is never skipped.
# The webhook INSERT is one autocommit statement; a minute is ample.
TALLY_SETTLE = timedelta(minutes=1)


def counter_increment(name: str, by: int = 1) -> None:
    """Adds `by` to counter `name` (created at 0 the first time). Never raises: a count
    that could not be written is logged, it must not stop the work it counts."""
    # Savepoints: a failure here leaves a caller's transaction usable.
    try:
        try:
            with transaction.atomic():
                if not MetricCounter.objects.filter(name=name).update(value=F("value") + by):
                    MetricCounter.objects.create(name=name, value=by)
        except IntegrityError:  # another process created it between the UPDATE and the INSERT
            with transaction.atomic():
                MetricCounter.objects.filter(name=name).update(value=F("value") + by)
    except DatabaseError:
        logger.warning("Could not count %s", name, exc_info=True)


def counter_value(name: str) -> int:
    return MetricCounter.objects.filter(name=name).values_list("value", flat=True).first() or 0


def _received_rows() -> dict[str, MetricCounter]:
    rows = MetricCounter.objects.filter(name__startswith=RECEIVED_PREFIX)
    return {row.name.removeprefix(RECEIVED_PREFIX): row for row in rows}


def _counted_since(watermarks: dict[str, int], up_to: int | None = None) -> dict[str, int]:
    """Events per source with an id above that source's watermark (and up to `up_to`):
    one query over a range of the primary key."""
    events = WebhookEvent.objects.filter(id__gt=min(watermarks.values()))
    if up_to is not None:
        events = events.filter(id__lte=up_to)
    counts = events.aggregate(
        **{source: Count("id", filter=Q(source=source, id__gt=watermark)) for source, watermark in watermarks.items()}
    )
    return {source: counts[source] or 0 for source in watermarks}


def received_totals() -> dict[str, int]:
    """Webhook events stored so far, per endpoint (source): the tally plus what came after it."""
    rows = _received_rows()
    watermarks = {source: rows[source].counted_up_to_id if source in rows else 0 for source in EventSource.values}
    since = _counted_since(watermarks)
    return {source: (rows[source].value if source in rows else 0) + since[source] for source in EventSource.values}


def received_tally_advance() -> None:
    """The `metrics-tally` schedule, every minute: folds the settled new events into the tally.

    Counting happens outside any transaction; the rows are then moved with
    conditional UPDATEs (on the watermark read), all or none: of two runs at
    once, the second finds the watermark moved and changes nothing.
    """
    for source in EventSource.values:
        MetricCounter.objects.get_or_create(name=f"{RECEIVED_PREFIX}{source}")
    settled = (
        WebhookEvent.objects.filter(received_at__lt=timezone.now() - TALLY_SETTLE)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )  # walks back from the newest id
    rows = _received_rows()
    watermarks = {source: rows[source].counted_up_to_id for source in EventSource.values}
    if settled is None or settled <= min(watermarks.values()):
        return
    counts = _counted_since(watermarks, up_to=settled)
    try:
        with write_transaction():
            for source, watermark in watermarks.items():
                if watermark >= settled:
                    continue
                moved = MetricCounter.objects.filter(pk=rows[source].pk, counted_up_to_id=watermark).update(
                    value=F("value") + counts[source], counted_up_to_id=settled, updated_at=timezone.now()
                )
                if not moved:
                    raise _Raced
    except _Raced:
        logger.info("Webhook tally moved by another run meanwhile; left to it")


class _Raced(Exception):
    pass
