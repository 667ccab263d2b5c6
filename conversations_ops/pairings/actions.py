"""Courier pairings, what staff do: start, close, retry a failed step, abandon.

Starting runs the pre-flight (preflight.py) and then writes, in one
transaction, the pairing, its conversation, both participants, the scoped
webhook that fields the customer's reply, and the invite template: each row
with its push in the outbox, run in that order on the conversation's
ordering key. What follows is flow.py's.
"""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from conversations_ops import validators as v
from conversations_ops.audit.entries import audit_record
from conversations_ops.db_writes import write_transaction
from conversations_ops.models import (
    Conversation,
    ConversationState,
    Message,
    OperationState,
    Pairing,
    PairingState,
    ParticipantRole,
    StepKind,
    StepState,
    SyncOperation,
    WebhookMethod,
    WebhookTarget,
)
from conversations_ops.outbox.changes import cancel
from conversations_ops.outbox.queue import ordering_key_for
from conversations_ops.outbox.refusals import CONSENT_REPLY_ATTRIBUTE
from conversations_ops.outbox.runner import sync_operations_retry
from conversations_ops.pairings.flow import pairing_message_attributes, step_record
from conversations_ops.pairings.preflight import (
    PairingRequest,
    Preflight,
    pairing_preflight,
    reply_webhook_url,
)
from conversations_ops.services.conversation_webhooks import conversation_webhook_add
from conversations_ops.services.conversations import conversation_close, conversation_create, conversation_delete
from conversations_ops.services.messages import message_send
from conversations_ops.services.participants import participant_add

# The guide's Function listened for the customer's reply on onMessageAdded only.
REPLY_FILTERS = ["onMessageAdded"]


class PairingRefused(ValidationError):
    """The pre-flight found problems; `preflight` says which (and the conflicts to close)."""

    def __init__(self, preflight: Preflight):
        super().__init__(preflight.validation_error().error_dict)
        self.preflight = preflight


def pairing_start(*, request: PairingRequest, user=None) -> Pairing:
    """Checks everything, then queues the whole set-up; raises PairingRefused when a check fails."""
    preflight = pairing_preflight(request=request)  # asks Twilio: outside any transaction
    if not preflight.ok:
        audit_record(
            action="pairing.start",
            user=user,
            detail=_asked(request),
            error=" ".join(preflight.validation_error().messages),
        )
        raise PairingRefused(preflight)
    with write_transaction():
        pairing = _start(preflight, user)
        audit_record(action="pairing.start", user=user, target=pairing, detail=_asked(request))
        return pairing


def _asked(request: PairingRequest) -> dict:
    # For the audit trail: who with whom and which templates (it masks the numbers), never the texts.
    return {
        "sender": request.sender,
        "customer": request.customer,
        "courier": request.courier,
        "invite_template": request.invite_template,
        "connected_template": request.connected_template,
    }


def _start(preflight: Preflight, user) -> Pairing:
    request = preflight.request
    customer, courier = request.customer.strip(), request.courier.strip()
    pairing = Pairing(
        sender=preflight.sender,
        sms_sender=preflight.sms_sender,
        customer_address=customer,
        courier_address=courier,
        invite_template=preflight.invite_template,
        invite_variables=request.invite_variables,
        connected_template=preflight.connected_template,
        connected_variables=request.connected_variables,
        started_by=user if getattr(user, "is_authenticated", False) else None,
        **({"auto_reply": request.auto_reply} if request.auto_reply else {}),
        **({"reply_timeout_minutes": request.reply_timeout_minutes} if request.reply_timeout_minutes else {}),
    )
    pairing.full_clean(exclude=["conversation"])
    pairing.save()
    step_record(
        pairing=pairing,
        kind=StepKind.PREFLIGHT,
        state=StepState.DONE,
        actor=user,
        detail="Numbers valid, both templates approved, both number pairs free on Twilio.",
    )
    conversation = conversation_create(
        unique_name=pairing.unique_name,
        friendly_name=f"Pairing #{pairing.pk}",
        # The pairing id is enough to find who is who (the pairing row holds both numbers):
        # attributes are stored on Twilio and shown on the conversation page, so no number goes in.
        attributes={"pairing_id": pairing.pk},
        user=user,
    )
    pairing.conversation = conversation
    pairing.save(update_fields=["conversation", "updated_at"])
    step_record(pairing=pairing, kind=StepKind.CONVERSATION, row=conversation, actor=user)
    for kind, role, address in (
        (StepKind.CUSTOMER, ParticipantRole.CUSTOMER, customer),
        (StepKind.COURIER, ParticipantRole.COURIER, courier),
    ):
        participant = participant_add(
            conversation=conversation,
            address=address,
            proxy_address=preflight.proxy_for(address),
            role=role,
            attributes=json.dumps({"role": role}),
            user=user,
        )
        step_record(pairing=pairing, kind=kind, row=participant, actor=user)
    webhook = conversation_webhook_add(
        conversation=conversation,
        target=WebhookTarget.WEBHOOK,
        url=reply_webhook_url(),
        method=WebhookMethod.POST,
        filters=REPLY_FILTERS,
        user=user,
    )
    step_record(pairing=pairing, kind=StepKind.WEBHOOK, row=webhook, actor=user)
    # Written as the courier's side, so it reaches only the customer (the guide does the same).
    invite = message_send(
        conversation=conversation,
        content_sid=pairing.invite_template.sid,
        content_variables=request.invite_variables or None,
        author=courier,
        attributes=pairing_message_attributes(pairing=pairing, kind="invite"),
        user=user,
    )
    step_record(pairing=pairing, kind=StepKind.INVITE, row=invite, actor=user)
    return pairing


