"""Pointing Twilio's account-wide post-event webhook at this console.

Synchronous on purpose: it is run by hand (or by `make run`) and the person
running it must see at once whether Twilio accepted it.
"""

from django.conf import settings

from conversations_ops.audit.entries import audited
from conversations_ops.twilio import gateway
from conversations_ops.twilio.records import RemoteAccountWebhooks

CONVERSATIONS_WEBHOOK_PATH = "/webhooks/twilio/conversations/"
# Every post-event the console applies to its mirror.
ACCOUNT_WEBHOOK_FILTERS = (
    "onMessageAdded",
    "onMessageUpdated",
    "onMessageRemoved",
    "onConversationAdded",
    "onConversationUpdated",
    "onConversationRemoved",
    "onConversationStateUpdated",
    "onParticipantAdded",
    "onParticipantUpdated",
    "onParticipantRemoved",
    "onDeliveryUpdated",
)


def account_webhooks_url(*, public_base_url: str | None = None) -> str:
    base = public_base_url or settings.PUBLIC_BASE_URL
    return base.rstrip("/") + CONVERSATIONS_WEBHOOK_PATH


@audited(
    "account_webhooks.configure",
    asked=lambda kwargs: {
        "post_webhook_url": account_webhooks_url(public_base_url=kwargs.get("public_base_url")),
        "filters": len(ACCOUNT_WEBHOOK_FILTERS),
    },
)
def account_webhooks_configure(*, public_base_url: str | None = None, user=None) -> RemoteAccountWebhooks:
    """Raises GatewayError when Twilio refuses; returns what Twilio now holds.

    `user` is for the audit trail only: the decorator records the call as theirs."""
    return gateway.account_webhooks_update(
        method="POST",
        filters=list(ACCOUNT_WEBHOOK_FILTERS),
        # Pre-event hooks would make every message wait on the console; the console only observes.
        pre_webhook_url="",
        post_webhook_url=account_webhooks_url(public_base_url=public_base_url),
        target="webhook",
    )
