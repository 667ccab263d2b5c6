"""Conversation-scoped webhooks: add and remove (Twilio has no partial update we use)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from conversations_ops.models import Conversation, ConversationWebhook, SyncOperation, WebhookTarget
from conversations_ops.outbox.changes import delete_or_queue, save_and_queue

# Twilio refuses a sixth scoped webhook (50361).
MAX_WEBHOOKS_PER_CONVERSATION = 5


@transaction.atomic
def conversation_webhook_add(
    *,
    conversation: Conversation,
    target: str,
    url: str = "",
    method: str = "",
    filters: list[str] | None = None,
    triggers: list[str] | None = None,
    flow_sid: str = "",
    replay_after: int | None = None,
    user=None,
) -> ConversationWebhook:
    if conversation.webhooks.count() >= MAX_WEBHOOKS_PER_CONVERSATION:
        raise ValidationError(
            {
                "conversation": (
                    f"Twilio allows at most {MAX_WEBHOOKS_PER_CONVERSATION} webhooks per conversation; "
                    "remove one first."
                )
            }
        )
    if target == WebhookTarget.TRIGGER and not url:
        # The model only asks a trigger for keywords; Twilio also needs where to send the match.
        raise ValidationError({"url": "A trigger target needs a URL: Twilio posts the matching message there."})
    webhook = ConversationWebhook(
        conversation=conversation,
        target=target,
        url=url,
        method=method,
        filters=list(filters or []),
        triggers=list(triggers or []),
        flow_sid=flow_sid,
        replay_after=replay_after,
    )
    save_and_queue(row=webhook, operation="conversation_webhook.add", user=user)
    return webhook


@transaction.atomic
def conversation_webhook_remove(*, conversation_webhook: ConversationWebhook, user=None) -> SyncOperation | None:
    payload = {"sid": conversation_webhook.sid, "conversation_sid": conversation_webhook.conversation.sid}
    return delete_or_queue(
        row=conversation_webhook, operation="conversation_webhook.remove", payload=payload, user=user
    )