def pairing_close(*, pairing: Pairing, user=None, reason: str = "") -> Pairing:
    """Ends the conversation on Twilio (closed: final, and both number pairs are free again).

    `reason`, when the console closes it on its own (a party opted out), is the timeline's note
    and the audit entry's."""
    with write_transaction():
        pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
        if pairing.state in (PairingState.CLOSING, PairingState.CLOSED, PairingState.ABANDONED):
            return pairing
        if reason:
            step_record(pairing=pairing, kind=StepKind.CLOSE, state=StepState.NOTE, actor=user, detail=reason)
        conversation = pairing.conversation
        if conversation is None or not conversation.sid:
            return _abandon(pairing, user)  # nothing on Twilio to close: clean up instead
        _cancel_pending(pairing)
        if conversation.state == ConversationState.CLOSED:
            Pairing.objects.filter(pk=pairing.pk).update(state=PairingState.CLOSED, ended_at=timezone.now())
            step_record(
                pairing=pairing,
                kind=StepKind.CLOSE,
                state=StepState.NOTE,
                actor=user,
                detail="The conversation was already closed.",
            )
        else:
            pairing.state = PairingState.CLOSING
            pairing.save(update_fields=["state", "updated_at"])
            conversation_close(conversation=conversation, user=user)
            step_record(pairing=pairing, kind=StepKind.CLOSE, row=conversation, actor=user)
        pairing.refresh_from_db()
        audit_record(
            action="pairing.close",
            user=user,
            target=pairing,
            detail={"state": pairing.state, **({"reason": reason} if reason else {})},
        )
        return pairing


# Pairings that still hold (or may yet hold) a conversation with their two people.
NOT_ENDED = (
    PairingState.STARTING,
    PairingState.AWAITING_CUSTOMER,
    PairingState.CONNECTING,
    PairingState.CONNECTED,
    PairingState.FAILED,
)


def pairings_close_on_opt_out(*, address: str, sender: str, refusal: str, user=None) -> list[Pairing]:
    """A person opted out of `sender` (issue 20): every pairing not yet ended in which they talk to
    `sender`, as the customer or the courier, is closed (its unsent pushes cancelled, the
    conversation closed on Twilio, or the pairing abandoned when nothing reached Twilio), with
    the note saying why. Called by the consent registry when it records the opt-out
    (consent/services.py), in the same transaction."""
    closed = []
    candidates = Pairing.objects.filter(
        Q(customer_address=address) | Q(courier_address=address), state__in=NOT_ENDED
    ).select_related("sender")
    for pairing in candidates.order_by("pk"):
        party = "customer" if pairing.customer_address == address else "courier"
        proxy = pairing.sender.address if address.startswith(v.WHATSAPP_PREFIX) else pairing.sms_sender
        if proxy != sender:
            continue  # they talk to another of our numbers here: that consent was not withdrawn
        reason = f"Closed by the console: the {party} opted out. {refusal}"
        closed.append(pairing_close(pairing=pairing, user=user, reason=reason))
    return closed


