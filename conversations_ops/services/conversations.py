"""Conversation pushes: create, update (incl. close), delete."""

import json

from django.core.exceptions import ValidationError
from django.db import transaction

from conversations_ops import validators as v
from conversations_ops.models import Conversation, ConversationState, OperationState, SyncOperation, SyncState
from conversations_ops.outbox.changes import (
    apply_changes,
    delete_or_queue,
    operations_of,
    save_and_queue,
    save_and_queue_changes,
)

UPDATABLE_FIELDS = (
    "unique_name",
    "friendly_name",
    "attributes",
    "state",
    "timers_inactive",
    "timers_closed",
    "messaging_service_sid",
)
CLOSED_MESSAGE = "This conversation is closed; Twilio accepts no changes to a closed conversation."


def _attributes_text(attributes) -> str:
    # Twilio takes attributes as JSON text; a dict from code is encoded once, here.
    return attributes if isinstance(attributes, str) else json.dumps(attributes)


def _refuse_taken_unique_name(conversation: Conversation) -> None:
    # The model's conditional constraint reports without a field; staff need it on unique_name.
    taken = (
        Conversation.objects.filter(unique_name=conversation.unique_name)
        .exclude(pk=conversation.pk)
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
    )  # Twilio freed the names of deleted ones
    if conversation.unique_name and taken.exists():
        raise ValidationError({"unique_name": "Another conversation already uses this unique name."})


def _refuse_what_twilio_refuses(conversation: Conversation, *, creating: bool) -> None:
    """Refusals Twilio would answer (50390 a SID-shaped unique name; 50384 created closed),
    beside the field they concern."""
    checks = [("unique_name", v.validate_conversation_unique_name)]
    if creating:
        checks.append(("state", v.validate_initial_conversation_state))
    errors = {}
    for field, validator in checks:
        try:
            validator(getattr(conversation, field))
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)


def conversation_refuse_if_closed(*, conversation: Conversation, field: str = "conversation") -> None:
    """Participants and messages cannot join a closed or departing conversation (Twilio 50377)."""
    if conversation.state == ConversationState.CLOSED:
        raise ValidationError({field: CLOSED_MESSAGE})
    deleting = operations_of(conversation).filter(
        operation="conversation.delete", state__in=(OperationState.PENDING, OperationState.RUNNING)
    )
    if deleting.exists():
        raise ValidationError({field: "This conversation is being deleted on Twilio."})


@transaction.atomic
def conversation_create(
    *,
    unique_name: str = "",
    friendly_name: str = "",
    attributes: str | dict = "{}",
    state: str = ConversationState.ACTIVE,
    timers_inactive: str = "",
    timers_closed: str = "",
    messaging_service_sid: str = "",
    user=None,
) -> Conversation:
    conversation = Conversation(
        unique_name=unique_name,
        friendly_name=friendly_name,
        attributes=_attributes_text(attributes),
        state=state,
        timers_inactive=timers_inactive,
        timers_closed=timers_closed,
        messaging_service_sid=messaging_service_sid,
    )
    _refuse_what_twilio_refuses(conversation, creating=True)
    _refuse_taken_unique_name(conversation)
    save_and_queue(row=conversation, operation="conversation.create", user=user)
    return conversation


@transaction.atomic
def conversation_update(*, conversation: Conversation, data: dict, user=None) -> Conversation:
    """`data` holds the new values by field name; unchanged ones queue nothing."""
    if conversation.state == ConversationState.CLOSED:
        raise ValidationError({"state": CLOSED_MESSAGE})
    if "attributes" in data:
        data = {**data, "attributes": _attributes_text(data["attributes"])}
    changed = apply_changes(conversation, data, UPDATABLE_FIELDS)
    if not changed:
        return conversation
    _refuse_what_twilio_refuses(conversation, creating=not conversation.sid)
    _refuse_taken_unique_name(conversation)
    save_and_queue_changes(
        row=conversation, changed=changed, create="conversation.create", update="conversation.update", user=user
    )
    return conversation


def conversation_close(*, conversation: Conversation, user=None) -> Conversation:
    """Closing is final on Twilio and frees the conversation's number pairs; closing twice is a no-op."""
    if conversation.state == ConversationState.CLOSED:
        return conversation
    return conversation_update(conversation=conversation, data={"state": ConversationState.CLOSED}, user=user)


@transaction.atomic
def conversation_delete(*, conversation: Conversation, user=None) -> SyncOperation | None:
    return delete_or_queue(
        row=conversation,
        operation="conversation.delete",
        payload={"sid": conversation.sid},
        user=user,
        whole_conversation=True,
    )
