"""State changes of a claimed outbox operation, each in one short transaction.

pending --claim (outbox.claims)--> running --finish--> succeeded | failed | cancelled
                                 running --reschedule--> pending (later)

The runner never holds a transaction while it talks to Twilio. A claim
stamps `locked_until` (the lease); every later write of that run matches on
it, so a worker whose lease ran out (and whose operation the sweep handed to
someone else) cannot overwrite the newer run's result.

Row locks are taken in ascending operation id (self, then its successor),
so two of these transactions never deadlock on PostgreSQL.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from conversations_ops.audit.outbox import audit_operation_settled
from conversations_ops.models import OperationState, SyncOperation, SyncState
from conversations_ops.outbox.listeners import operation_settled

BLOCKED_PREFIX = "Blocked: operation #"


def _fenced(op: SyncOperation):
    return SyncOperation.objects.filter(pk=op.pk, state=OperationState.RUNNING, locked_until=op.locked_until)


def save_progress(op: SyncOperation) -> bool:
    """Records a failed try before sleeping on it; False if the lease was lost."""
    return bool(_fenced(op).update(**_progress(op), updated_at=timezone.now()))


def reschedule(op: SyncOperation, *, delay: float) -> bool:
    """Back to the outbox, due in `delay` seconds (the sweep or a task picks it up)."""
    now = timezone.now()
    return bool(
        _fenced(op).update(
            state=OperationState.PENDING,
            next_attempt_at=now + timedelta(seconds=delay),
            locked_until=None,
            updated_at=now,
            **_progress(op),
        )
    )


def _progress(op: SyncOperation) -> dict:
    return {
        "attempts": op.attempts,
        "outcome_unknown": op.outcome_unknown,
        "last_error_status": op.last_error_status,
        "last_error_code": op.last_error_code,
        "last_error_message": op.last_error_message,
    }


def finish(op: SyncOperation, *, state: str, outcome=None) -> int | None:
    """Closes a running operation (and its mirror row); answers the successor to run next."""
    with transaction.atomic():
        if not _fenced(op).select_for_update().values_list("pk", flat=True):
            return None  # the lease ran out: a newer run owns the result
        if outcome is not None:
            _apply(op, outcome)
        close(op, state, message=op.last_error_message)
        return wake_successor(op)


def close(op: SyncOperation, state: str, *, message: str) -> None:
    now = timezone.now()
    op.state, op.completed_at, op.locked_until, op.last_error_message = state, now, None, message
    op.save(
        update_fields=[
            "state",
            "completed_at",
            "locked_until",
            "last_error_message",
            "result_sid",
            "attempts",
            "outcome_unknown",
            "last_error_status",
            "last_error_code",
            "updated_at",
        ]
    )
    if state == OperationState.FAILED:
        model = op.content_type.model_class()
        model.objects.filter(pk=op.object_id).update(
            sync_state=SyncState.FAILED,
            last_sync_error=message,
            last_sync_error_code=op.last_error_code,
            updated_at=now,
        )
    audit_operation_settled(operation=op)  # Twilio's answer onto the audit entries waiting on it
    # Workflows waiting on this push move on, in the same transaction (a pairing's next step).
    operation_settled(operation=op)


def _apply(op: SyncOperation, outcome) -> None:
    """Copies Twilio's record onto the row, read fresh under lock.

    When staff changed the row again meanwhile (a newer operation for it is
    queued), only the SID is recorded: their newer values must not be
    overwritten by what this older push sent.
    """
    op.result_sid = outcome.sid or op.result_sid
    row = op.content_type.model_class().objects.select_for_update().filter(pk=op.object_id).first()
    if row is None:
        return
    if outcome.delete_row:
        row.delete()
    elif outcome.remote is not None and _newer_for_same_row(op):
        row.sid = row.sid or outcome.sid
        row.save(update_fields=["sid", "updated_at"])
    elif outcome.remote is not None:
        outcome.apply(row, outcome.remote)
        row.save()


def _newer_for_same_row(op: SyncOperation) -> bool:
    return SyncOperation.objects.filter(
        content_type_id=op.content_type_id,
        object_id=op.object_id,
        id__gt=op.pk,
        state__in=(OperationState.PENDING, OperationState.RUNNING),
    ).exists()


def wake_successor(op: SyncOperation) -> int | None:
    """The next pending operation of the same conversation, made due now."""
    if not op.ordering_key:
        return None
    later = SyncOperation.objects.select_for_update().filter(
        ordering_key=op.ordering_key, id__gt=op.pk, state=OperationState.PENDING
    )
    successor = later.order_by("id").first()
    if successor is None:
        return None
    if successor.next_attempt_at > timezone.now():
        successor.next_attempt_at = timezone.now()
        successor.save(update_fields=["next_attempt_at", "updated_at"])
    return successor.pk
