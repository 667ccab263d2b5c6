"""The audit trail of pushes: staff's outbox operations, recorded when queued, completed when settled.

`sync_operation_queue` records the ones a staff member asked for (`requested_by`
set), in the service's transaction; `outbox.states.close`, which every settle goes
through, completes them in the settling transaction. Workflows, webhook
appliers and pulls queue without a user, so they add nothing here.
"""

from django.utils import timezone

from conversations_ops.audit.entries import audit_record, mask_numbers
from conversations_ops.models import AuditEntry, AuditResult, OperationState

_SETTLED = {
    OperationState.SUCCEEDED: AuditResult.SUCCEEDED,
    OperationState.FAILED: AuditResult.FAILED,
    OperationState.CANCELLED: AuditResult.CANCELLED,
}


def audit_operation_queued(*, operation, target) -> AuditEntry | None:
    """A push a staff member asked for, queued; pushes queued by code (no requested_by) are not audited."""
    if operation.requested_by_id is None:
        return None
    detail = {"fields": operation.payload["fields"]} if "fields" in operation.payload else {}
    if getattr(target, "content_sid", ""):
        detail["template"] = target.content_sid
    return audit_record(
        action=operation.operation,
        user=operation.requested_by,
        target=target,
        detail=detail,
        operation=operation,
        result_state=AuditResult.QUEUED,
    )


def audit_operations_requested(*, action: str, operations, user=None) -> int:
    """Staff ran outbox operations again or now (Retry failed, Push now): one queued entry each."""
    chosen = list(operations.select_related("content_type") if hasattr(operations, "select_related") else operations)
    return sum(
        audit_record(action=action, user=user, operation=op, result_state=AuditResult.QUEUED) is not None
        for op in chosen
    )


def audit_operation_settled(*, operation) -> int:
    """Twilio's result onto the entries waiting on this operation: one UPDATE, in the settling transaction."""
    failed = operation.state != OperationState.SUCCEEDED
    return AuditEntry.objects.filter(operation_id=operation.pk, result_state=AuditResult.QUEUED).update(
        result_state=_SETTLED.get(operation.state, AuditResult.FAILED),
        twilio_sid=operation.result_sid or "",
        twilio_error_code=operation.last_error_code if failed else None,
        twilio_http_status=operation.last_error_status if failed else None,
        twilio_error=mask_numbers(operation.last_error_message) if failed else "",
        completed_at=timezone.now(),
    )


def audit_operations_cancelled(*, operations) -> int:
    """Pushes dropped before they ran (outbox.changes.cancel): call before the operations change state."""
    return AuditEntry.objects.filter(operation__in=operations, result_state=AuditResult.QUEUED).update(
        result_state=AuditResult.CANCELLED, completed_at=timezone.now()
    )
