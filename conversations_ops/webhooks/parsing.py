"""Pure parsing of Twilio webhook form posts: what the event is, which SIDs it
names, and the key that makes a repeated delivery a duplicate.

The key is built from signed parameters only. I-Twilio-Idempotency-Token is a
header, outside the signature: a replay with another token would otherwise
be a new event, and so would one event delivered to two webhooks that point
here (account-level and conversation-scoped), each with its own token.

No database, no settings: the view and the appliers both call this, and the
fixtures in tests/fixtures/twilio/ exercise it directly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from conversations_ops.models import EventSource

# Event names the three endpoints give to what is not a Conversations event.
MESSAGING_INBOUND = "messaging.inbound"
MESSAGE_STATUS = "message.status"

# Pre-action events: Twilio waits for our answer before publishing. An empty
# 200 publishes unchanged; the console never alters or rejects them.
PRE_EVENTS = frozenset(
    {
        "onMessageAdd",
        "onMessageUpdate",
        "onMessageRemove",
        "onConversationAdd",
        "onConversationUpdate",
        "onConversationRemove",
        "onParticipantAdd",
        "onParticipantUpdate",
        "onParticipantRemove",
        "onUserUpdate",
    }
)

# Which parameters make the natural key of each event (Twilio's Conversations webhooks
# page, https://www.twilio.com/docs/conversations/conversations-webhooks; the table is in
# docs/twilio-reference.md):
# the same event delivered again carries the same values.
NATURAL_KEYS = {
    "onMessageAdded": ("MessageSid",),
    "onMessageUpdated": ("MessageSid", "DateUpdated"),
    "onMessageRemoved": ("MessageSid",),
    "onDeliveryUpdated": ("DeliveryReceiptSid", "Status"),
    "onParticipantAdded": ("ParticipantSid",),
    "onParticipantUpdated": ("ParticipantSid", "DateUpdated"),
    "onParticipantRemoved": ("ParticipantSid",),
    "onConversationAdded": ("ConversationSid",),
    "onConversationUpdated": ("ConversationSid", "DateUpdated"),
    "onConversationRemoved": ("ConversationSid",),
    "onConversationStateUpdated": ("ConversationSid", "StateTo", "StateUpdated"),
    MESSAGING_INBOUND: ("MessageSid",),
    MESSAGE_STATUS: ("MessageSid", "MessageStatus"),
}

# Parameters that must be present (and shaped like a SID) for an event to be usable.
REQUIRED_SIDS = {
    "onMessageAdded": ("ConversationSid", "MessageSid"),
    "onMessageUpdated": ("ConversationSid", "MessageSid"),
    "onMessageRemoved": ("ConversationSid", "MessageSid"),
    "onDeliveryUpdated": ("ConversationSid", "MessageSid", "DeliveryReceiptSid"),
    "onParticipantAdded": ("ConversationSid", "ParticipantSid"),
    "onParticipantUpdated": ("ConversationSid", "ParticipantSid"),
    "onParticipantRemoved": ("ConversationSid", "ParticipantSid"),
    "onConversationAdded": ("ConversationSid",),
    "onConversationUpdated": ("ConversationSid",),
    "onConversationRemoved": ("ConversationSid",),
    "onConversationStateUpdated": ("ConversationSid",),
    MESSAGING_INBOUND: ("MessageSid",),
    MESSAGE_STATUS: ("MessageSid",),
}
# Matched with fullmatch(): `$` would also accept a trailing newline, one
# character more than the columns hold.
SID_SHAPE = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
EVENT_TYPE_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,63}")


class MalformedEvent(ValueError):
    """The request cannot be an event of this endpoint; the reason is shown in the 400."""


class EventParams:
    """The form fields as Twilio sent them: ordered (key, value) pairs, repeated keys kept."""

    def __init__(self, pairs):
        self.pairs = [(str(key), str(value)) for key, value in pairs]

    def get(self, key: str, default: str = "") -> str:
        for name, value in self.pairs:
            if name == key:
                return value
        return default

    def getlist(self, key: str) -> list[str]:
        return [value for name, value in self.pairs if name == key]


@dataclass(frozen=True)
class ParsedEvent:
    source: str
    event_type: str
    dedup_key: str
    params: list = field(default_factory=list)
    conversation_sid: str = ""
    message_sid: str = ""
    participant_sid: str = ""

    @property
    def pre_event(self) -> bool:
        return self.event_type in PRE_EVENTS


def event_type_of(source: str, params: EventParams) -> str:
    if source == EventSource.CONVERSATIONS:
        event_type = params.get("EventType")
        if not event_type:
            raise MalformedEvent("EventType is missing: not a Conversations webhook")
        if not EVENT_TYPE_SHAPE.fullmatch(event_type):
            raise MalformedEvent("EventType is not an event name")
        return event_type
    if source == EventSource.MESSAGING:
        return MESSAGING_INBOUND
    if source == EventSource.STATUS:
        if not params.get("MessageStatus"):
            raise MalformedEvent("MessageStatus is missing: not a status callback")
        return MESSAGE_STATUS
    raise MalformedEvent(f"unknown webhook source {source!r}")


def _check_sids(event_type: str, params: EventParams) -> None:
    for key in REQUIRED_SIDS.get(event_type, ()):
        value = params.get(key)
        if not value:
            raise MalformedEvent(f"{key} is missing")
        if not SID_SHAPE.fullmatch(value):
            raise MalformedEvent(f"{key} is not a Twilio SID")


def dedup_key_of(source: str, event_type: str, params: EventParams) -> str:
    """The event's natural key, else a digest of every parameter (a pre-event,
    or an event type the console does not know yet)."""
    names = NATURAL_KEYS.get(event_type)
    if names:
        return ":".join([source, event_type, *(params.get(name) for name in names)])[:255]
    digest = hashlib.sha256()
    for key, value in sorted(params.pairs):
        digest.update(f"{len(key)}:{key}{len(value)}:{value}".encode())
    return f"{source}:{event_type}:sha256:{digest.hexdigest()}"


def _sid_or_blank(params: EventParams, key: str, prefixes: tuple[str, ...]) -> str:
    value = params.get(key)
    return value if SID_SHAPE.fullmatch(value) and value[:2] in prefixes else ""


def parse_event(source: str, pairs) -> ParsedEvent:
    """Raises MalformedEvent when the form cannot be this endpoint's event."""
    params = EventParams(pairs)
    if not params.pairs:
        raise MalformedEvent("the request has no form parameters")
    # Twilio never sends NUL; PostgreSQL cannot store it (text or jsonb).
    if any("\x00" in key or "\x00" in value for key, value in params.pairs):
        raise MalformedEvent("a parameter contains a NUL character")
    event_type = event_type_of(source, params)
    _check_sids(event_type, params)
    return ParsedEvent(
        source=source,
        event_type=event_type,
        dedup_key=dedup_key_of(source, event_type, params),
        params=[list(pair) for pair in params.pairs],
        conversation_sid=_sid_or_blank(params, "ConversationSid", ("CH",)),
        message_sid=_sid_or_blank(params, "MessageSid", ("IM", "SM", "MM", "WA")),
        participant_sid=_sid_or_blank(params, "ParticipantSid", ("MB",)),
    )
