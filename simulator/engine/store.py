"""Creating conversations, participants and messages under Twilio's rules.

Used by the REST API and by inbound traffic (auto-creation, relays) alike, so
a rule holds whichever way a resource is made.
"""

import re

from django.conf import settings
from django.db.models import Max

from simulator import clock
from simulator.api.errors import TwilioError
from simulator.engine import services

# Re-exported: callers (and tests) name them store.DEFAULT_*.
from simulator.engine.services import DEFAULT_CHAT_SERVICE_SID, DEFAULT_MESSAGING_SERVICE_SID  # noqa: F401
from simulator.models import SimAccountWebhooks, SimConversation, SimMessage, SimParticipant
from simulator.sids import new_sid

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# https://www.twilio.com/docs/conversations/conversations-limits: "up to 1000 Participants,
# including up to 50 non-chat Participants (e.g., SMS and WhatsApp)".
MAX_PARTICIPANTS = 1000
MAX_NON_CHAT_PARTICIPANTS = 50


# Every post-event the console handles: the simulated account reaches the
# console out of the box, as `twilio_configure_webhooks` would set it. Standalone
# (config/settings/simulator.py) there is no console beside it: no URL until a client
# configures one (or SIMULATOR_DEFAULT_WEBHOOK_BASE_URL names a console); setting
# only PostWebhookUrl then gets these events.
DEFAULT_ACCOUNT_WEBHOOK_FILTERS = [
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
]


def account_webhooks() -> SimAccountWebhooks:
    """The account's /v1/Configuration/Webhooks row (pk=1), made with the console's defaults on first use."""
    row, _ = SimAccountWebhooks.objects.get_or_create(
        pk=1,
        defaults={
            "method": "POST",
            "filters": list(DEFAULT_ACCOUNT_WEBHOOK_FILTERS),
            "target": "webhook",
            "post_webhook_url": _default_post_webhook_url(),
        },
    )
    return row


def _default_post_webhook_url() -> str | None:
    """Embedded: the console's own webhook endpoint. Standalone: SIMULATOR_DEFAULT_WEBHOOK_BASE_URL's, or none."""
    base = settings.SIMULATOR_DEFAULT_WEBHOOK_BASE_URL
    if base is None:
        base = settings.PUBLIC_BASE_URL
    return f"{base.rstrip('/')}/webhooks/twilio/conversations/" if base else None


def channel_of(address: str) -> str:
    return "whatsapp" if address.startswith("whatsapp:") else "sms"


def check_address(address: str, parameter: str) -> None:
    """Twilio error 50407: an SMS address must be E.164, WhatsApp `whatsapp:` + E.164."""
    number = address[len("whatsapp:") :] if address.startswith("whatsapp:") else address
    if len(address) > 256 or not E164.match(number):
        raise TwilioError(400, 50407, f"Invalid {parameter}: '{address}' is not a valid SMS or WhatsApp address")


def create_conversation(
    *,
    unique_name=None,
    friendly_name=None,
    attributes=None,
    state=None,
    timers_inactive=None,
    timers_closed=None,
    messaging_service_sid=None,
    chat_service_sid=None,
) -> SimConversation:
    """In `chat_service_sid` (the account's default service when None). A conversation
    created without a timer gets the account's default for it (/v1/Configuration)."""
    if unique_name and SimConversation.objects.filter(unique_name=unique_name).exists():
        raise TwilioError(409, 50353, f"Conversation with provided unique name '{unique_name}' already exists")
    now = clock.now()
    defaults = services.configuration()
    return SimConversation.objects.create(
        sid=new_sid("CH"),
        unique_name=unique_name or None,
        friendly_name=friendly_name,
        attributes=attributes or "{}",
        state=state or "active",
        timers_inactive=timers_inactive or defaults.default_inactive_timer,
        timers_closed=timers_closed or defaults.default_closed_timer,
        chat_service_sid=chat_service_sid or services.default_service_sid(),
        messaging_service_sid=messaging_service_sid or defaults.default_messaging_service_sid,
        last_activity_at=now,
        date_created=now,
        date_updated=now,
    )


