"""A pairing as staff read it: its timeline, its transcript, a summary for `pairing show --json`."""

from __future__ import annotations

from dataclasses import dataclass

from conversations_ops.masking import mask_address
from conversations_ops.models import Message, OperationState, Pairing, PairingStep, StepState
from conversations_ops.selectors.history_rows import HistoryRow, describe_messages
from conversations_ops.twilio.errors import explain


@dataclass(frozen=True)
class TimelineLine:
    step: PairingStep
    status: str  # what staff read: "done", "queued", "retrying (attempt 2: HTTP 429)", "failed"...
    detail: str


def pairing_timeline(*, pairing: Pairing) -> list[TimelineLine]:
    lines = []
    for step in pairing.steps.select_related("operation").order_by("id"):
        status, detail = step.get_state_display(), step.detail
        op = step.operation
        if step.state == StepState.QUEUED and op is not None:
            if op.state == OperationState.RUNNING:
                status = "sending to Twilio"
            elif op.attempts:
                explanation = explain(op.last_error_code, op.last_error_status)
                status = f"retrying (attempt {op.attempts + 1})"
                detail = f"{explanation.title}: {op.last_error_message}"
        lines.append(TimelineLine(step=step, status=status, detail=detail))
    return lines


def pairing_transcript(*, pairing: Pairing, full_numbers: bool) -> list[HistoryRow]:
    """The pairing conversation's messages in order, described as the message history describes them."""
    if pairing.conversation_id is None:
        return []
    messages = Message.objects.filter(conversation_id=pairing.conversation_id).order_by("index", "pk")
    return describe_messages(messages, full_numbers=full_numbers, all_receipts=True)


def pairing_summary(*, pairing: Pairing, mask=mask_address) -> dict:
    """What `pairing show --json` prints."""
    conversation = pairing.conversation
    return {
        "id": pairing.pk,
        "state": pairing.state,
        "state_label": pairing.get_state_display(),
        "conversation_sid": conversation.sid if conversation else "",
        "customer": mask(pairing.customer_address),
        "courier": mask(pairing.courier_address),
        "sender": pairing.sender.address,
        "sms_sender": pairing.sms_sender,
        "invite_template": pairing.invite_template.sid,
        "connected_template": pairing.connected_template.sid,
        "failure": pairing.failure,
        "created_at": pairing.created_at.isoformat() if pairing.created_at else None,
        "expires_at": pairing.expires_at.isoformat() if pairing.expires_at else None,
        "connected_at": pairing.connected_at.isoformat() if pairing.connected_at else None,
        "ended_at": pairing.ended_at.isoformat() if pairing.ended_at else None,
        "timeline": [
            {
                "step": line.step.kind,
                "label": line.step.get_kind_display(),
                "status": line.status,
                "detail": line.detail,
                "result_sid": line.step.result_sid,
                "error_code": line.step.error_code,
            }
            for line in pairing_timeline(pairing=pairing)
        ],
    }
