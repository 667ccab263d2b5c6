"""Staff's "Pull from Twilio" on chosen mirror rows: each row refreshed from Twilio."""

from conversations_ops.audit.entries import audit_record, summary_detail
from conversations_ops.mirror.reports import ActionReport
from conversations_ops.models import SyncState
from conversations_ops.pull import runner
from conversations_ops.twilio.gateway import GatewayError
from conversations_ops.twilio.reads import read_failure_line

# Model name -> (pull function of pull.runner, its argument, pulled through its conversation).
# A conversation's pull lists its participants and messages, so those come
# back through it; scoped webhooks have no pull.
PULL_TARGETS = {
    "addressconfiguration": ("pull_address_configuration", "address_configuration", False),
    "conversation": ("pull_conversation", "conversation", False),
    "participant": ("pull_conversation", "conversation", True),
    "message": ("pull_conversation", "conversation", True),
}


def mirror_rows_pull(*, rows) -> ActionReport:
    """Refreshes each row from Twilio; rows Twilio never had are skipped."""
    function_name, argument, via_conversation = PULL_TARGETS[rows.model._meta.model_name]
    pull = getattr(runner, function_name)
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
        return read_failure_line(exc)  # the reads were retried (pull.runner); this is what remained
    audit_record(action="pull.object", target=target, twilio_sid=target.sid, detail=summary_detail(summary))
    return ""
