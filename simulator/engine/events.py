"""Post-event webhooks: what the simulator tells the console (and scoped URLs).

Each function builds Twilio's form parameters for the event, exactly the
ones its table lists and no others
(https://www.twilio.com/docs/conversations/conversations-webhooks;
docs/twilio-reference.md; tests/simulator/test_webhook_payloads.py holds them
to it) from the objects as they are NOW (a removed row may be
gone by the time the webhook leaves) and hands them to every matching target:
the account post-event webhook with its filters, the conversation-scoped
webhooks with theirs (trigger and studio targets too). Sending is asynchronous
and ordered (webhooks_out). The REST views call these only when the caller sent
`X-Twilio-Webhook-Enabled: true`; channel traffic (inbound messages, deliveries)
always fires them, as on Twilio.
"""

import json

from django.conf import settings

from simulator import clock
from simulator.engine import targets


def iso_ms(dt) -> str:
    """Webhook timestamps: UTC with milliseconds, as Twilio posts them."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z" if dt else ""


def _common(event_type: str, source: str) -> list:
    return [("AccountSid", settings.TWILIO_ACCOUNT_SID), ("EventType", event_type), ("Source", source)]


def _optional(params: list, key: str, value) -> None:
    if value not in (None, ""):
        params.append((key, value))


def conversation_event(event_type: str, conversation, *, source: str = "API", extra: dict | None = None) -> None:
    """onConversationAdded / onConversationUpdated / onConversationRemoved.

    `extra` carries what only the caller knows, e.g. the MessagingBinding.*
    of the first participant when inbound traffic auto-created the conversation.
    """
    params = _common(event_type, source) + [
        ("ConversationSid", conversation.sid),
        ("DateCreated", iso_ms(conversation.date_created)),
        ("DateUpdated", iso_ms(conversation.date_updated)),
    ]
    _optional(params, "FriendlyName", conversation.friendly_name)
    _optional(params, "UniqueName", conversation.unique_name)
    params += [
        ("Attributes", conversation.attributes or "{}"),
        ("ChatServiceSid", conversation.chat_service_sid),
        ("MessagingServiceSid", conversation.messaging_service_sid),
        ("State", conversation.state),
    ]
    if event_type == "onConversationRemoved":
        params.append(("DateRemoved", iso_ms(clock.now())))
    params += list((extra or {}).items())
    targets.dispatch(event_type, params, conversation=conversation)


def participant_event(event_type: str, participant, *, source: str = "API") -> None:
    """onParticipantAdded / onParticipantUpdated / onParticipantRemoved."""
    conversation = participant.conversation
    params = _common(event_type, source) + [
        ("ConversationSid", conversation.sid),
        ("ParticipantSid", participant.sid),
        ("DateCreated", iso_ms(participant.date_created)),
    ]
    if event_type != "onParticipantAdded":
        params.append(("DateUpdated", iso_ms(participant.date_updated)))
    _optional(params, "Identity", participant.identity)
    _optional(params, "RoleSid", participant.role_sid)
    params.append(("Attributes", participant.attributes or "{}"))
    _optional(params, "MessagingBinding.ProxyAddress", participant.proxy_address)
    _optional(params, "MessagingBinding.Address", participant.address)
    _optional(params, "MessagingBinding.ProjectedAddress", participant.projected_address)
    params.append(("MessagingBinding.Type", participant.channel.upper()))
    if event_type == "onParticipantUpdated":
        _optional(params, "LastReadMessageIndex", participant.last_read_message_index)
    if event_type == "onParticipantRemoved":
        params.append(("DateRemoved", iso_ms(clock.now())))
    targets.dispatch(event_type, params, conversation=conversation)


def message_event(event_type: str, message, *, source: str = "API") -> None:
    """onMessageAdded / onMessageUpdated / onMessageRemoved."""
    conversation = message.conversation
    params = _common(event_type, source) + [("ConversationSid", conversation.sid), ("MessageSid", message.sid)]
    if event_type == "onMessageAdded":  # only Added lists it
        params.append(("MessagingServiceSid", conversation.messaging_service_sid))
    params += [("Index", message.index), ("DateCreated", iso_ms(message.date_created))]
    if event_type != "onMessageAdded":
        params.append(("DateUpdated", iso_ms(message.date_updated)))
    params += [("Body", message.body or ""), ("Author", message.author)]
    _optional(params, "ParticipantSid", message.participant_sid)
    params.append(("Attributes", message.attributes or "{}"))
    if message.media:
        params.append(("Media", json.dumps(message.media)))
    # No ContentSid: Twilio's tables do not list it (a template is known from the Message
    # resource's content_sid, which a client fetches).
    if event_type == "onMessageRemoved":
        params.append(("DateRemoved", iso_ms(clock.now())))
    targets.dispatch(event_type, params, conversation=conversation, body=message.body or "")


def delivery_event(receipt) -> None:
    """onDeliveryUpdated for one receipt status change (sent regardless of the header)."""
    message = receipt.message
    conversation = message.conversation
    participant = receipt.participant
    params = _common("onDeliveryUpdated", participant.channel.upper()) + [
        ("ConversationSid", conversation.sid),
        ("ChatServiceSid", conversation.chat_service_sid),
        ("MessageSid", message.sid),
        ("DeliveryReceiptSid", receipt.sid),
        ("ChannelMessageSid", receipt.channel_message_sid),
        ("ParticipantSid", participant.sid),
        ("Status", receipt.status),
        ("ErrorCode", receipt.error_code or 0),  # the spec's default for receipts
        ("DateCreated", iso_ms(receipt.date_created)),
        ("DateUpdated", iso_ms(receipt.date_updated)),
    ]
    targets.dispatch("onDeliveryUpdated", params, conversation=conversation)


def state_event(conversation, *, state_from: str, state_to: str, reason: str, when) -> None:
    """onConversationStateUpdated (Reason API, TIMER or EVENT)."""
    params = _common("onConversationStateUpdated", "API") + [
        ("ChatServiceSid", conversation.chat_service_sid),
        ("StateUpdated", iso_ms(when)),
        ("StateFrom", state_from),
        ("StateTo", state_to),
        ("ConversationSid", conversation.sid),
        ("Reason", reason),
        ("MessagingServiceSid", conversation.messaging_service_sid),
    ]
    targets.dispatch("onConversationStateUpdated", params, conversation=conversation)
