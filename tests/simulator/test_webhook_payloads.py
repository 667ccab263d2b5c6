"""Every post-event the simulator sends carries exactly the parameters Twilio's Conversations
webhooks page lists for it (https://www.twilio.com/docs/conversations/conversations-webhooks;
the table is in docs/twilio-reference.md): all the required ones, and nothing the page does
not list (no ContentSid on onMessageAdded, no MessagingServiceSid on onMessageUpdated).

Each event is caused through the real twilio SDK (X-Twilio-Webhook-Enabled: true) or by a
phone writing in, and captured at the account's post-event webhook.
"""

import pytest

from conversations_ops.twilio import gateway
from conversations_ops.twilio.records import AddressAutoCreation
from simulator.engine import owned, webhooks_out
from tests.simulator.engine_helpers import BUSINESS_WA, CUSTOMER_WA, control, point_account_webhook

pytestmark = pytest.mark.slow

COMMON = {"AccountSid", "EventType", "Source"}
COMMON_OPTIONAL = {"ClientIdentity"}  # SDK-made events only
BINDING = {"MessagingBinding.ProxyAddress", "MessagingBinding.Address", "MessagingBinding.ProjectedAddress"}
CONVERSATION = {"ConversationSid", "DateCreated", "DateUpdated", "Attributes", "ChatServiceSid"}
CONVERSATION |= {"MessagingServiceSid", "State"}
MESSAGE_UPDATED = {"ConversationSid", "MessageSid", "Index", "DateCreated", "DateUpdated", "Body", "Author"}
MESSAGE_UPDATED |= {"Attributes"}

# (required, optional) per event, besides COMMON.
DOCUMENTED = {
    "onConversationAdded": (
        CONVERSATION,
        {"FriendlyName", "UniqueName", *BINDING, "MessagingBinding.AuthorAddress"},
    ),
    "onConversationUpdated": (CONVERSATION, {"FriendlyName", "UniqueName"}),
    "onConversationRemoved": (CONVERSATION | {"DateRemoved"}, {"FriendlyName", "UniqueName"}),
    "onConversationStateUpdated": (
        {"ChatServiceSid", "StateUpdated", "StateFrom", "StateTo", "ConversationSid", "Reason", "MessagingServiceSid"},
        set(),
    ),
    "onMessageAdded": (
        {
            "ConversationSid",
            "MessageSid",
            "MessagingServiceSid",
            "Index",
            "DateCreated",
            "Body",
            "Author",
            "Attributes",
        },
        {"ParticipantSid", "Media"},
    ),
    "onMessageUpdated": (MESSAGE_UPDATED, {"ParticipantSid", "Media"}),
    "onMessageRemoved": (MESSAGE_UPDATED | {"DateRemoved"}, {"ParticipantSid", "Media"}),
    # RoleSid is listed without "?"; the simulator has no default role and omits it when
    # none was given (docs/fidelity.md, Not modelled).
    "onParticipantAdded": (
        {"ConversationSid", "ParticipantSid", "DateCreated", "Attributes", "MessagingBinding.Type"},
        {"Identity", "RoleSid", *BINDING},
    ),
    "onParticipantUpdated": (
        {"ConversationSid", "ParticipantSid", "DateCreated", "DateUpdated", "Attributes", "MessagingBinding.Type"},
        {"Identity", "RoleSid", "LastReadMessageIndex", *BINDING},
    ),
    "onParticipantRemoved": (
        {"ConversationSid", "ParticipantSid", "DateCreated", "DateUpdated", "DateRemoved", "Attributes"}
        | {"MessagingBinding.Type"},
        {"Identity", "RoleSid", *BINDING},
    ),
    "onDeliveryUpdated": (
        {"ConversationSid", "ChatServiceSid", "MessageSid", "DeliveryReceiptSid", "ChannelMessageSid"}
        | {"ParticipantSid", "Status", "ErrorCode", "DateCreated", "DateUpdated"},
        set(),
    ),
}


def _every_event(simulator):
    """Causes each post-event at least once."""
    sdk = gateway._conversations()  # the twilio SDK's Conversations v1, pointed at the simulator
    conversation = gateway.conversation_create(friendly_name="Order A123", webhook_enabled=True)
    gateway.conversation_update(sid=conversation.sid, friendly_name="Order A124", webhook_enabled=True)
    customer = gateway.participant_create(
        conversation_sid=conversation.sid,
        messaging_binding_address=CUSTOMER_WA,
        messaging_binding_proxy_address=BUSINESS_WA,
        webhook_enabled=True,
    )
    agent = gateway.participant_create(conversation_sid=conversation.sid, identity="agent.ana", webhook_enabled=True)
    gateway.participant_update(
        conversation_sid=conversation.sid, sid=customer.sid, attributes='{"vip": true}', webhook_enabled=True
    )
    control(simulator, "inbound", json={"From": CUSTOMER_WA, "To": BUSINESS_WA, "Body": "Hi"})  # opens the window
    template = gateway.content_create(
        language="en", friendly_name="hello", variables={"1": "x"}, types={"twilio/text": {"body": "Hi {{1}}"}}
    )
    control(simulator, f"content/{template.sid}/approval", data={"status": "approved"})
    gateway.message_create(conversation_sid=conversation.sid, content_sid=template.sid, webhook_enabled=True)
    text = gateway.message_create(
        conversation_sid=conversation.sid, author="agent.ana", body="On my way", webhook_enabled=True
    )
    messages = sdk.conversations(conversation.sid).messages(text.sid)
    messages.update(body="On my way!", x_twilio_webhook_enabled="true")
    gateway._delete(messages, True)  # the SDK's delete drops the header (gateway._delete says why)
    gateway.participant_delete(conversation_sid=conversation.sid, sid=agent.sid, webhook_enabled=True)
    gateway.conversation_update(sid=conversation.sid, state="closed", webhook_enabled=True)
    gateway.conversation_delete(sid=conversation.sid, webhook_enabled=True)
    # A phone writing to an auto-creating address: onConversationAdded with its bindings.
    owned.own("whatsapp:+14155550188")  # Twilio configures only the account's own senders
    gateway.address_configuration_create(
        type="whatsapp", address="whatsapp:+14155550188", auto_creation=AddressAutoCreation(enabled=True)
    )
    control(simulator, "inbound", json={"From": CUSTOMER_WA, "To": "whatsapp:+14155550188", "Body": "Hello"})


def test_every_post_event_carries_exactly_its_documented_parameters(simulator, capture):
    point_account_webhook(capture.hook("/account"))
    _every_event(simulator)
    assert webhooks_out.drain(15)

    seen = {}
    for request in capture.received():
        event_type = request.param("EventType")
        names = set(request.params)
        required, optional = DOCUMENTED[event_type]
        missing = (COMMON | required) - names
        extra = names - COMMON - COMMON_OPTIONAL - required - optional
        assert not missing and not extra, (event_type, sorted(missing), sorted(extra))
        seen.setdefault(event_type, []).append(request)
    assert set(seen) == set(DOCUMENTED), set(DOCUMENTED) - set(seen)
    # The template message's onMessageAdded: no ContentSid, as on Twilio.
    assert all("ContentSid" not in r.params for r in seen["onMessageAdded"])
    auto_created = [r for r in seen["onConversationAdded"] if r.param("MessagingBinding.Address")]
    assert [r.param("MessagingBinding.AuthorAddress") for r in auto_created] == [CUSTOMER_WA]
