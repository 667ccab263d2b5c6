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

# Conversations event names Twilio documents (the webhooks page); any other is stored unhandled.
KNOWN_EVENTS = frozenset(NATURAL_KEYS) | PRE_EVENTS | {"onUserAdded", "onUserUpdated"}

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

# Re-shaping a signed body. Twilio signs the URL followed by every parameter's name and
# value run together, names sorted, without separators (docs/twilio-reference.md,
# "Webhook signatures"), so `a=bc` and `ab=c` sign the same, and so do a value repeated or
# reordered. A captured request could be re-cut into another validly signed body; if that
# moved a boundary inside the dedup key, the copy would be stored as a new event. So:
# - every parameter name has Twilio's shape (PascalCase words, dot-separated:
#   `MessagingBinding.Address`): text moved from a value onto the front of the next name
#   makes that name start otherwise, and the body is refused;
# - the parameters of the natural key (and EventType) appear once, each in its strict shape:
#   a SID is 34 characters, a status or state one of Twilio's enumerations, a timestamp
#   ISO-8601 ending in Z or an offset, so no boundary can move into or out of one;
# - an event type the console does not know, yet that begins with one it knows
#   (`onMessageAddedIndex0`: EventType with the next parameter folded in) is refused;
# - the key of other events (pre-events, unknown types) is a digest of exactly what was
#   signed, so every re-cut of one request has one key.
PARAM_NAME_SHAPE = re.compile(r"[A-Z][A-Za-z0-9]*(?:\.[A-Z][A-Za-z0-9]*)*")
TIMESTAMP_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})")
# vendor/twilio-oai: conversation_message_receipt_enum_delivery_status, message_enum_status,
# conversation_enum_state.
RECEIPT_STATUSES = frozenset({"read", "failed", "delivered", "undelivered", "sent"})
MESSAGE_STATUSES = frozenset(
    {
        "queued",
        "sending",
        "sent",
        "failed",
        "delivered",
        "undelivered",
        "receiving",
        "received",
        "accepted",
        "scheduled",
        "read",
        "partially_delivered",
        "canceled",
    }
)
CONVERSATION_STATES = frozenset({"initializing", "inactive", "active", "closed"})
KEY_PARAM_CHECKS = {
    "MessageSid": SID_SHAPE.fullmatch,
    "DeliveryReceiptSid": SID_SHAPE.fullmatch,
    "ParticipantSid": SID_SHAPE.fullmatch,
    "ConversationSid": SID_SHAPE.fullmatch,
    "DateUpdated": TIMESTAMP_SHAPE.fullmatch,
    "StateUpdated": TIMESTAMP_SHAPE.fullmatch,
    "Status": RECEIPT_STATUSES.__contains__,
    "MessageStatus": MESSAGE_STATUSES.__contains__,
    "StateTo": CONVERSATION_STATES.__contains__,
}


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
        if len(params.getlist("EventType")) > 1:
            raise MalformedEvent("EventType is repeated")
        if not EVENT_TYPE_SHAPE.fullmatch(event_type):
            raise MalformedEvent("EventType is not an event name")
        if event_type not in KNOWN_EVENTS and any(event_type.startswith(known) for known in KNOWN_EVENTS):
            raise MalformedEvent("EventType is a known event name with more run on: an ambiguous body")
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


def _check_unambiguous(event_type: str, params: EventParams) -> None:
    """Refuses a body that could be a re-cut of another signed body with another key (see above)."""
    for key, _ in params.pairs:
        if not PARAM_NAME_SHAPE.fullmatch(key):
            raise MalformedEvent("a parameter name is not shaped like Twilio's: an ambiguous body")
    for name in NATURAL_KEYS.get(event_type, ()):
        values = params.getlist(name)
        if len(values) != 1:
            raise MalformedEvent(f"{name} is {'missing' if not values else 'repeated'}")
        if not KEY_PARAM_CHECKS[name](values[0]):
            raise MalformedEvent(f"{name} is not what Twilio sends there")


def signed_text(params: EventParams) -> str:
    """The parameters as the signature covers them: names sorted, each name's distinct
    values sorted, name and value run together (twilio's RequestValidator.compute_signature)."""
    names = sorted({key for key, _ in params.pairs})
    return "".join(name + value for name in names for value in sorted(set(params.getlist(name))))


def dedup_key_of(source: str, event_type: str, params: EventParams) -> str:
    """The event's natural key, else a digest of what was signed (a pre-event, or an event
    type the console does not know yet): any re-cut of one signed body has the same key."""
    names = NATURAL_KEYS.get(event_type)
    if names:
        return ":".join([source, event_type, *(params.get(name) for name in names)])[:255]
    digest = hashlib.sha256(signed_text(params).encode())
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
    _check_unambiguous(event_type, params)
    return ParsedEvent(
        source=source,
        event_type=event_type,
        dedup_key=dedup_key_of(source, event_type, params),
        params=[list(pair) for pair in params.pairs],
        conversation_sid=_sid_or_blank(params, "ConversationSid", ("CH",)),
        message_sid=_sid_or_blank(params, "MessageSid", ("IM", "SM", "MM", "WA")),
        participant_sid=_sid_or_blank(params, "ParticipantSid", ("MB",)),
    )
