"""The readings /health/ and /metrics share: each one query on an index, whatever the tables' size.

- oldest due push: `syncop_due_idx` (state, next_attempt_at) gives the first
  pending row already due; running rows whose lease ran out (a dead worker,
  the sweep will hand them back) are few and found on the same index's state.
- inbox: `webhookevent_inbox` (processing_state, id) gives the oldest pending
  event (ids follow arrival) and counts the backlog without touching the table.
"""

from datetime import datetime

from django.db.models import Q

from conversations_ops.models import OperationState, ProcessingState, SyncOperation, WebhookEvent


def outbox_oldest_due(now: datetime) -> datetime | None:
    """Since when the longest-waiting due, unfinished push has been due (None: none is due)."""
    pending = (
        SyncOperation.objects.filter(state=OperationState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    abandoned = (
        SyncOperation.objects.filter(state=OperationState.RUNNING, locked_until__lt=now)
        .order_by("locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    return min((moment for moment in (pending, abandoned) if moment is not None), default=None)


def inbox_oldest_pending() -> datetime | None:
    """When the oldest webhook event still waiting to be applied arrived (None: the inbox is empty)."""
    return (
        WebhookEvent.objects.filter(processing_state=ProcessingState.PENDING)
        .order_by("id")
        .values_list("received_at", flat=True)
        .first()
    )


def inbox_backlog() -> int:
    """Webhook events waiting to be applied (retries held back for a few seconds included)."""
    return WebhookEvent.objects.filter(processing_state=ProcessingState.PENDING).count()


def inbox_failed() -> int:
    """Webhook events whose application failed for good (staff may reprocess them)."""
    return WebhookEvent.objects.filter(processing_state=ProcessingState.FAILED).count()


def seconds_since(moment: datetime | None, now: datetime) -> float:
    """Age in seconds; 0 for nothing waiting (and for a moment ahead of this clock)."""
    if moment is None:
        return 0.0
    return max(0.0, (now - moment).total_seconds())


def human_duration(seconds: float) -> str:
    """'45 s' below two minutes, whole minutes above: '14 min'."""
    if seconds < 120:
        return f"{int(seconds)} s"
    return f"{int(seconds // 60)} min"


# The outbox's last error of operations still open or failed, by Twilio code and HTTP status.
HAS_ERROR = Q(last_error_code__isnull=False) | Q(last_error_status__isnull=False)
OPEN_OR_FAILED = (OperationState.PENDING, OperationState.RUNNING, OperationState.FAILED)