def pairing_retry(*, pairing: Pairing, user=None) -> int:
    """Runs the failed pushes of a failed pairing again, and goes back to where it was."""
    with write_transaction():
        pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
        if pairing.state != PairingState.FAILED:
            raise ValidationError(f"{pairing} has not failed ({pairing.get_state_display()}): nothing to retry.")
        failed_steps = list(
            pairing.steps.filter(
                state__in=(StepState.FAILED, StepState.CANCELLED), operation__isnull=False
            ).select_related("operation")
        )
        operations = SyncOperation.objects.filter(
            pk__in=[s.operation_id for s in failed_steps], state__in=(OperationState.FAILED, OperationState.CANCELLED)
        )
        retried = sync_operations_retry(operations=operations, user=user)
        for step in failed_steps:
            step.state, step.completed_at, step.error_code = StepState.QUEUED, None, None
            step.save(update_fields=["state", "completed_at", "error_code"])
        back = pairing.failed_from or PairingState.STARTING
        Pairing.objects.filter(pk=pairing.pk).update(state=back, failure="", updated_at=timezone.now())
        step_record(
            pairing=pairing,
            kind=StepKind.RETRY,
            state=StepState.NOTE,
            actor=user,
            detail=f"{retried} failed step{'s' if retried != 1 else ''} sent again.",
        )
        audit_record(action="pairing.retry", user=user, target=pairing, detail={"retried": retried})
        return retried


ABANDONABLE = (PairingState.FAILED, PairingState.STARTING)


def pairing_abandon(*, pairing: Pairing, user=None) -> Pairing:
    """Gives up on a pairing that failed (or never got going) and leaves nothing half-made on
    Twilio: its conversation is deleted there. Once people talk, Close it instead: closing keeps
    the conversation, and its transcript, for the record."""
    with write_transaction():
        pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
        if pairing.state == PairingState.ABANDONED:
            return pairing
        if pairing.state not in ABANDONABLE:
            raise ValidationError(
                f"{pairing} is {pairing.get_state_display().lower()}: close it instead "
                "(abandoning deletes the conversation, for pairings that failed to start)."
            )
        return _abandon(pairing, user)


def _abandon(pairing: Pairing, user) -> Pairing:
    _cancel_pending(pairing, also_failed=True)  # given up: a failed push must not block the delete
    conversation = pairing.conversation
    detail = "Nothing had reached Twilio."
    if conversation is not None:
        try:
            queued = conversation_delete(conversation=conversation, user=user)
        except ValidationError as exc:  # its create is reaching Twilio right now
            raise ValidationError(f"Cannot abandon {pairing} this second: {' '.join(exc.messages)}") from exc
        detail = (
            f"Conversation {conversation.sid} is being deleted on Twilio (both number pairs are freed)."
            if queued is not None
            else detail
        )
    Pairing.objects.filter(pk=pairing.pk).update(state=PairingState.ABANDONED, ended_at=timezone.now())
    step_record(pairing=pairing, kind=StepKind.ABANDON, state=StepState.NOTE, actor=user, detail=detail)
    pairing.refresh_from_db()
    audit_record(action="pairing.abandon", user=user, target=pairing, detail={"state": pairing.state})
    return pairing


def _cancel_pending(pairing: Pairing, *, also_failed: bool = False) -> None:
    """The pairing's pushes not yet sent (e.g. an invite behind a failed participant) are dropped."""
    conversation = pairing.conversation
    if conversation is None:
        return
    states = (OperationState.PENDING, OperationState.FAILED) if also_failed else (OperationState.PENDING,)
    # The console's answer to the person's STOP stays: it is queued just before the close (consent/inbound.py).
    answers = Message.objects.filter(conversation=conversation, attributes__contains=f'"{CONSENT_REPLY_ATTRIBUTE}"')
    pending = SyncOperation.objects.filter(ordering_key=ordering_key_for(conversation), state__in=states).exclude(
        content_type=ContentType.objects.get_for_model(Message), object_id__in=answers.values("pk")
    )
    cancelled_ids = list(pending.values_list("pk", flat=True))
    cancel(pending)
    pairing.steps.filter(operation_id__in=cancelled_ids, state=StepState.QUEUED).update(
        state=StepState.CANCELLED, completed_at=timezone.now(), detail="Not sent: the pairing was ended first."
    )


def conflict_close(*, conversation_sid: str, user=None) -> Conversation:
    """Closes the other conversation a pre-flight found holding a number pair (the console's row, or a new one).

    When it is an open pairing's, the pairing is closed (else it would stay
    "connected" on a closed conversation)."""
    owner = (
        Pairing.objects.filter(conversation__sid=conversation_sid)
        .exclude(state__in=(PairingState.CLOSING, PairingState.CLOSED, PairingState.ABANDONED))
        .first()
    )
    if owner is not None:
        pairing_close(pairing=owner, user=user)
        return Conversation.objects.get(sid=conversation_sid)
    with write_transaction():
        conversation = Conversation.objects.filter(sid=conversation_sid).first()
        if conversation is None:
            # Made by another tool: mirror it with its SID (the pull fills the rest), then close it.
            conversation = Conversation.objects.create(sid=conversation_sid, sync_state="synced")
        return conversation_close(conversation=conversation, user=user)
