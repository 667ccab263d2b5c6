"""Staff's "Push now", "Retry failed" and "Pull from Twilio" on chosen mirror rows.

The runner (outbox.runner) and the pull (pull.runner) are imported
inside the functions: they are separate modules with their own tests, and
the admin must load even while one of them is being changed.
"""

import importlib
import logging
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from conversations_ops.audit.entries import audit_record, summary_detail
from conversations_ops.audit.outbox import audit_operations_requested
from conversations_ops.models import OperationState, SyncOperation, SyncState
from conversations_ops.twilio.errors import explain, explain_line
from conversations_ops.twilio.gateway import GatewayError

logger = logging.getLogger(__name__)
PULL_MODULE = "conversations_ops.pull.runner"
# Model name -> (pull function, its argument, pulled through its conversation).
# A conversation's pull lists its participants and messages, so those come
# back through it; scoped webhooks have no pull.
PULL_TARGETS = {
    "addressconfiguration": ("pull_address_configuration", "address_configuration", False),
    "conversation": ("pull_conversation", "conversation", False),
    "participant": ("pull_conversation", "conversation", True),
    "message": ("pull_conversation", "conversation", True),
}


@dataclass
class ActionReport:
    succeeded: int = 0
    pending: int = 0
    skipped: int = 0
    gone: int = 0
    failures: list[str] = field(default_factory=list)


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
    from conversations_ops.outbox.runner import sync_operation_run

    pending = _operations_of_rows(rows).filter(state=OperationState.PENDING).order_by("pk")
    ids = list(pending.values_list("pk", flat=True))
    audit_operations_requested(action="sync.push_now", operations=SyncOperation.objects.filter(pk__in=ids))
    errors = {}
    for operation_id in ids:
        try:
            sync_operation_run(operation_id=operation_id, ignore_schedule=True)
        except GatewayError as exc:
            errors[operation_id] = f"operation #{operation_id}: {explain_line(exc)}"
        except Exception as exc:  # one broken operation must not hide the others' outcome
            logger.exception("twilio.sync.push_now_failed", extra={"operation_id": operation_id})
            errors[operation_id] = f"operation #{operation_id}: {exc}"
    return _report(ids, errors)


def mirror_rows_retry_failed(*, rows) -> ActionReport:
    """Puts the rows' failed operations back in the queue with fresh tries: the worker
    calls Twilio again (not just a flag reset)."""
    from conversations_ops.outbox.runner import sync_operations_retry

    ids = list(_operations_of_rows(rows).filter(state=OperationState.FAILED).values_list("pk", flat=True))
    if ids:
        sync_operations_retry(operations=SyncOperation.objects.filter(pk__in=ids).order_by("pk"))
    return _report(ids, {})


def mirror_rows_pull(*, rows) -> ActionReport:
    """Refreshes each row from Twilio; rows Twilio never had are skipped."""
    function_name, argument, via_conversation = PULL_TARGETS[rows.model._meta.model_name]
    pull = getattr(importlib.import_module(PULL_MODULE), function_name, None)
    if pull is None:
        raise ImportError(f"{PULL_MODULE} has no {function_name}")
    report, pulled = ActionReport(), {}
    for row in rows:
        if not row.sid:
            report.skipped += 1
            continue
        target = row.conversation if via_conversation else row
        if target.pk not in pulled:  # one pull per conversation, however many of its rows are chosen
            pulled[target.pk] = _pull_one(pull, argument, target)
        if pulled[target.pk]:
            report.failures.append(f"{row}: {pulled[target.pk]}")
            continue
        state = type(row).objects.filter(pk=row.pk).values_list("sync_state", flat=True).first()
        if state in (None, SyncState.DELETED_REMOTELY):
            report.gone += 1
        else:
            report.succeeded += 1
    return report


def _pull_one(pull, argument: str, target) -> str:
    """An explained error, or "" when the pull went through."""
    try:
        summary = pull(**{argument: target})
    except GatewayError as exc:
        audit_record(action="pull.object", target=target, error=exc)
        return explain_line(exc)
    audit_record(action="pull.object", target=target, twilio_sid=target.sid, detail=summary_detail(summary))
    return ""
