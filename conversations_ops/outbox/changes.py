"""What every push service does to a mirror row: validate, save as pending, queue.

Services call these inside their own `@transaction.atomic`, so the row and
its SyncOperation commit together (outbox.sync_operation_queue enqueues the
task on commit).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from conversations_ops.audit.outbox import audit_operations_cancelled
from conversations_ops.models import OperationState, SyncOperation, SyncState
from conversations_ops.outbox.operations import ordering_key_for
from conversations_ops.outbox.queue import sync_operation_queue

LIVE_STATES = (OperationState.PENDING, OperationState.RUNNING)


def operations_of(row):
    """The outbox rows aimed at `row` itself."""
    return SyncOperation.objects.filter(content_type=ContentType.objects.get_for_model(row), object_id=row.pk)


def save_and_queue(*, row, operation: str, user=None, payload: dict | None = None) -> SyncOperation:
    # full_clean first: bad input becomes a field error and nothing is written.
    row.full_clean()
    row.sync_state = SyncState.PENDING
    row.save()
    return sync_operation_queue(target=row, operation=operation, payload=payload, user=user)


def save_and_queue_changes(*, row, changed: list[str], create: str, update: str, user=None) -> SyncOperation:
    """A changed row: its update, naming the changed fields, once Twilio has it;
    otherwise its create (see push_operation)."""
    operation = push_operation(row, create=create, update=update)
    payload = {"fields": changed} if operation == update else None
    return save_and_queue(row=row, operation=operation, user=user, payload=payload)


def apply_changes(row, data: dict, allowed) -> list[str]:
    """Sets the fields that really change; returns their names."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"{type(row).__name__} cannot change {', '.join(sorted(unknown))} here")
    changed = [name for name, value in data.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, data[name])
    return changed


def refuse_create_only(row, changed, create_only, *, reason: str) -> None:
    """Twilio fixes some fields at creation; once the row exists there they stay."""
    frozen = [name for name in changed if name in create_only]
    if row.sid and frozen:
        raise ValidationError({name: reason for name in frozen})


def push_operation(row, *, create: str, update: str) -> str:
    """Update once Twilio has the row; otherwise make sure a create is on its way.

    A create still queued or running gets the update queued behind it (same
    ordering key; executors read the current row). A create that failed is
    replaced by a new one and cancelled, so "Retry failed" cannot run it twice.
    """
    if row.sid:
        return update
    creates = operations_of(row).filter(operation=create)
    if creates.filter(state__in=LIVE_STATES).exists():
        return update
    cancel(creates.filter(state=OperationState.FAILED))
    return create


def cancel(operations) -> int:
    audit_operations_cancelled(operations=operations)  # first: `operations` may filter on the state
    return operations.update(state=OperationState.CANCELLED, completed_at=timezone.now(), locked_until=None)


def delete_or_queue(*, row, operation: str, payload: dict, user=None, whole_conversation=False):
    """Queues Twilio's delete; the runner removes the row once Twilio confirms.

    A row Twilio never had is deleted here and its queued operations (and,
    for a conversation, those of its children) are cancelled instead.
    Returns the SyncOperation, or None when nothing had to reach Twilio.
    """
    if row.sid:
        queued = operations_of(row).filter(operation=operation, state__in=LIVE_STATES).first()
        if queued is not None:
            return queued  # a second click must not queue a second delete
        row.sync_state = SyncState.PENDING
        row.save(update_fields=["sync_state", "updated_at"])
        return sync_operation_queue(target=row, operation=operation, payload=payload, user=user)
    if whole_conversation:  # its participants, messages and webhooks share its ordering key
        related = SyncOperation.objects.filter(ordering_key=ordering_key_for(row))
    else:
        related = operations_of(row)
    if related.filter(state=OperationState.RUNNING).exists():
        # The create may be reaching Twilio right now; deleting here would orphan it there.
        raise ValidationError(f"“{row}” is being created on Twilio right now; try again in a moment.")
    cancel(related.filter(state=OperationState.PENDING))
    row.delete()
    return None