def binding_conflict(address: str, proxy_address: str):
    """The non-closed conversation already holding this address+proxy pair, if any."""
    return (
        SimParticipant.objects.filter(address=address, proxy_address=proxy_address)
        .exclude(conversation__state="closed")
        .select_related("conversation")
        .first()
    )


def add_participant(
    conversation,
    *,
    identity=None,
    address=None,
    proxy_address=None,
    projected_address=None,
    attributes=None,
    role_sid=None,
) -> SimParticipant:
    if identity and conversation.participants.filter(identity=identity).exists():
        raise TwilioError(409, 50433, "Participant already exists")
    if address:
        check_address(address, "MessagingBinding.Address")
        if not proxy_address:
            raise TwilioError(400, 50407, "MessagingBinding.ProxyAddress is required with MessagingBinding.Address")
        check_address(proxy_address, "MessagingBinding.ProxyAddress")
        if channel_of(address) != channel_of(proxy_address):
            raise TwilioError(400, 50407, "MessagingBinding.Address and ProxyAddress must use the same channel")
        taken = binding_conflict(address, proxy_address)
        if taken:
            # One non-closed conversation per address+proxy pair, so inbound
            # messages can be routed.
            raise TwilioError(
                409,
                50416,
                f"A binding for this participant and proxy address already exists in Conversation "
                f"{taken.conversation.sid}",
            )
    elif not identity:
        raise TwilioError(400, 50407, "Either Identity or MessagingBinding.Address is required")
    check_participant_limits(conversation, non_chat=bool(address))
    now = clock.now()
    return SimParticipant.objects.create(
        sid=new_sid("MB"),
        conversation=conversation,
        identity=identity or None,
        address=address or None,
        proxy_address=proxy_address or None,
        projected_address=projected_address or None,
        channel=channel_of(address) if address else "chat",
        attributes=attributes or "{}",
        role_sid=role_sid,
        date_created=now,
        date_updated=now,
    )


def check_participant_limits(conversation, *, non_chat: bool) -> None:
    """One more participant must fit Twilio's counts: 50417 (https://www.twilio.com/docs/errors/50417,
    "Participants limit exceeded") past 1,000 in all, 50418 (https://www.twilio.com/docs/errors/50418,
    "Non-Chat participants limit exceeded") past 50 SMS/WhatsApp ones."""
    participants = conversation.participants
    if participants.count() >= MAX_PARTICIPANTS:
        raise TwilioError(400, 50417, f"Participants limit exceeded: a conversation holds at most {MAX_PARTICIPANTS}")
    if non_chat and participants.exclude(channel="chat").count() >= MAX_NON_CHAT_PARTICIPANTS:
        raise TwilioError(
            400,
            50418,
            f"Non-Chat participants limit exceeded: a conversation holds at most {MAX_NON_CHAT_PARTICIPANTS} "
            "SMS/WhatsApp participants",
        )


def create_message(
    conversation,
    *,
    author=None,
    body=None,
    media=None,
    attributes=None,
    content_sid=None,
    content_variables=None,
    subject=None,
    participant=None,
    date_created=None,
) -> SimMessage:
    """The next message of a conversation; the caller then runs delivery."""
    now = date_created or clock.now()
    # `top or -1` would turn an existing index 0 into -1 and reuse index 0.
    top = conversation.messages.aggregate(top=Max("index"))["top"]
    index = 0 if top is None else top + 1
    message = SimMessage.objects.create(
        sid=new_sid("IM"),
        conversation=conversation,
        index=index,
        author=author or "system",
        body=None if content_sid else body,
        media=media,
        attributes=attributes or "{}",
        content_sid=content_sid,
        content_variables=content_variables,
        subject=subject,
        participant_sid=participant.sid if participant else None,
        date_created=now,
        date_updated=now,
    )
    conversation.last_activity_at = now
    conversation.save(update_fields=["last_activity_at"])
    return message
