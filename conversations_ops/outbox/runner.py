"""The push: running outbox operations (SyncOperation) against Twilio.

- `sync_operation_run` runs one operation (the django-q2 task calls it) and
  then, while its time budget lasts, the operations queued after it on the
  same conversation, which it wakes as it finishes. So a conversation's
  operations flow one after another without waiting for the broker.
- `sync_sweep` (every minute) hands operations of dead workers (expired
  lease) back to the outbox and enqueues whatever is due: the outbox table,
  not the broker, is the truth.
- `sync_push_due` runs due operations in this process (`twilio_push`).
- `sync_operations_retry` puts failed operations back in the queue.
"""

import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from conversations_ops.audit.entries import audit_record
from conversations_ops.audit.outbox import audit_operations_requested
from conversations_ops.models import OperationState, SyncOperation, SyncState
from conversations_ops.outbox import attempt as sync_attempt
from conversations_ops.outbox import claims as sync_claims
from conversations_ops.outbox import retry_policy
from conversations_ops.outbox import states as sync_states
from conversations_ops.outbox.queue import sync_operation_enqueue


def sync_operation_run(*, operation_id: int, follow: bool = True, ignore_schedule: bool = False) -> SyncOperation:
    """Runs the operation if it is pending and due, and no earlier one of its
    conversation is unfinished; then (`follow`) the ones it wakes.

    Skipped when another worker has it. `ignore_schedule` runs it before its
    next_attempt_at (staff's "Push now"). Answers the operation as it ended.
    """
    _run_chain(operation_id, follow=follow, ignore_schedule=ignore_schedule)
    return SyncOperation.objects.get(pk=operation_id)


def _run_chain(operation_id: int, *, follow: bool = True, ignore_schedule: bool = False) -> list[int]:
    """Runs the operation, then its conversation's next ones; answers the ids it ran."""
    deadline = time.monotonic() + retry_policy.task_budget_seconds()
    ran, next_id = [], operation_id
    while next_id is not None:
        ran.append(next_id)
        # A successor was just woken by the one before it: take it whatever its schedule said.
        successor = _run_one(next_id, deadline=deadline, ignore_schedule=ignore_schedule or next_id != operation_id)
        if successor is None or not follow:
            break
        if sync_attempt.seconds_left(deadline) < retry_policy.http_timeout_seconds():
            sync_operation_enqueue(operation_id=successor)  # out of time: a fresh task goes on
            break
        next_id = successor
    return ran


def _run_one(operation_id: int, *, deadline: float, ignore_schedule: bool = False) -> int | None:
    claim = sync_claims.claim(operation_id, ignore_schedule=ignore_schedule)
    if claim.op is None:
        return claim.successor_id
    return sync_attempt.execute(claim.op, deadline=deadline)


def sync_sweep() -> dict:
    """Every minute: dead workers' operations back to pending, due ones enqueued."""
    now = timezone.now()
    reclaimed = _reclaim_expired(now)
    due = _due_heads(now)
    for operation_id in due:
        sync_operation_enqueue(operation_id=operation_id)
    return {"reclaimed": reclaimed, "enqueued": len(due)}


def _reclaim_expired(now) -> int:
    """A running operation past its lease lost its worker (killed, OOM, a
    broker that dropped the task); its call may have reached Twilio."""
    return SyncOperation.objects.filter(state=OperationState.RUNNING, locked_until__lt=now).update(
        state=OperationState.PENDING, outcome_unknown=True, locked_until=None, next_attempt_at=now, updated_at=now
    )


def _due_heads(now, limit: int | None = None) -> list[int]:
    """Due pending operations, only the oldest per conversation: the ones after it
    would just wait, and it wakes them as it finishes."""
    seen, heads = set(), []
    due = SyncOperation.objects.filter(state=OperationState.PENDING, next_attempt_at__lte=now).order_by("id")
    for operation_id, key in due.values_list("id", "ordering_key").iterator():
        if key and key in seen:
            continue
        seen.add(key)
        heads.append(operation_id)
        if limit is not None and len(heads) >= limit:
            break
    return heads


@dataclass
class PushSummary:
    succeeded: int = 0  # of the operations run now
    failed: int = 0  # of the operations run now
    pending: int = 0  # left in the outbox afterwards (not due yet, or waiting)
    failures: list[SyncOperation] = field(default_factory=list)


def sync_push_due(*, limit: int | None = None) -> PushSummary:
    """Runs every due operation now, in this process, in queue order.

    `limit` caps how many conversations' queues are started. A queue longer
    than one task's time budget is picked up again on the next pass.
    """
    _reclaim_expired(timezone.now())
    ran, started = [], set()
    while True:
        heads = [pk for pk in _due_heads(timezone.now(), limit) if pk not in started]
        for operation_id in heads:
            started.add(operation_id)
            ran.extend(_run_chain(operation_id))
        if not heads or limit is not None:
            break
    summary = PushSummary()
    for op in SyncOperation.objects.filter(pk__in=ran).order_by("id"):
        if op.state == OperationState.SUCCEEDED:
            summary.succeeded += 1
        elif op.state == OperationState.FAILED:
            summary.failed += 1
            summary.failures.append(op)
    summary.pending = SyncOperation.objects.filter(state=OperationState.PENDING).count()
    audit_record(
        action="sync.push_due",
        detail={"succeeded": summary.succeeded, "failed": summary.failed, "pending": summary.pending},
    )  # twilio_push from a shell
    return summary


def sync_operations_retry(*, operations, user=None) -> int:
    """Failed operations go back to pending with a fresh try count.

    Those that failed only because an earlier one of their conversation had
    failed come along, in order, or they would stay blocked behind it.
    """
    with transaction.atomic():
        chosen = {op.pk: op for op in operations if op.state == OperationState.FAILED}
        keys = {op.ordering_key for op in chosen.values() if op.ordering_key}
        blocked = SyncOperation.objects.filter(
            ordering_key__in=keys,
            state=OperationState.FAILED,
            last_error_message__startswith=sync_states.BLOCKED_PREFIX,
        )
        chosen.update({op.pk: op for op in blocked})
        ids = sorted(chosen)
        now = timezone.now()
        SyncOperation.objects.filter(pk__in=ids, state=OperationState.FAILED).update(
            state=OperationState.PENDING,
            attempts=0,
            next_attempt_at=now,
            locked_until=None,
            completed_at=None,
            updated_at=now,
        )
        for op in chosen.values():
            op.content_type.model_class().objects.filter(pk=op.object_id).update(
                sync_state=SyncState.PENDING, updated_at=now
            )
        audit_operations_requested(action="sync.retry", operations=SyncOperation.objects.filter(pk__in=ids), user=user)
        for operation_id in ids:
            transaction.on_commit(lambda pk=operation_id: sync_operation_enqueue(operation_id=pk))
    return len(ids)
