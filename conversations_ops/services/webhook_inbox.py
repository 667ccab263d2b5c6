"""The inbox worker: applies stored webhook events to the mirror.

The WebhookEvent table is the queue. A view wakes the worker with one
django-q2 task at most every WEBHOOK_WAKE_INTERVAL_SECONDS per process (a
broker write per event would halve ingest); the task drains the inbox in
batches and keeps looking for WEBHOOK_DRAIN_LINGER_SECONDS (longer than the
wake interval) after it runs dry, so no event waits for the next wake-up.
The minute sweep (`webhook_inbox_sweep`) covers a lost task or a dead worker.

Claims are leases (`locked_until`): a worker that dies mid-apply leaves an
expired claim and the event is applied again; appliers are idempotent.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from conversations_ops.models import ProcessingState, WebhookEvent

logger = logging.getLogger(__name__)

BATCH = 100
LEASE_SECONDS = 60

_wake_lock = threading.Lock()
_last_wake = {"at": 0.0}


def inbox_wake() -> None:
    """Asks a worker to drain the inbox once the current transaction commits (throttled per process)."""
    transaction.on_commit(_wake_now)


def _wake_now() -> None:
    interval = float(getattr(settings, "WEBHOOK_WAKE_INTERVAL_SECONDS", 0.5))
    with _wake_lock:
        now = time.monotonic()
        if interval and now - _last_wake["at"] < interval:
            return  # a drain task enqueued moments ago is still lingering
        _last_wake["at"] = now
    async_task("conversations_ops.tasks.webhook_inbox_drain", task_name="webhook-inbox-drain", group="webhooks")


def _due() -> Q:
    return Q(processing_state=ProcessingState.PENDING) & (
        Q(locked_until__isnull=True) | Q(locked_until__lt=timezone.now())
    )


def _claim_batch() -> list[int]:
    ids = list(WebhookEvent.objects.filter(_due()).order_by("id").values_list("id", flat=True)[:BATCH])
    if not ids:
        return []
    lease = timezone.now() + timedelta(seconds=LEASE_SECONDS)
    with transaction.atomic():
        WebhookEvent.objects.filter(_due(), id__in=ids).update(locked_until=lease)
        # Only what this worker's UPDATE took: another worker may have won some.
        return list(WebhookEvent.objects.filter(id__in=ids, locked_until=lease).order_by("id")
                    .values_list("id", flat=True))


def webhook_inbox_drain(*, budget_seconds: float | None = None) -> int:
    """Applies pending events oldest first until the inbox stays empty; answers how many it applied."""
    from conversations_ops.webhooks.apply import webhook_event_apply

    linger = float(getattr(settings, "WEBHOOK_DRAIN_LINGER_SECONDS", 1.5))
    budget = budget_seconds if budget_seconds is not None else LEASE_SECONDS / 2
    deadline = time.monotonic() + budget
    applied, idle_since = 0, None
    while time.monotonic() < deadline:
        ids = _claim_batch()
        if ids:
            idle_since = None
            for pk in ids:
                webhook_event_apply(event_id=pk)
                applied += 1
            continue
        idle_since = idle_since or time.monotonic()
        if time.monotonic() - idle_since >= linger:
            break
        time.sleep(0.05)
    return applied


def webhook_inbox_sweep() -> None:
    """Every minute: a worker drains whatever a lost wake-up or a dead worker left."""
    if WebhookEvent.objects.filter(_due()).exists():
        _wake_now()
