"""Queueing a push: the mirror change and its SyncOperation in one transaction.

Callers are services running inside `transaction.atomic()`. The task is
enqueued on commit, so a rolled-back change never reaches Twilio; if the
process dies between commit and enqueue, the sweep finds the pending row.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django_q.tasks import async_task

from conversations_ops.audit.outbox import audit_operation_queued
from conversations_ops.models import SyncOperation
from conversations_ops.outbox.operations import OPERATIONS, ordering_key_for

__all__ = ["OPERATIONS", "ordering_key_for", "sync_operation_enqueue", "sync_operation_queue"]


def sync_operation_queue(*, target, operation: str, payload: dict | None = None, user=None) -> SyncOperation:
    if operation not in OPERATIONS:
        raise ValueError(f"Unknown sync operation {operation!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sync_operation_queue must run inside the transaction that changes the mirror")
    op = SyncOperation.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        operation=operation,
        payload=payload or {},
        ordering_key=ordering_key_for(target),
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit_operation_queued(operation=op, target=target)  # staff's pushes only: requested_by set
    transaction.on_commit(lambda: sync_operation_enqueue(operation_id=op.pk))
    return op


def sync_operation_enqueue(*, operation_id: int) -> None:
    # The task gets the primary key only: no phone numbers in django-q2's tables.
    async_task(
        "conversations_ops.tasks.sync_operation_run",
        operation_id,
        task_name=f"sync-operation-{operation_id}",
        group="sync",
    )
