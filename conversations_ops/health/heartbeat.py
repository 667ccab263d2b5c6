"""The worker heartbeat: proof that a django-q2 worker is taking tasks off the broker.

Why a row per host in the database, written on two occasions:

- Not django-q2's own `Stat`: it lives in the cache, and with the default cache
  (local memory) that is per process, so the web process could never read the
  worker's. A database row is read the same by every web process on every
  machine, whichever broker (Redis or the ORM) carries the tasks.
- The `health-heartbeat` schedule (every minute, schedules.py) runs
  `heartbeat_scheduled` as an ordinary task: django-q2's scheduler enqueues it,
  the broker carries it, a worker runs it and writes to the database. A fresh
  beat is proof of the whole path the outbox and the inbox depend on; with
  several worker processes or machines, whichever takes it beats for all
  (the check asks "is some worker taking tasks?", not "is every one alive?").
- Workers also beat when they start any task (django-q2's `pre_execute`
  signal, at most once per BEAT_INTERVAL_SECONDS per process). Alone, the
  schedule can beat late on a healthy cluster: the scheduler looks every 30 s
  (a one-minute schedule fires 60-90 s apart) and its task waits in the queue
  while every worker runs a long task (the pull and the template sync run up to
  45 s, both every 10 minutes), which can pass the 120 s limit. Busy workers
  start tasks all the time, so the signal covers exactly that case, and the
  schedule covers the idle cluster, where no other task would start.

Rows are keyed by host name (bounded by the machines and containers that ran a
worker; the schedule deletes rows silent for a day), so an operator can see in
the database which machines ran tasks lately. Health reads only the newest.
"""

import logging
import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from conversations_ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A worker process writes at most one beat per this many seconds when it starts tasks.
BEAT_INTERVAL_SECONDS = 30
# Rows of hosts silent this long (a container replaced by a deploy) are deleted.
FORGET_AFTER = timedelta(days=1)

_last_signal_beat = {"at": float("-inf")}


def _host() -> str:
    return (socket.gethostname() or "unknown")[:255]


def heartbeat_record() -> None:
    """Stamps this host's row with the current time (one UPDATE; an INSERT the first time)."""
    now, host, pid = timezone.now(), _host(), os.getpid()
    if WorkerHeartbeat.objects.filter(host=host).update(beat_at=now, pid=pid):
        return
    try:
        with transaction.atomic():
            WorkerHeartbeat.objects.create(host=host, beat_at=now, pid=pid)
    except IntegrityError:  # another process of this host created it first
        WorkerHeartbeat.objects.filter(host=host).update(beat_at=now, pid=pid)


def heartbeat_scheduled() -> None:
    """The `health-heartbeat` schedule, every minute: beat, forget hosts silent for a day."""
    heartbeat_record()
    WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - FORGET_AFTER).delete()


def heartbeat_latest():
    """When some worker last beat (an aware datetime), or None when none ever did."""
    return WorkerHeartbeat.objects.aggregate(latest=Max("beat_at"))["latest"]


def on_worker_spawn(sender=None, **kwargs) -> None:
    """django-q2's `post_spawn` receiver (apps.py): a worker process that has just started
    beats at once, so a fresh deployment reports ready as soon as a worker runs rather than
    after the first scheduled beat (up to a minute and a half later)."""
    on_task_start(sender=sender)


def on_task_start(sender=None, **kwargs) -> None:
    """django-q2's `pre_execute` receiver (connected in apps.py): a throttled beat.

    Nothing when tasks run inline (`Q_CLUSTER["sync"]`, the test settings):
    there is no worker then, only the caller. A beat that fails (the database
    is away) is logged and never stops the task.
    """
    if settings.Q_CLUSTER.get("sync"):
        return
    now = time.monotonic()
    if now - _last_signal_beat["at"] < BEAT_INTERVAL_SECONDS:
        return
    _last_signal_beat["at"] = now
    try:
        heartbeat_record()
    except Exception:  # noqa: BLE001 - the task matters more than its heartbeat
        logger.warning("Could not record the worker heartbeat", exc_info=True)
