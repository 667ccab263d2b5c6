"""The inbox worker: applies stored webhook events to the mirror.

The WebhookEvent table is the queue. A view wakes the worker with one
django-q2 task at most every WEBHOOK_WAKE_INTERVAL_SECONDS per process (a
broker write per event would halve ingest); the task drains the inbox in
batches and keeps looking for WEBHOOK_DRAIN_LINGER_SECONDS (longer than the
wake interval) after it runs dry, so no event waits for the next wake-up.
The minute sweep (`webhook_inbox_sweep`) covers a lost task or a dead worker.

One drain runs at a time (`db_writes.sole_drain`: an advisory lock on
PostgreSQL, a file lock on SQLite, both released when the process holding
them dies), so a drain reads the due events without writing a claim on them:
a claim was a second write of every event, and the lock already keeps two
drains apart. A worker that dies mid-apply leaves its events pending and the
next drain applies them again; appliers are idempotent. `locked_until` only
holds an event back after a failed attempt (retried 2, 4, 8, 16 s later).
"""

import logging
import threading
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from conversations_ops.db_writes import requests_writing_recently, sole_drain, write_transaction
from conversations_ops.models import ProcessingState, WebhookEvent
from conversations_ops.webhooks.apply import (
    applies_in_bulk,
    runs_outside_transaction,
    webhook_event_apply,
    webhook_events_apply_bulk,
)

logger = logging.getLogger(__name__)

BATCH = 500
# The drain's time budget: within django-q2's task timeout (60 s), with room.
DRAIN_BUDGET_SECONDS = 30
# Recording comes first: Twilio waits 5 s and never retries. While webhook
# requests are arriving the worker holds the write gate (and the CPU) for at
# most HOLD, then leaves both alone for WEBHOOK_STEP_ASIDE_SECONDS (0.5): a
# burst fills the inbox and the worker catches up in large batches during
# and after it. What costs the requests is how often the worker writes, far
# more than how much: at 10 ms / 40 ms ingest ran at 0.31 of the do-nothing
# rate, at 50 ms / 500 ms with batches of 500 at 0.47 (bench/README.md).
# With no request writing it applies flat out.
HOLD_SECONDS = 0.05
BULK_RUN = BATCH  # new-message events applied together when no request is waiting
# ... and while requests are arriving: ~0.45 ms each (bench/README.md), so a
# run holds SQLite's write gate, and the CPU, for about as long as HOLD does.
BURST_RUN = 50


def _step_aside_seconds() -> float:
    return float(settings.WEBHOOK_STEP_ASIDE_SECONDS)


_wake_lock = threading.Lock()
_last_wake = {"at": 0.0}


def inbox_wake() -> None:
    """Asks a worker to drain the inbox once the current transaction commits (throttled per process)."""
    transaction.on_commit(_wake_now)


def _wake_now() -> None:
    interval = float(settings.WEBHOOK_WAKE_INTERVAL_SECONDS)
    with _wake_lock:
        now = time.monotonic()
        if interval and now - _last_wake["at"] < interval:
            return  # a drain task enqueued moments ago is still lingering
        _last_wake["at"] = now
    task = partial(
        async_task, "conversations_ops.tasks.webhook_inbox_drain", task_name="webhook-inbox-drain", group="webhooks"
    )
    if settings.Q_CLUSTER.get("sync"):
        task()  # runs the drain right here (tests): it must not sit inside a transaction
        return
    # With the ORM broker this is an INSERT: it queues at the write gate like
    # the event did, instead of sleeping in SQLite's busy handler.
    with write_transaction(urgent=True):
        task()


def _due() -> Q:
    return Q(processing_state=ProcessingState.PENDING) & (
        Q(locked_until__isnull=True) | Q(locked_until__lt=timezone.now())
    )


def _due_batch() -> list[tuple[int, str]]:
    """The oldest due events (id, type); the caller holds the sole drain."""
    return list(WebhookEvent.objects.filter(_due()).order_by("id").values_list("id", "event_type")[:BATCH])


