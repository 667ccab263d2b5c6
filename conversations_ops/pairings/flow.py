"""How a pairing moves on: after its pushes settle, when the customer replies, when it runs out of time.

    starting --every start push done--> awaiting_customer --customer's first reply--> connecting
    connecting --auto-reply, connected template, webhook removal done--> connected
    awaiting_customer --reply_timeout_minutes without a reply--> expired (its conversation is closed)
    any push failed --> failed (Retry goes back, Abandon cleans up: pairings.py)

Every transition is one conditional UPDATE on the pairing's state, so two
workers applying the customer's reply at once (the event delivered twice, or
two messages arriving together) start the connection exactly once: the second
UPDATE finds the state already moved and does nothing.

Called inside the caller's transaction: `pairing_operation_settled` by the
outbox when a push settles (an outbox listener: outbox/listeners.py, connected
in apps.py), `pairing_replies_check` by
the message appliers when new messages reach the mirror, `pairings_expire`
every minute.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from conversations_ops.db_writes import write_transaction
from conversations_ops.models import (
    ConversationWebhook,
    Direction,
    Message,
    OperationState,
    Pairing,
    PairingState,
    PairingStep,
    StepKind,
    StepState,
    SyncState,
)
from conversations_ops.outbox.changes import operations_of
from conversations_ops.services.conversation_webhooks import conversation_webhook_remove
from conversations_ops.services.conversations import conversation_close
from conversations_ops.services.messages import message_send
from conversations_ops.twilio.errors import explain

# The steps each phase waits for before the pairing moves on.
START_STEPS = (StepKind.CONVERSATION, StepKind.CUSTOMER, StepKind.COURIER, StepKind.WEBHOOK, StepKind.INVITE)
CONNECT_STEPS = (StepKind.AUTO_REPLY, StepKind.CONNECTED, StepKind.WEBHOOK_REMOVE)
CLOSE_STEPS = (StepKind.CLOSE,)
PHASE_STEPS = {
    PairingState.STARTING: START_STEPS,
    PairingState.CONNECTING: CONNECT_STEPS,
    PairingState.CLOSING: CLOSE_STEPS,
}


def step_record(
    *, pairing: Pairing, kind: str, row=None, state: str = StepState.QUEUED, detail: str = "", actor=None
) -> PairingStep:
    """A timeline line; with `row`, it follows the newest push queued for that row."""
    operation = operations_of(row).order_by("-id").first() if row is not None else None
    done = state in (StepState.DONE, StepState.NOTE, StepState.FAILED, StepState.CANCELLED)
    return PairingStep.objects.create(
        pairing=pairing,
        kind=kind,
        state=state,
        operation=operation,
        detail=detail,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        completed_at=timezone.now() if done else None,
    )


def pairing_message_attributes(*, pairing: Pairing, kind: str) -> str:
    """Stored on Twilio with each message the flow sends: the transcript says what it was."""
    return json.dumps({"pairing": {"id": pairing.pk, "kind": kind}})


def _moved(pairing: Pairing, frm, to: str, **fields) -> bool:
    """The one way a pairing changes state: conditional, so concurrent callers move it once."""
    states = frm if isinstance(frm, tuple | list) else (frm,)
    now = timezone.now()
    moved = Pairing.objects.filter(pk=pairing.pk, state__in=states).update(state=to, updated_at=now, **fields)
    if moved:
        pairing.state = to
        for name, value in fields.items():
            setattr(pairing, name, value)
    return bool(moved)


# Pushes settling ----------------------------------------------------------------


def pairing_operation_settled(*, operation) -> None:
    """The outbox finished `operation` (succeeded, failed or cancelled): update its steps, move the pairing."""
    steps = list(PairingStep.objects.filter(operation=operation, state=StepState.QUEUED).select_related("pairing"))
    for step in steps:
        _settle_step(step, operation)
        _advance(Pairing.objects.select_for_update().get(pk=step.pairing_id), operation)


def _settle_step(step: PairingStep, operation) -> None:
    now = timezone.now()
    if operation.state == OperationState.SUCCEEDED:
        step.state, step.result_sid = StepState.DONE, operation.result_sid
        step.detail = f"Twilio: {operation.result_sid}" if operation.result_sid else "Twilio: done"
    else:
        step.state = StepState.FAILED if operation.state == OperationState.FAILED else StepState.CANCELLED
        step.error_code = operation.last_error_code
        explanation = explain(operation.last_error_code, operation.last_error_status)
        step.detail = f"{explanation.title}: {operation.last_error_message} {explanation.next_step}".strip()
    step.completed_at = now
    step.save(update_fields=["state", "result_sid", "error_code", "detail", "completed_at"])


def _advance(pairing: Pairing, operation) -> None:
    phase = pairing.state
    if phase not in PHASE_STEPS:
        return
    if operation.state != OperationState.SUCCEEDED:
        failed = PairingStep.objects.filter(operation=operation).first()
        _moved(
            pairing,
            phase,
            PairingState.FAILED,
            failed_from=phase,
            failure=f"{failed.get_kind_display()} failed. {failed.detail}" if failed else "A step failed.",
        )
        return
    # A note (why it closes) waits for nothing: only pushes are pending.
    pending = pairing.steps.filter(kind__in=PHASE_STEPS[phase]).exclude(state__in=(StepState.DONE, StepState.NOTE))
    if pending.exists():
        return
    now = timezone.now()
    if phase == PairingState.STARTING:
        if _moved(
            pairing,
            phase,
            PairingState.AWAITING_CUSTOMER,
            invited_at=now,
            expires_at=now + timedelta(minutes=pairing.reply_timeout_minutes),
        ):
            _reply_check(pairing)  # a quick customer may have answered before the invite settled here
    elif phase == PairingState.CONNECTING:
        _moved(pairing, phase, PairingState.CONNECTED, connected_at=now)
    elif phase == PairingState.CLOSING:
        _moved(pairing, phase, PairingState.CLOSED, ended_at=now)


# The customer's reply ------------------------------------------------------------


def pairing_replies_check(*, conversation_ids) -> int:
    """New messages reached the mirror in these conversations: connect the pairings whose customer replied."""
    ids = [pk for pk in set(conversation_ids) if pk is not None]
    if not ids:
        return 0
    waiting = Pairing.objects.filter(conversation_id__in=ids, state=PairingState.AWAITING_CUSTOMER)
    return sum(_reply_check(pairing) for pairing in waiting)


def _reply_check(pairing: Pairing) -> bool:
    reply = (
        Message.objects.filter(
            conversation_id=pairing.conversation_id, author=pairing.customer_address, direction=Direction.INBOUND
        )
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .order_by("index", "pk")
        .first()
    )
    if reply is None:
        return False
    if not _moved(pairing, PairingState.AWAITING_CUSTOMER, PairingState.CONNECTING, replied_at=timezone.now()):
        return False  # another worker saw the reply first
    preview = reply.body if len(reply.body) <= 80 else reply.body[:79] + "…"
    step_record(
        pairing=pairing,
        kind=StepKind.REPLY,
        state=StepState.NOTE,
        detail=f"Message {reply.sid}: “{preview}”" if reply.body else f"Message {reply.sid}",
    )
    _connect(pairing)
    return True


def _connect(pairing: Pairing) -> None:
    """The guide's Twilio Function, run by the console: auto-reply, connected template, webhooks removed.

    Who a message reaches is everyone in the conversation but its author, so
    the auto-reply is written as the courier's side (it reaches only the
    customer, whose window the reply just opened) and the connected template
    as the customer's side (it reaches only the courier). A system message, as
    in the guide, would also go to the courier, who has not opted in yet, and
    fail with 63016.
    """
    conversation = pairing.conversation
    auto_reply = message_send(
        conversation=conversation,
        body=pairing.auto_reply,
        author=pairing.courier_address,
        attributes=pairing_message_attributes(pairing=pairing, kind="auto_reply"),
    )
    step_record(pairing=pairing, kind=StepKind.AUTO_REPLY, row=auto_reply)
    connected = message_send(
        conversation=conversation,
        content_sid=pairing.connected_template.sid,
        content_variables=pairing.connected_variables or None,
        author=pairing.customer_address,
        attributes=pairing_message_attributes(pairing=pairing, kind="connected"),
    )
    step_record(pairing=pairing, kind=StepKind.CONNECTED, row=connected)
    for webhook in ConversationWebhook.objects.filter(conversation=conversation).exclude(
        sync_state=SyncState.DELETED_REMOTELY
    ):
        if conversation_webhook_remove(conversation_webhook=webhook) is not None:
            step_record(pairing=pairing, kind=StepKind.WEBHOOK_REMOVE, row=webhook)


# Running out of time ---------------------------------------------------------------


def pairings_expire(*, now=None) -> int:
    """Pairings whose customer did not reply in time: expired, and their conversation closed."""
    now = now or timezone.now()
    expired = 0
    for pairing in Pairing.objects.filter(state=PairingState.AWAITING_CUSTOMER, expires_at__lte=now):
        with write_transaction():
            if not _moved(pairing, PairingState.AWAITING_CUSTOMER, PairingState.EXPIRED, ended_at=now):
                continue  # the reply came in meanwhile
            expired += 1
            step_record(
                pairing=pairing,
                kind=StepKind.EXPIRED,
                state=StepState.NOTE,
                detail=f"No reply within {pairing.reply_timeout_minutes} min of the invite.",
            )
            conversation = pairing.conversation
            if conversation is not None and conversation.state != "closed":
                conversation_close(conversation=conversation)
                step_record(pairing=pairing, kind=StepKind.CLOSE, row=conversation)
    return expired
