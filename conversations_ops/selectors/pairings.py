"""A pairing as staff read it: its timeline, its transcript, a summary for `pairing show --json`."""

from __future__ import annotations

import json
from dataclasses import dataclass

from conversations_ops.masking import mask_address, mask_numbers_in
from conversations_ops.models import Message, OperationState, Pairing, PairingStep, StepState, Template
from conversations_ops.services.sync_errors import explain
from conversations_ops.services.template_variables import template_render


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


# Who wrote a message in a pairing's conversation, as the transcript labels it.
KIND_LABELS = {"invite": "invite template", "auto_reply": "auto-reply", "connected": "connected template"}


@dataclass(frozen=True)
class TranscriptLine:
    message: Message
    who: str  # customer / courier / system, and what the console sent on whose behalf
    text: str
    receipts: list


def _kind(message: Message) -> str:
    try:
        return (json.loads(message.attributes or "{}").get("pairing") or {}).get("kind", "")
    except (ValueError, AttributeError):
        return ""


def _template_text(message: Message, templates: dict) -> str:
    """What the person read: the template rendered with the message's variables, under its name."""
    template = templates.get(message.content_sid)
    if template is None:
        return f"[template {message.content_sid}]"  # not in the mirror (yet): the SID is all we know
    try:
        variables = json.loads(message.content_variables or "{}")
    except ValueError:
        variables = {}
    rendered = template_render(template=template, variables=variables if isinstance(variables, dict) else {})
    return f"[{template.friendly_name or template.sid}] {rendered}"


def pairing_transcript(*, pairing: Pairing, mask=mask_address, mask_text=mask_numbers_in) -> list[TranscriptLine]:
    """The pairing conversation's messages in order; `mask` for authors, `mask_text` for what was written."""
    if pairing.conversation_id is None:
        return []
    roles = {pairing.customer_address: "customer", pairing.courier_address: "courier"}
    lines = []
    messages = list(Message.objects.filter(conversation_id=pairing.conversation_id)
                    .prefetch_related("receipts").order_by("index", "pk"))
    sids = {message.content_sid for message in messages if message.content_sid}
    templates = {t.sid: t for t in Template.objects.filter(sid__in=sids)} if sids else {}
    for message in messages:
        kind = _kind(message)
        if kind:
            # Written as the other side so Twilio routes it to one person only (pairing_flow.py).
            to = "customer" if roles.get(message.author) == "courier" else "courier"
            who = f"console ({KIND_LABELS.get(kind, kind)}, to the {to})"
        else:
            role = roles.get(message.author)
            who = f"{role} ({mask(message.author)})" if role else (message.author or "system")
        text = mask_text(message.body or (_template_text(message, templates) if message.content_sid else ""))
        if message.media:
            text += f" [{len(message.media)} attachment{'s' if len(message.media) != 1 else ''}]"
        lines.append(TranscriptLine(message=message, who=who, text=text, receipts=list(message.receipts.all())))
    return lines


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
            {"step": line.step.kind, "label": line.step.get_kind_display(), "status": line.status,
             "detail": line.detail, "result_sid": line.step.result_sid, "error_code": line.step.error_code}
            for line in pairing_timeline(pairing=pairing)
        ],
    }