def _apply_batch(batch: list[tuple[int, str]], deadline: float) -> int:
    """Applies in short shared transactions, each event in its own savepoint.

    One transaction per event made the worker take SQLite's write lock a
    thousand times a second, and webhook requests queued behind it (ingest
    fell to a twentieth of the do-nothing rate). Now the worker holds the
    write gate for at most HOLD_SECONDS, then steps aside for the requests
    waiting on it. A run of new-message events (the bulk of a busy inbox) is
    applied together, a few queries for up to BULK_RUN events; appliers that
    wait on Twilio run alone, outside. Out of time, it stops: what it did not
    apply is still pending, for the next drain.
    """
    position, queue, done = 0, [], 0  # queue: ids for the one-by-one appliers, in order
    pause = _step_aside_seconds()
    busy = bool(pause) and _requests_arriving(pause)
    while position < len(batch) or queue:
        if time.monotonic() >= deadline:
            return done
        if not queue:
            pk, event_type = batch[position]
            if runs_outside_transaction(event_type):
                webhook_event_apply(event_id=pk)
                position, done = position + 1, done + 1
                continue
            run = _bulk_run(batch, position, applies_in_bulk, BURST_RUN if busy else BULK_RUN)
            if run:
                # Reads outside the gate, holds it only to write (apply.py);
                # what it leaves goes one by one.
                queue = webhook_events_apply_bulk(event_ids=run)
                position += len(run)
                done += len(run) - len(queue)
                busy = _step_aside()
                continue
            while (
                position < len(batch)
                and not runs_outside_transaction(batch[position][1])
                and not _bulk_run(batch, position, applies_in_bulk, BULK_RUN)
            ):
                queue.append(batch[position][0])
                position += 1
        until = time.monotonic() + HOLD_SECONDS
        with write_transaction():
            while queue:
                webhook_event_apply(event_id=queue.pop(0))
                done += 1
                if time.monotonic() > until:
                    break
        busy = _step_aside()
    return done


def _step_aside() -> bool:
    """Pauses while requests are arriving (and says so): those queued on the gate go first."""
    pause = _step_aside_seconds()
    if pause and _requests_arriving(pause):
        time.sleep(pause)
        return True
    return False


def _requests_arriving(seconds: float) -> bool:
    """Whether webhook requests are being recorded right now. Recording comes
    first (Twilio gives a request 5 s and does not retry): the worker then
    leaves them the write gate on SQLite and, on any database, the CPU."""
    if requests_writing_recently(seconds):
        return True
    if connection.vendor == "sqlite":
        return False  # the gate's stamp already answered
    newest = WebhookEvent.objects.order_by("-id").values_list("received_at", flat=True).first()
    return newest is not None and timezone.now() - newest < timedelta(seconds=seconds)


def _bulk_run(batch, position: int, applies_in_bulk, limit: int) -> list[int]:
    """The ids of the consecutive bulk-applicable events from `position` (at
    most `limit`; none when fewer than two: one event takes the usual path).
    Only consecutive ones, so events of other types keep their order."""
    run = []
    while position + len(run) < len(batch) and len(run) < limit and applies_in_bulk(batch[position + len(run)][1]):
        run.append(batch[position + len(run)][0])
    return run if len(run) > 1 else []


def webhook_inbox_drain(*, budget_seconds: float | None = None) -> int:
    """Applies pending events oldest first until the inbox stays empty; answers how many it applied.

    One drain at a time: a second one (another wake-up, another worker)
    leaves at once, the running one lingers and takes its events too. Two
    drains each yielding the write gate on their own schedule held it twice
    as often, and webhook requests waited behind them (p99 from 36 ms to 1 s).
    The drain that stops looks once more after letting go, so an event that
    arrived while a second drain was turned away is not left waiting.
    """
    linger = float(settings.WEBHOOK_DRAIN_LINGER_SECONDS)
    budget = budget_seconds if budget_seconds is not None else DRAIN_BUDGET_SECONDS
    deadline = time.monotonic() + budget
    applied = 0
    while True:
        with sole_drain() as sole:
            if not sole:
                return applied
            applied += _drain(deadline, linger)
        if not WebhookEvent.objects.filter(_due()).exists():
            return applied
        if time.monotonic() >= deadline:
            _wake_now()  # out of time, not out of work: a fresh task goes on (django-q's timeout is 60 s)
            return applied


def _drain(deadline: float, linger: float) -> int:
    applied, idle_since = 0, None
    while time.monotonic() < deadline:
        batch = _due_batch()
        if batch:
            idle_since = None
            applied += _apply_batch(batch, deadline)
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
