"""Claiming an outbox operation for one run, in the order of its conversation.

Operations sharing an ordering key (one conversation and what lives in it,
or one address) run one after another, oldest first: a participant is
never pushed before its conversation exists, messages keep their order.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists
from django.utils import timezone

from conversations_ops.models import OperationState, SyncOperation
from conversations_ops.outbox import retry_policy
from conversations_ops.outbox.states import BLOCKED_PREFIX, close, wake_successor

UNFINISHED = (OperationState.PENDING, OperationState.RUNNING, OperationState.FAILED)


@dataclass(frozen=True)
class Claim:
    op: SyncOperation | None  # set when this run owns the operation
    successor_id: int | None = None  # next of its conversation to run now


def claim(operation_id: int, *, ignore_schedule: bool = False) -> Claim:
    """Takes a pending, due operation for this run, unless one queued before it
    on the same conversation is unfinished.

    Everything but the claim itself is a read, so the many tasks that find
    their operation taken or waiting cost SQLite no write lock. A waiting
    operation is left as it is, no try counted: the one ahead of it wakes it
    when it finishes (`finish` -> successor), and the sweep enqueues only
    the head of each conversation, so nothing spins on it.
    `ignore_schedule` (staff's "Push now", or the run that just woke it)
    takes it before its next_attempt_at.
    """
    now = timezone.now()
    op = SyncOperation.objects.filter(pk=operation_id).first()
    if op is None or op.state != OperationState.PENDING or (op.next_attempt_at > now and not ignore_schedule):
        return Claim(op=None)
    blocker = _older_unfinished(op).order_by("id").first() if op.ordering_key else None
    if blocker is not None and blocker.state == OperationState.FAILED:
        return Claim(op=None, successor_id=_fail_blocked(op, blocker))
    if blocker is not None:
        return Claim(op=None)
    due = {} if ignore_schedule else {"next_attempt_at__lte": now}
    lease = now + timedelta(seconds=retry_policy.lease_seconds())
    # One statement: of two workers racing for it, exactly one updates the row.
    won = (
        SyncOperation.objects.filter(pk=op.pk, state=OperationState.PENDING, **due)
        .exclude(Exists(_older_unfinished(op)))
        .update(state=OperationState.RUNNING, locked_until=lease, updated_at=now)
    )
    return Claim(op=SyncOperation.objects.get(pk=op.pk) if won else None)


def _older_unfinished(op: SyncOperation):
    """Operations queued before this one on the same conversation and not done."""
    older = SyncOperation.objects.filter(ordering_key=op.ordering_key, id__lt=op.pk, state__in=UNFINISHED)
    # One that failed only because an earlier one had failed blocks nothing
    # by itself: once the root cause is retried or cancelled, the way is free.
    return older.exclude(state=OperationState.FAILED, last_error_message__startswith=BLOCKED_PREFIX)


def _fail_blocked(op: SyncOperation, blocker: SyncOperation) -> int | None:
    """Running it would break the conversation's order; staff retry the
    blocker, and this one comes along (sync_operations_retry)."""
    with transaction.atomic():
        op = SyncOperation.objects.select_for_update().filter(pk=op.pk, state=OperationState.PENDING).first()
        if op is None:
            return None
        message = f"{BLOCKED_PREFIX}{blocker.pk} ({blocker.operation}) failed before it: retry #{blocker.pk} first."
        close(op, OperationState.FAILED, message=message)
        return wake_successor(op)
