"""Replacing the courier of a connected pairing (issue 19, item 5): another rider takes the delivery.

The customer's side stays as it is (their opt-in, their window, the transcript); on Twilio the
old courier's participant is removed, the new one added, and the courier's connected template sent
again, as the first connection did (flow.py's `_connect`: written as the customer's side, so it
reaches only the courier). Each is a push recorded as a step of the pairing, so the pairing page
shows the replacement and Retry sends a failed step again.

The pairing goes back to "connecting" while the replacement's pushes run, and the flow moves it to
"connected" once the new connected template is on Twilio (flow.py's `_advance`, unchanged): a
failed push makes it "failed", with Retry and Close as for any pairing.

The new number passes the same pre-flight as a new pairing's courier (valid, not the customer's,
an SMS courier needs an SMS sender, their number pair free on Twilio); the customer's number pair
is held by this very pairing, so that is no conflict.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.utils import timezone

from conversations_ops.audit.entries import audit_record
from conversations_ops.db_writes import write_transaction
from conversations_ops.models import Pairing, PairingState, Participant, ParticipantRole, StepKind, StepState, SyncState
from conversations_ops.services.messages import message_send
from conversations_ops.services.participants import participant_add, participant_remove

from .flow import pairing_message_attributes, step_record

# The pre-flight's own binding check, run once the courier's other checks pass (as pairing_preflight does).
from .preflight import PairingRequest, Preflight, pairing_preflight
from .preflight import _check_bindings as check_bindings

# Only what concerns the courier: the invite was sent long ago, whatever its template's state now, and
# the reply webhook is gone since the customer replied (so PUBLIC_BASE_URL does not matter here).
COURIER_CHECKS = ("sender", "sms_sender", "courier", "connected_template", "connected_variables")


class CourierReplaceRefused(ValidationError):
    """Why the courier cannot be replaced, by field ("courier", "__all__"...)."""


def courier_replace_check(*, pairing: Pairing, courier_address: str) -> Preflight:
    """The new courier's pre-flight (asks Twilio: call outside any transaction); raises when refused."""
    courier_address = courier_address.strip()
    if pairing.state != PairingState.CONNECTED:
        raise CourierReplaceRefused(
            {
                "__all__": f"{pairing} is {pairing.get_state_display().lower()}: only a connected pairing's courier "
                "can be replaced (one still connecting has its courier on the way; a closed one is over)."
            }
        )
    if courier_address == pairing.courier_address:
        raise CourierReplaceRefused(
            {"courier": "This is already the pairing's courier: give the new courier's number."}
        )
    preflight = pairing_preflight(
        request=PairingRequest(
            sender=pairing.sender.address,
            customer=pairing.customer_address,
            courier=courier_address,
            invite_template=pairing.invite_template.sid,
            invite_variables=pairing.invite_variables,
            connected_template=pairing.connected_template.sid,
            connected_variables=pairing.connected_variables,
            auto_reply=pairing.auto_reply,
            sms_sender=pairing.sms_sender,
        ),
        check_bindings=False,
    )
    own = pairing.conversation.sid if pairing.conversation else None
    preflight.errors = {name: messages for name, messages in preflight.errors.items() if name in COURIER_CHECKS}
    if not preflight.errors:
        check_bindings(preflight)  # asks Twilio, as for a new pairing
    preflight.conflicts = [c for c in preflight.conflicts if c.party == "courier" and c.conversation_sid != own]
    if not preflight.ok:
        raise CourierReplaceRefused(preflight.validation_error().error_dict)
    return preflight


def pairing_courier_replace(*, pairing: Pairing, courier_address: str, user=None) -> Pairing:
    """Removes the courier, adds `courier_address`, sends them the connected template (all queued)."""
    courier_address = courier_address.strip()
    try:
        preflight = courier_replace_check(pairing=pairing, courier_address=courier_address)
    except CourierReplaceRefused as exc:
        audit_record(
            action="pairing.courier_replace", user=user, target=pairing, detail={"to": courier_address}, error=exc
        )
        raise
    with write_transaction():
        pairing = Pairing.objects.select_for_update(of=("self",)).select_related("conversation").get(pk=pairing.pk)
        if pairing.state != PairingState.CONNECTED:  # closed (or replaced) while the pre-flight asked Twilio
            raise CourierReplaceRefused(
                {"__all__": f"{pairing} became {pairing.get_state_display().lower()} meanwhile: nothing was changed."}
            )
        before = pairing.courier_address
        _replace(pairing, before, courier_address, preflight, user)
        audit_record(
            action="pairing.courier_replace",
            user=user,
            target=pairing,
            detail={"from": before, "to": courier_address},  # the audit trail masks the numbers
        )
        return pairing


def _replace(pairing: Pairing, before: str, after: str, preflight: Preflight, user) -> None:
    conversation = pairing.conversation
    pairing.state, pairing.courier_address = PairingState.CONNECTING, after
    pairing.sms_sender = pairing.sms_sender or preflight.sms_sender
    pairing.updated_at = timezone.now()
    pairing.save(update_fields=["state", "courier_address", "sms_sender", "updated_at"])
    step_record(
        pairing=pairing,
        kind=StepKind.COURIER_REPLACE,
        state=StepState.NOTE,
        actor=user,
        detail=f"{before} is replaced by {after}.",  # the pairing page masks numbers for who may not see them
    )
    for old in Participant.objects.filter(conversation=conversation, messaging_binding_address=before).exclude(
        sync_state=SyncState.DELETED_REMOTELY
    ):
        removal = participant_remove(participant=old, user=user)
        if removal is not None:
            step_record(pairing=pairing, kind=StepKind.COURIER_REMOVE, row=old, actor=user)
    added = participant_add(
        conversation=conversation,
        address=after,
        proxy_address=preflight.proxy_for(after),
        role=ParticipantRole.COURIER,
        attributes=json.dumps({"role": ParticipantRole.COURIER}),
        user=user,
    )
    step_record(pairing=pairing, kind=StepKind.COURIER, row=added, actor=user)
    connected = message_send(
        conversation=conversation,
        content_sid=pairing.connected_template.sid,
        content_variables=pairing.connected_variables or None,
        author=pairing.customer_address,  # the customer's side: it reaches only the (new) courier
        attributes=pairing_message_attributes(pairing=pairing, kind="connected"),
        user=user,
    )
    step_record(pairing=pairing, kind=StepKind.CONNECTED, row=connected, actor=user)
