"""Mirror rows for what the sandbox flow made on Twilio, synced from the records Twilio answered.

Rows are found by SID, so running again updates instead of duplicating, and
a row another applier stored first (the conversation's own webhooks arrive
meanwhile) is taken over.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from conversations_ops.mirror import mapping as mirror
from conversations_ops.mirror.rules import mark_deleted
from conversations_ops.models import (
    Conversation,
    ConversationWebhook,
    Direction,
    Message,
    Participant,
)


def _upsert(model, remote, apply, **fixed):
    for attempt in range(2):
        try:
            with transaction.atomic():
                row = model.objects.filter(sid=remote.sid).first() or model(**fixed)
                apply(row, remote)
                for name, value in fixed.items():
                    setattr(row, name, value)
                row.save()
                return row
        except IntegrityError:
            if attempt:  # stored by someone else in between: the second look finds it
                raise
    return None  # unreachable


@transaction.atomic
def mirror_started(started) -> Conversation:
    conversation = _upsert(Conversation, started.conversation, mirror.apply_conversation)
    if started.webhook is not None:
        _upsert(ConversationWebhook, started.webhook, mirror.apply_conversation_webhook, conversation=conversation)
    _upsert(Participant, started.participant, mirror.apply_participant, conversation=conversation)
    for _part, message in sorted(started.messages.items()):
        _upsert(Message, message, mirror.apply_message, conversation=conversation, direction=Direction.INBOUND)
    return conversation


@transaction.atomic
def mirror_deleted(conversation_sid: str) -> None:
    """The flow deleted its half-made conversation: rows the conversation's own webhooks may
    have stored meanwhile are marked deleted on Twilio, as a pull would."""
    for model in (Participant, Message, ConversationWebhook):
        mark_deleted(model.objects.filter(conversation__sid=conversation_sid))
    mark_deleted(Conversation.objects.filter(sid=conversation_sid))
