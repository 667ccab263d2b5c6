"""Builders for the applier tests (no tests here): Conversations webhook forms
exactly as simulator/engine/events.py posts them, a way to deliver them
through the signed endpoint and the inbox, and a snapshot of the mirror.
"""

import json
from datetime import UTC, datetime, timedelta

from django.conf import settings

from conversations_ops.models import Conversation, DeliveryReceipt, Message, Participant, WebhookEvent
from conversations_ops.webhooks.inbox import webhook_inbox_drain

from .signing import signed_post

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CUSTOMER = "whatsapp:+15017122661"
BUSINESS = "whatsapp:+14155550100"
COURIER = "+15017122663"
BUSINESS_SMS = "+14155550101"
CHAT_SERVICE = "IS" + "5e" * 16
MESSAGING_SERVICE = "MG" + "5e" * 16


def sid(prefix: str, n: int = 1) -> str:
    return f"{prefix}{n:032x}"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ms(moment: datetime) -> str:
    """Twilio's webhook timestamp: UTC with milliseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _common(event_type: str, source: str = "API") -> list:
    return [("AccountSid", settings.TWILIO_ACCOUNT_SID), ("EventType", event_type), ("Source", source)]


def conversation_event(
    event_type,
    conversation_sid,
    *,
    created=0,
    updated=0,
    friendly_name="",
    unique_name="",
    attributes="{}",
    state="active",
    removed=None,
) -> list:
    pairs = _common(event_type) + [
        ("ConversationSid", conversation_sid),
        ("DateCreated", ms(at(created))),
        ("DateUpdated", ms(at(updated))),
    ]
    pairs += [("FriendlyName", friendly_name)] if friendly_name else []
    pairs += [("UniqueName", unique_name)] if unique_name else []
    pairs += [
        ("Attributes", attributes),
        ("ChatServiceSid", CHAT_SERVICE),
        ("MessagingServiceSid", MESSAGING_SERVICE),
        ("State", state),
    ]
    if event_type == "onConversationRemoved":
        pairs.append(("DateRemoved", ms(at(removed if removed is not None else updated))))
    return pairs


def state_event(conversation_sid, *, state_from, state_to, when, reason="API") -> list:
    return _common("onConversationStateUpdated") + [
        ("ChatServiceSid", CHAT_SERVICE),
        ("StateUpdated", ms(at(when))),
        ("StateFrom", state_from),
        ("StateTo", state_to),
        ("ConversationSid", conversation_sid),
        ("Reason", reason),
        ("MessagingServiceSid", MESSAGING_SERVICE),
    ]


def participant_event(
    event_type,
    conversation_sid,
    participant_sid,
    *,
    created=0,
    updated=None,
    identity="",
    address="",
    proxy="",
    attributes="{}",
    last_read=None,
) -> list:
    pairs = _common(event_type) + [
        ("ConversationSid", conversation_sid),
        ("ParticipantSid", participant_sid),
        ("DateCreated", ms(at(created))),
    ]
    if event_type != "onParticipantAdded":
        pairs.append(("DateUpdated", ms(at(created if updated is None else updated))))
    pairs += [("Identity", identity)] if identity else []
    pairs.append(("Attributes", attributes))
    if address:
        pairs += [("MessagingBinding.ProxyAddress", proxy), ("MessagingBinding.Address", address)]
    channel = "chat" if identity else ("whatsapp" if address.startswith("whatsapp:") else "sms")
    pairs.append(("MessagingBinding.Type", channel.upper()))
    if event_type == "onParticipantUpdated" and last_read is not None:
        pairs.append(("LastReadMessageIndex", last_read))
    if event_type == "onParticipantRemoved":
        pairs.append(("DateRemoved", ms(at((updated or created) + 1))))
    return pairs


def message_event(
    event_type,
    conversation_sid,
    message_sid,
    *,
    index,
    created=0,
    updated=None,
    body="",
    author="system",
    participant_sid="",
    attributes="{}",
    media=None,
    content_sid="",
    source="API",
) -> list:
    # content_sid: not a Twilio parameter (a sender that adds it anyway shows the console ignores it).
    pairs = _common(event_type, source) + [
        ("ConversationSid", conversation_sid),
        ("MessageSid", message_sid),
        ("MessagingServiceSid", MESSAGING_SERVICE),
        ("Index", index),
        ("DateCreated", ms(at(created))),
    ]
    if event_type != "onMessageAdded":
        pairs.append(("DateUpdated", ms(at(created if updated is None else updated))))
    pairs += [("Body", body), ("Author", author)]
    pairs += [("ParticipantSid", participant_sid)] if participant_sid else []
    pairs.append(("Attributes", attributes))
    pairs += [("Media", json.dumps(media))] if media else []
    pairs += [("ContentSid", content_sid)] if content_sid else []
    if event_type == "onMessageRemoved":
        pairs.append(("DateRemoved", ms(at((updated or created) + 1))))
    return pairs


def delivery_event(
    conversation_sid,
    message_sid,
    receipt_sid,
    *,
    status,
    participant_sid=None,
    channel_sid=None,
    created=0,
    updated=None,
    error=0,
    channel="WHATSAPP",
) -> list:
    return _common("onDeliveryUpdated", channel) + [
        ("ConversationSid", conversation_sid),
        ("ChatServiceSid", CHAT_SERVICE),
        ("MessageSid", message_sid),
        ("DeliveryReceiptSid", receipt_sid),
        ("ChannelMessageSid", channel_sid or sid("SM", int(receipt_sid[2:], 16))),
        ("ParticipantSid", participant_sid or sid("MB", 1)),
        ("Status", status),
        ("ErrorCode", error),
        ("DateCreated", ms(at(created))),
        ("DateUpdated", ms(at(created if updated is None else updated))),
    ]


def status_callback(message_sid, status, *, error=None) -> list:
    pairs = [
        ("AccountSid", settings.TWILIO_ACCOUNT_SID),
        ("MessageSid", message_sid),
        ("SmsSid", message_sid),
        ("MessageStatus", status),
        ("SmsStatus", status),
        ("To", CUSTOMER),
        ("From", BUSINESS),
        ("ApiVersion", "2010-04-01"),
    ]
    return pairs + ([("ErrorCode", error)] if error is not None else [])


def deliver(client, pairs, endpoint: str = "conversations") -> WebhookEvent:
    """Posts one signed event and applies what the inbox holds (a `db` test's
    transaction never commits, so the inbox is drained here instead)."""
    response = signed_post(client, endpoint, pairs)
    assert response.status_code == 200, response.content
    webhook_inbox_drain(budget_seconds=5)
    return WebhookEvent.objects.order_by("-id").first()


def outcome_of(client, pairs, endpoint: str = "conversations") -> str:
    event = deliver(client, pairs, endpoint)
    assert event.processing_state == "processed", (event.processing_error, event.outcome)
    return event.outcome


# The mirror as data: every row by SID, foreign keys as SIDs, without the
# console's own bookkeeping (ids, local ids, when this console wrote it).
BOOKKEEPING = {"id", "local_id", "created_at", "updated_at", "last_synced_at", "last_seen_at"}
MIRROR_MODELS = (Conversation, Participant, Message, DeliveryReceipt)


def mirror_snapshot(models=MIRROR_MODELS, skip=BOOKKEEPING) -> dict:
    sids = {
        "conversation_id": dict(Conversation.objects.values_list("pk", "sid")),
        "message_id": dict(Message.objects.values_list("pk", "sid")),
    }
    snapshot = {}
    for model in models:
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        rows = {}
        for row in model.objects.all():
            rows[row.sid] = {
                name: sids[name][getattr(row, name)] if name in sids else getattr(row, name) for name in names
            }
        snapshot[model.__name__] = rows
    return snapshot


def wipe_mirror() -> None:
    Conversation.objects.all().delete()  # participants, messages, receipts cascade
    WebhookEvent.objects.all().delete()
