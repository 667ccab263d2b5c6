"""Staff's "Push now" and "Retry failed" on chosen mirror rows ("Pull from
Twilio" is the pull's: pull/actions.py)."""

import logging

from django.contrib.contenttypes.models import ContentType

from conversations_ops.audit.outbox import audit_operations_requested
from conversations_ops.mirror.reports import ActionReport
from conversations_ops.models import OperationState, SyncOperation
from conversations_ops.outbox import runner
from conversations_ops.twilio.errors import explain, explain_line
from conversations_ops.twilio.gateway import GatewayError

logger = logging.getLogger(__name__)


def _operations_of_rows(rows):
    content_type = ContentType.objects.get_for_model(rows.model)
    return SyncOperation.objects.filter(content_type=content_type, object_id__in=rows.values("pk"))


def _failure_line(op: SyncOperation) -> str:
    explanation = explain(op.last_error_code, op.last_error_status)
    code = f" ({op.last_error_code})" if op.last_error_code else ""
    return f"{op.operation} #{op.pk}: {explanation.title}{code}. {op.last_error_message} {explanation.next_step}"


def _report(operation_ids, errors: dict) -> ActionReport:
    """Reads back what the runner left, so the report says how each operation ended."""
    report = ActionReport()
    for op in SyncOperation.objects.filter(pk__in=operation_ids):
        if op.pk in errors:
            report.failures.append(errors[op.pk])
        elif op.state == OperationState.SUCCEEDED:
            report.succeeded += 1
        elif op.state == OperationState.FAILED:
            report.failures.append(_failure_line(op))
        else:
            report.pending += 1
    return report


def mirror_rows_push_now(*, rows) -> ActionReport:
    """Runs the rows' pending operations in this request, oldest first, due or not."""
    pending = _operations_of_rows(rows).filter(state=OperationState.PENDING).order_by("pk")
    ids = list(pending.values_list("pk", flat=True))
    audit_operations_requested(action="sync.push_now", operations=SyncOperation.objects.filter(pk__in=ids))
    errors = {}
    for operation_id in ids:
        try:
            runner.sync_operation_run(operation_id=operation_id, ignore_schedule=True)
        except GatewayError as exc:
            errors[operation_id] = f"operation #{operation_id}: {explain_line(exc)}"
        except Exception as exc:  # one broken operation must not hide the others' outcome
            logger.exception("twilio.sync.push_now_failed", extra={"operation_id": operation_id})
            errors[operation_id] = f"operation #{operation_id}: {exc}"
    return _report(ids, errors)


def mirror_rows_retry_failed(*, rows) -> ActionReport:
    """Puts the rows' failed operations back in the queue with fresh tries: the worker
    calls Twilio again (not just a flag reset)."""
    ids = list(_operations_of_rows(rows).filter(state=OperationState.FAILED).values_list("pk", flat=True))
    if ids:
        runner.sync_operations_retry(operations=SyncOperation.objects.filter(pk__in=ids).order_by("pk"))
    return _report(ids, {})
