"""Participant pushes: add, update, remove."""

from django.core.exceptions import ValidationError
from django.db import transaction

from conversations_ops import validators as v
from conversations_ops.models import (
    BindingType,
    Conversation,
    ConversationState,
    Participant,
    SyncOperation,
    SyncState,
)
from conversations_ops.models.base import LIVE_ON_TWILIO
from conversations_ops.outbox.changes import (
    apply_changes,
    delete_or_queue,
    refuse_create_only,
    save_and_queue,
    save_and_queue_changes,
)
from conversations_ops.services.conversations import conversation_refuse_if_closed

# `role` is the console's own label; Twilio never sees it.
LOCAL_FIELDS = ("role",)
UPDATABLE_FIELDS = (
    "identity",
    "messaging_binding_address",
    "messaging_binding_proxy_address",
    "messaging_binding_projected_address",
    "attributes",
    "role_sid",
    *LOCAL_FIELDS,
)
CREATE_ONLY_FIELDS = ("identity", "messaging_binding_address")


def binding_type_for(*, address: str, identity: str) -> str:
    """whatsapp:+E164 is WhatsApp, a bare E.164 number SMS, a chat identity chat."""
    if address:
        return v.channel_for_address(address)
    return BindingType.CHAT if identity else ""


def _refuse_pair_in_use(participant: Participant) -> None:
    """Twilio allows one open conversation per address+proxy pair (50416); say so before it does."""
    if not participant.messaging_binding_address:
        return
    holder = (
        Participant.objects.filter(
            messaging_binding_address=participant.messaging_binding_address,
            messaging_binding_proxy_address=participant.messaging_binding_proxy_address,
        )
        .exclude(conversation__state=ConversationState.CLOSED)
        .exclude(conversation=participant.conversation)
        .select_related("conversation")
        .first()
    )
    if holder is not None:
        raise ValidationError(
            {
                "messaging_binding_address": (
                    f"{holder.messaging_binding_address} already talks to {holder.messaging_binding_proxy_address} in "
                    f"the open conversation “{holder.conversation}”. Close it or remove the participant there first."
                )
            }
        )


def _refuse_over_the_counts(participant: Participant) -> None:
    """Twilio's participant counts per conversation (50417, 50418), said before it does."""
    # On Twilio or on their way there; an add Twilio refused (failed, no SID) takes no place.
    present = Participant.objects.filter(LIVE_ON_TWILIO, conversation=participant.conversation).exclude(
        sid="", sync_state=SyncState.FAILED
    )
    problem = v.participant_count_problem(
        participants=present.count(),
        phones=present.filter(messaging_binding_type__in=(BindingType.SMS, BindingType.WHATSAPP)).count(),
        adding_phone=bool(participant.messaging_binding_address),
    )
    if problem:
        field = "messaging_binding_address" if participant.messaging_binding_address else "identity"
        raise ValidationError({field: problem})


@transaction.atomic
def participant_add(
    *,
    conversation: Conversation,
    address: str = "",
    proxy_address: str = "",
    identity: str = "",
    projected_address: str = "",
    attributes: str = "{}",
    role: str = "",
    role_sid: str = "",
    user=None,
) -> Participant:
    conversation_refuse_if_closed(conversation=conversation)
    participant = Participant(
        conversation=conversation,
        identity=identity,
        messaging_binding_type=binding_type_for(address=address, identity=identity),
        messaging_binding_address=address,
        messaging_binding_proxy_address=proxy_address,
        messaging_binding_projected_address=projected_address,
        attributes=attributes,
        role=role,
        role_sid=role_sid,
    )
    participant.full_clean()
    _refuse_pair_in_use(participant)
    _refuse_over_the_counts(participant)
    save_and_queue(row=participant, operation="participant.add", user=user)
    return participant


@transaction.atomic
def participant_update(*, participant: Participant, data: dict, user=None) -> Participant:
    """`data` holds new values by field name; a change to `role` alone stays local."""
    changed = apply_changes(participant, data, UPDATABLE_FIELDS)
    refuse_create_only(
        participant,
        changed,
        CREATE_ONLY_FIELDS,
        reason="Twilio cannot change who a participant is; remove them and add the new address.",
    )
    if not changed:
        return participant
    participant.messaging_binding_type = binding_type_for(
        address=participant.messaging_binding_address, identity=participant.identity
    )
    if set(changed) <= set(LOCAL_FIELDS):
        participant.full_clean()
        participant.save()
        return participant
    if "messaging_binding_proxy_address" in changed or "messaging_binding_address" in changed:
        participant.full_clean()
        _refuse_pair_in_use(participant)
    save_and_queue_changes(
        row=participant, changed=changed, create="participant.add", update="participant.update", user=user
    )
    return participant


@transaction.atomic
def participant_remove(*, participant: Participant, user=None) -> SyncOperation | None:
    payload = {"sid": participant.sid, "conversation_sid": participant.conversation.sid}
    return delete_or_queue(row=participant, operation="participant.remove", payload=payload, user=user)
