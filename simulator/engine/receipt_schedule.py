"""Receipt status changes that come later, as on Twilio: the schedule and who applies it.

A receipt is `sent` when the message is created; `delivered` (or `failed`/`undelivered`)
and, on WhatsApp, `read` come later (https://www.twilio.com/docs/conversations/delivery-receipts-overview:
sent, delivered, read "for OTT", failed, undelivered). Each change still to come is a
SimReceiptStep row due at a time on the simulator clock (delivery_settings says how long).

Several processes may serve one simulator database (runserver's child, gunicorn, a shell), so
a step is applied by whoever deletes its row, inside the transaction that applies it, with the
receipt row locked: once, in order, whichever process gets there. Due steps are applied:

- inline, when a delay is 0 (the test settings: receipts final before the create answers);
- when the control API moves the clock (tests advance time instead of waiting);
- when a REST call looks a conversation up (lookups.conversation): what Twilio answers is
  current on the simulator clock, even if no ticker ran yet;
- by a ticker thread in each process that scheduled a step (or found one due), polling every
  SIMULATOR_RECEIPT_TICK_SECONDS while steps remain and stopping when none do: `make run` and
  the standalone simulator progress in real time with nobody moving the clock.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction

from simulator import clock
from simulator.models import SimReceipt, SimReceiptStep

logger = logging.getLogger(__name__)

_ticker: threading.Thread | None = None
_ticker_lock = threading.Lock()
_stop = threading.Event()


def schedule(receipt, steps, *, now) -> None:
    """`steps`: [(status, error_code, seconds after `now`)], in order. Steps due now are applied
    at once (in this transaction); the others are stored and the ticker is started on commit."""
    later = []
    for status, error_code, after in steps:
        if after <= 0 and not later:
            _apply(receipt, status, error_code, now)
        else:
            due_at = now + timedelta(seconds=after)
            later.append(SimReceiptStep(receipt=receipt, status=status, error_code=error_code, due_at=due_at))
    if later:
        SimReceiptStep.objects.bulk_create(later)
        transaction.on_commit(ensure_ticker)


def apply_due(*, conversation=None) -> int:
    """Applies every step due on the simulator clock (of one conversation, or all); answers how many."""
    now = clock.now()
    due = SimReceiptStep.objects.filter(due_at__lte=now)
    if conversation is not None:
        due = due.filter(receipt__message__conversation=conversation)
    receipt_ids = list(due.order_by("due_at", "id").values_list("receipt_id", flat=True).distinct())
    applied = 0
    for receipt_id in dict.fromkeys(receipt_ids):  # first due first, each receipt once
        applied += _apply_due_of(receipt_id, now)
    return applied


def pending() -> int:
    return SimReceiptStep.objects.count()


def _apply_due_of(receipt_id: int, now) -> int:
    with transaction.atomic():
        receipt = SimReceipt.objects.select_for_update().filter(pk=receipt_id).first()
        if receipt is None:  # deleted with its message or conversation meanwhile
            return 0
        applied = 0
        for step in receipt.steps.filter(due_at__lte=now).order_by("due_at", "id"):
            # The claim: only the process whose DELETE removed the row applies it.
            if SimReceiptStep.objects.filter(pk=step.pk).delete()[0]:
                _apply(receipt, step.status, step.error_code, step.due_at)
                applied += 1
        return applied


def _apply(receipt, status, error_code, when) -> None:
    from simulator.engine import delivery  # delivery schedules through this module

    delivery.advance(receipt, status, error_code, when)


def ensure_ticker() -> None:
    """Starts this process's ticker unless it runs."""
    global _ticker
    with _ticker_lock:
        if _ticker is not None and _ticker.is_alive():
            return
        _stop.clear()
        _ticker = threading.Thread(target=_tick, name="simulator-receipts", daemon=True)
        _ticker.start()


def ensure_ticker_if_pending() -> None:
    """For request paths: a process that restarted picks up steps another one left."""
    if (_ticker is None or not _ticker.is_alive()) and SimReceiptStep.objects.exists():
        ensure_ticker()


def stop_ticker(timeout: float = 5) -> None:
    """Stops this process's ticker (tests, before their database goes)."""
    _stop.set()
    if _ticker is not None:
        _ticker.join(timeout)


def _retire() -> bool:
    """Ends this ticker when no step is left, checked again under the lock ensure_ticker takes:
    a step committed meanwhile either sees no ticker and starts one, or is seen here."""
    global _ticker
    with _ticker_lock:
        if SimReceiptStep.objects.exists():
            return False
        if _ticker is threading.current_thread():
            _ticker = None
        return True


def _tick() -> None:
    interval = settings.SIMULATOR_RECEIPT_TICK_SECONDS
    failures = 0
    while not _stop.wait(interval):
        try:
            apply_due()
            failures = 0
            if not SimReceiptStep.objects.exists() and _retire():
                return  # started again by the next schedule
        except Exception:  # e.g. SQLite busy: the next tick tries again
            failures += 1
            logger.exception("Simulator receipt progression failed")
            if failures >= 3:
                return  # its database is gone (a test ended): the next schedule starts it again
        finally:
            connections.close_all()  # this thread's own connections, never left open between ticks
