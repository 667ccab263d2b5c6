"""Recording webhook deliveries: the inbox's write side, called by the gate views.

Only INSERTs here, no Twilio call and no mirror change: the request must
answer within Twilio's 5 seconds whatever the database or Twilio are doing.
"""

import atexit
import logging
import threading
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import F
from django.utils import timezone

from conversations_ops.db_writes import write_gate, write_transaction
from conversations_ops.models import ProcessingState, WebhookRejection
from conversations_ops.webhooks import inbox as webhook_inbox
from conversations_ops.webhooks.insert import webhook_event_insert
from conversations_ops.webhooks.parsing import ParsedEvent

logger = logging.getLogger(__name__)

# Request headers worth keeping with an event (never Authorization or cookies).
KEPT_HEADERS = (
    "X-Twilio-Signature",
    "X-Twilio-Webhooks-Signature-Settings",
    "I-Twilio-Idempotency-Token",
    "User-Agent",
    "Content-Type",
    "X-Forwarded-For",
    "X-Home-Region",
)


def kept_headers(request) -> dict:
    return {name: request.headers[name] for name in KEPT_HEADERS if name in request.headers}


def webhook_event_record(*, parsed: ParsedEvent, headers: dict, signed_url: str, algorithm: str) -> bool:
    """Stores a signed event once; answers False when it was a repeated delivery.

    A new event that has something to apply wakes the inbox worker.
    """
    state = ProcessingState.IGNORED if parsed.pre_event else ProcessingState.PENDING
    now = timezone.now()
    row = {
        "source": parsed.source,
        "event_type": parsed.event_type,
        "dedup_key": parsed.dedup_key,
        "params": parsed.params,
        "headers": headers,
        "signature_valid": True,
        "signature_algorithm": algorithm,
        "signed_url": signed_url[:1024],
        "received_at": now,
        "conversation_sid": parsed.conversation_sid,
        "message_sid": parsed.message_sid,
        "participant_sid": parsed.participant_sid,
        "processing_state": state,
        "processed_at": now if parsed.pre_event else None,
        "processing_error": "",
        "attempts": 0,
        "outcome": "Pre-event: answered 200 so Twilio publishes it unchanged." if parsed.pre_event else "",
        "locked_until": None,
    }
    with write_gate(urgent=True):
        stored = webhook_event_insert(row)
    if stored and state == ProcessingState.PENDING:
        webhook_inbox.inbox_wake()
    return stored


class _RefusalTally:
    """Refused requests counted in this process's memory, written to WebhookRejection now and then.

    A refusal used to cost an UPDATE (or an INSERT) in the request: a flood of forged or
    broken requests then wrote as often as it arrived and, on SQLite, queued for the
    write lock beside the real events. Now a refusal is a dict increment under a lock;
    the counts go to the database in one short transaction at most every
    WEBHOOK_REFUSALS_FLUSH_SECONDS (a timer the first refusal after a flush starts), and
    when the process exits. The rows stay the one place every process's counts meet
    (/metrics and the webhook events page read them), at most one interval late; a
    process killed outright loses at most its last interval's counts.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._last_at: dict[str, datetime] = {}
        self._timer: threading.Timer | None = None

    def add(self, reason: str) -> None:
        with self._lock:
            self._counts[reason] = self._counts.get(reason, 0) + 1
            self._last_at[reason] = timezone.now()
            if self._timer is None:
                self._timer_start()

    def pending(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def discard(self) -> None:
        with self._lock:
            self._counts, self._last_at = {}, {}
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _timer_start(self) -> None:
        interval = settings.WEBHOOK_REFUSALS_FLUSH_SECONDS
        if interval is None:  # the test suite flushes itself, when it wants to look
            return
        self._timer = threading.Timer(interval, self._flush_from_timer)
        self._timer.daemon = True
        self._timer.start()

    def _flush_from_timer(self) -> None:
        try:
            self.flush()
        finally:
            connections.close_all()  # this thread's connections, not the requests'

    def flush(self) -> int:
        """Writes the counts gathered so far; answers how many refusals it wrote. Counts
        that could not be written are kept for the next flush."""
        with self._lock:
            counts, last_at = self._counts, self._last_at
            self._counts, self._last_at, self._timer = {}, {}, None
        if not counts:
            return 0
        try:
            with write_transaction():
                for reason, count in sorted(counts.items()):
                    rows = WebhookRejection.objects.filter(reason=reason)
                    if not rows.update(count=F("count") + count, last_at=last_at[reason]):
                        WebhookRejection.objects.create(reason=reason, count=count, last_at=last_at[reason])
        except DatabaseError:
            logger.warning("Could not write the refused-webhook counts; kept for the next try", exc_info=True)
            with self._lock:
                for reason, count in counts.items():
                    self._counts[reason] = self._counts.get(reason, 0) + count
                    self._last_at.setdefault(reason, last_at[reason])
                if self._timer is None:
                    self._timer_start()
            return 0
        return sum(counts.values())


_refusals = _RefusalTally()


@atexit.register
def _flush_at_exit() -> None:
    """A process that stops (a deploy, gunicorn's max_requests) writes what it holds; not
    under the test suite (no timer there), whose test database is gone by then."""
    if settings.WEBHOOK_REFUSALS_FLUSH_SECONDS is not None:
        _refusals.flush()


def webhook_rejection_count(*, reason: str) -> None:
    """Counts a refused request (nothing of it is stored): in memory, no database write."""
    _refusals.add(reason)


def webhook_refusals_flush() -> int:
    """Writes this process's refusal counts to WebhookRejection now (the timer does it on its own)."""
    return _refusals.flush()


def webhook_refusals_pending() -> dict[str, int]:
    """Refusals this process counted and has not written yet, per reason."""
    return _refusals.pending()


def webhook_refusals_discard() -> None:
    """Forgets this process's unwritten counts (tests start from none)."""
    _refusals.discard()
