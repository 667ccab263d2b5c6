"""Running one claimed operation: pace, call Twilio, retry or settle.

Retryable failures (429, 5xx, timeouts, lost connections) are retried with
backoff, inside this task while the wait is short and the task's time
budget allows, otherwise by handing the operation back to the outbox with
`next_attempt_at`. A failure that may hide a success (timeout, 5xx) sets
`outcome_unknown`, for good: the executors then look before they create.
"""

import logging
import time

from conversations_ops.health.counters import TWILIO_429, counter_increment
from conversations_ops.models import OperationState
from conversations_ops.outbox import retry_policy
from conversations_ops.outbox import states as sync_states
from conversations_ops.outbox.executors import WaitForParent
from conversations_ops.outbox.operations import OPERATIONS
from conversations_ops.outbox.pacing import pacing_acquire, pacing_key
from conversations_ops.twilio.gateway import GatewayError

logger = logging.getLogger(__name__)

# A child waits this long for its conversation to reach Twilio before looking again.
PARENT_WAIT_SECONDS = 5.0


def seconds_left(deadline: float) -> float:
    return deadline - time.monotonic()


def execute(op, *, deadline: float) -> int | None:
    """Runs the claimed `op` to an end or a reschedule; answers the successor to run next."""
    while True:
        row = op.content_type.model_class().objects.filter(pk=op.object_id).first()
        if not _paced(op, row, deadline):
            return None
        try:
            outcome = OPERATIONS[op.operation].execute(op, row)
        except WaitForParent as wait:
            op.last_error_message = str(wait)
            sync_states.reschedule(op, delay=PARENT_WAIT_SECONDS)
            return None
        except GatewayError as error:
            if error.status == 429:
                counter_increment(TWILIO_429)  # each one, for /metrics (the operation keeps only its last error)
            _record(op, status=error.status, code=error.code, message=error.message, ambiguous=error.ambiguous)
            if not error.retryable:
                return sync_states.finish(op, state=OperationState.FAILED)
            retry_after = error.retry_after
        except Exception as exc:  # noqa: BLE001 - a bug must not leave the operation running forever
            logger.exception("Sync operation #%s (%s) crashed", op.pk, op.operation)
            # It may have crashed after Twilio made the resource: look first next time.
            _record(op, status=None, code=None, message=f"Internal error: {exc!r}", ambiguous=True)
            retry_after = None
        else:
            return _settle(op, outcome)
        if not _retry_later(op, retry_after, deadline):
            return sync_states.finish(op, state=OperationState.FAILED) if _exhausted(op) else None


def _settle(op, outcome) -> int | None:
    if outcome.cancelled:
        op.last_error_message = outcome.cancelled
        return sync_states.finish(op, state=OperationState.CANCELLED, outcome=outcome)
    try:
        return sync_states.finish(op, state=OperationState.SUCCEEDED, outcome=outcome)
    except Exception:
        # Twilio has it but the mirror could not take it (e.g. a pulled row
        # already holds the SID): settle as failed, with the reason shown.
        logger.exception("Sync operation #%s (%s) succeeded on Twilio but not in the mirror", op.pk, op.operation)
        op.result_sid = outcome.sid
        _record(
            op,
            status=None,
            code=None,
            message=f"Twilio made {outcome.sid}; the mirror could not store it.",
            ambiguous=True,
        )
        return sync_states.finish(op, state=OperationState.FAILED)


def _record(op, *, status, code, message, ambiguous: bool) -> None:
    op.attempts += 1
    op.last_error_status, op.last_error_code, op.last_error_message = status, code, message
    op.outcome_unknown = op.outcome_unknown or ambiguous


def _exhausted(op) -> bool:
    return op.attempts >= op.max_attempts


def _retry_later(op, retry_after, deadline: float) -> bool:
    """True to try again right here (after sleeping); False when the try
    count is used up or the operation was handed back to the outbox."""
    if _exhausted(op):
        return False
    delay = retry_policy.backoff_delay(attempt=op.attempts, retry_after=retry_after)
    if _fits_inline(delay, deadline):
        if not sync_states.save_progress(op):
            return False  # lease lost: the newer run takes it from here
        time.sleep(delay)
        return True
    sync_states.reschedule(op, delay=delay)
    return False


def _fits_inline(delay: float, deadline: float) -> bool:
    # Room for the wait AND one more call, so the task ends inside its budget.
    room = seconds_left(deadline) - retry_policy.http_timeout_seconds()
    return delay <= retry_policy.inline_wait_seconds() and delay <= room


def _paced(op, row, deadline: float) -> bool:
    key = pacing_key(operation=op.operation, row=row, payload=op.payload)
    if key is None:
        return True
    room = seconds_left(deadline) - retry_policy.http_timeout_seconds()
    grant = pacing_acquire(key=key, max_wait=max(0.0, min(retry_policy.inline_wait_seconds(), room)))
    if not grant.granted:
        sync_states.reschedule(op, delay=grant.wait)  # no try was made: nothing counted
        return False
    if grant.wait:
        time.sleep(grant.wait)
    return True
