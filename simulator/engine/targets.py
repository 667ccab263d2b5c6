"""Who hears about an event: the account webhook and the conversation's own.

Filters are honoured as Twilio does: a webhook target hears only the events
named in its filters, so an empty list hears nothing. Trigger and Studio
targets listen to new messages unless their filters say otherwise.
"""

import re

from simulator.engine import webhooks_out
from simulator.engine.store import account_webhooks
from simulator.models import SimScopedWebhook

STUDIO_NOTE = "Studio flows are not executed by the simulator: logged, not sent."
MESSAGE_EVENTS = ("onMessageAdded", "onMessageUpdated")


def wanted(filters, event_type: str) -> bool:
    return event_type in (filters or ())


def triggered(triggers, body: str) -> bool:
    """A trigger keyword matches the whole body or one of its words, any case."""
    text = (body or "").strip().lower()
    return any(
        keyword and (text == keyword.lower() or re.search(rf"\b{re.escape(keyword.lower())}\b", text))
        for keyword in triggers or []
    )


def dispatch(event_type: str, params: list, *, conversation, body: str = "") -> None:
    account = account_webhooks()
    if account.post_webhook_url and account.target == "webhook" and wanted(account.filters, event_type):
        webhooks_out.send(
            kind="account",
            event_type=event_type,
            url=account.post_webhook_url,
            method=account.method,
            params=params,
            conversation_sid=conversation.sid,
        )
    # Filtered by id, not through the object: a conversation being removed
    # still has its webhooks until the delete runs, and none afterwards.
    for hook in SimScopedWebhook.objects.filter(conversation_id=conversation.pk).order_by("id"):
        _scoped(hook, event_type, params, conversation.sid, body)


def _scoped(hook, event_type, params, conversation_sid, body) -> None:
    scoped_params = params + [("WebhookSid", hook.sid), ("WebhookType", hook.target)]
    if hook.target == "webhook":
        if hook.url and wanted(hook.filters, event_type):
            webhooks_out.send(
                kind="scoped",
                event_type=event_type,
                url=hook.url,
                method=hook.method or "POST",
                params=scoped_params,
                conversation_sid=conversation_sid,
            )
    elif hook.target == "trigger":
        if (
            hook.url
            and event_type in (hook.filters or MESSAGE_EVENTS)
            and event_type in MESSAGE_EVENTS
            and triggered(hook.triggers, body)
        ):
            webhooks_out.send(
                kind="scoped",
                event_type=event_type,
                url=hook.url,
                method=hook.method or "POST",
                params=scoped_params,
                conversation_sid=conversation_sid,
            )
    # A Studio flow listens to new messages unless filters say otherwise.
    elif hook.target == "studio" and event_type in (hook.filters or ["onMessageAdded"]):
        webhooks_out.log_only(
            kind="scoped",
            event_type=event_type,
            url=f"studio:{hook.flow_sid}",
            params=scoped_params,
            note=STUDIO_NOTE,
            conversation_sid=conversation_sid,
        )
