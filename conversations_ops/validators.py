"""Field validators for values Twilio would reject, so staff see the problem on the form.

Factories return deconstructible objects, not closures: migrations must be able
to serialize every validator attached to a model field.
"""

import json
from datetime import timedelta

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.dateparse import parse_duration
from django.utils.deconstruct import deconstructible

# A message body is limited by channel (https://www.twilio.com/docs/conversations/conversations-limits):
# SMS and WhatsApp carry 1,600 characters (longer fails each phone's receipt, 21617), chat 32 KB.
MAX_BODY_LENGTH = 1600
MAX_CHAT_BODY_BYTES = 32 * 1024
WHATSAPP_PREFIX = "whatsapp:"
# Twilio's WhatsApp Sandbox number, shared by every account (https://www.twilio.com/docs/whatsapp/sandbox):
# it is no account's sender and cannot auto-create conversations (docs/fidelity.md).
WHATSAPP_SANDBOX_ADDRESS = "whatsapp:+14155238886"
E164_EXAMPLE = "+14155550100"

# Twilio SID prefixes, as in the OpenAPI patterns (vendor/twilio-oai/, e.g. ^CH[0-9a-fA-F]{32}$).
CHAT_SERVICE_PREFIX = "IS"
CONTENT_PREFIX = "HX"
CONVERSATION_PREFIX = "CH"
MEDIA_PREFIX = "ME"
MESSAGING_SERVICE_PREFIX = "MG"
PARTICIPANT_PREFIX = "MB"
ROLE_PREFIX = "RL"
STUDIO_FLOW_PREFIX = "FW"

# The names Twilio lists for AutoCreation.WebhookFilters. Conversation-scoped
# webhooks take post-events only, and these are the post-events that concern a
# conversation which already exists, so both filter lists share the set.
POST_EVENT_FILTERS = (
    "onConversationRemoved",
    "onConversationStateUpdated",
    "onConversationUpdated",
    "onDeliveryUpdated",
    "onMessageAdded",
    "onMessageRemoved",
    "onMessageUpdated",
    "onParticipantAdded",
    "onParticipantRemoved",
    "onParticipantUpdated",
)
AUTO_CREATION_WEBHOOK_FILTERS = POST_EVENT_FILTERS
CONVERSATION_WEBHOOK_FILTERS = POST_EVENT_FILTERS


def _fail(message, code, **params):
    raise ValidationError(message, code=code, params=params)


def validate_e164(value):
    if not _is_canonical_e164(value):
        _fail(
            f"%(value)r is not a valid phone number in E.164 format, e.g. {E164_EXAMPLE}.", "invalid_e164", value=value
        )


def _is_canonical_e164(value):
    try:
        number = phonenumbers.parse(value, None)
    except (phonenumbers.NumberParseException, TypeError):
        return False
    canonical = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.is_valid_number(number) and canonical == value


def validate_whatsapp_address(value):
    prefixed = value.startswith(WHATSAPP_PREFIX)
    if not (prefixed and _is_canonical_e164(value.removeprefix(WHATSAPP_PREFIX))):
        _fail(
            "%(value)r is not a valid WhatsApp address: write whatsapp: followed by an "
            f"E.164 number, e.g. whatsapp:{E164_EXAMPLE}.",
            "invalid_whatsapp_address",
            value=value,
        )


def validate_messaging_address(value):
    if channel_for_address(value) == "whatsapp":
        validate_whatsapp_address(value)
    elif not _is_canonical_e164(value):
        _fail(
            f"%(value)r is not a valid SMS or WhatsApp address, e.g. {E164_EXAMPLE} or whatsapp:{E164_EXAMPLE}.",
            "invalid_messaging_address",
            value=value,
        )


def channel_for_address(value: str) -> str:
    return "whatsapp" if value.startswith(WHATSAPP_PREFIX) else "sms"


def sid_validator(prefix: str) -> RegexValidator:
    return RegexValidator(
        regex=rf"^{prefix}[0-9a-fA-F]{{32}}$",
        message=f"Must be a Twilio SID starting with {prefix} followed by 32 hex characters.",
        code="invalid_sid",
    )


# A unique name can stand in for the SID in Twilio's URLs, so Twilio refuses one shaped like a
# conversation SID (50390, https://www.twilio.com/docs/errors/50390: "CH[0-9a-f]{32}").
validate_conversation_unique_name = RegexValidator(
    regex=rf"^{CONVERSATION_PREFIX}[0-9a-f]{{32}}$",
    inverse_match=True,
    message="Twilio refuses a unique name shaped like a conversation SID (CH and 32 hex characters): "
    "choose another, e.g. order-A123.",
    code="unique_name_like_sid",
)

# A conversation is created active or inactive: Twilio refuses one created closed (50384,
# https://www.twilio.com/docs/errors/50384), and "initializing" is Twilio's own state.
INITIAL_CONVERSATION_STATES = ("active", "inactive")


def validate_initial_conversation_state(value):
    if value not in INITIAL_CONVERSATION_STATES:
        _fail(
            "A new conversation starts active or inactive (Twilio refuses %(value)r at creation); "
            "close it once it exists.",
            "invalid_initial_state",
            value=value,
        )


def message_body_problem(body: str, *, reaches_phones: bool) -> str | None:
    """Why Twilio would not carry this text, or None. `reaches_phones`: the conversation has an
    SMS or WhatsApp participant, so the 1,600-character limit applies; chat alone allows 32 KB."""
    if reaches_phones and len(body) > MAX_BODY_LENGTH:
        return (
            f"SMS and WhatsApp carry at most {MAX_BODY_LENGTH} characters; this has {len(body)}. "
            "Shorten it or split it over several messages."
        )
    size = len(body.encode("utf-8"))
    if size > MAX_CHAT_BODY_BYTES:
        return f"Twilio keeps at most {MAX_CHAT_BODY_BYTES // 1024} KB of text per message; this is {size} bytes."
    return None


# https://www.twilio.com/docs/conversations/conversations-limits: "up to 1000 Participants, including
# up to 50 non-chat Participants (e.g., SMS and WhatsApp)"; Twilio refuses more with 50417 / 50418.
MAX_PARTICIPANTS = 1000
MAX_PHONE_PARTICIPANTS = 50


def participant_count_problem(*, participants: int, phones: int, adding_phone: bool) -> str | None:
    """Why one more participant would not fit the conversation, or None."""
    if participants >= MAX_PARTICIPANTS:
        return f"A conversation holds at most {MAX_PARTICIPANTS} participants; remove one first."
    if adding_phone and phones >= MAX_PHONE_PARTICIPANTS:
        return (
            f"A conversation holds at most {MAX_PHONE_PARTICIPANTS} SMS/WhatsApp participants; "
            "remove one first or use another conversation."
        )
    return None


validate_country_code = RegexValidator(
    regex=r"^[A-Z]{2}$",
    message="Use a two-letter upper-case ISO country code, e.g. US or DE.",
    code="invalid_country",
)


def validate_iso8601_duration(minimum: timedelta):
    return IsoDurationValidator(minimum)


def validate_json_object_text(max_bytes: int):
    return JsonObjectTextValidator(max_bytes)


def validate_webhook_filters(allowed):
    return WebhookFilterValidator(allowed)


@deconstructible
class IsoDurationValidator:
    """Twilio timers take ISO-8601 only; Django's own "1 00:05:00" form must not pass."""

    def __init__(self, minimum: timedelta):
        self.minimum = minimum

    def __call__(self, value):
        if (parse_duration(value) if value.startswith("P") else None) is None:
            _fail(
                "%(value)r is not an ISO-8601 duration, e.g. PT5M (5 minutes) or P1D (1 day).",
                "invalid_duration",
                value=value,
            )
        if parse_duration(value) < self.minimum:
            minutes = self.minimum.total_seconds() // 60
            _fail(
                "Twilio needs at least %(minutes)d minute(s) here, e.g. PT%(minutes)dM.",
                "duration_too_short",
                minutes=minutes,
            )

    def __eq__(self, other):
        return isinstance(other, IsoDurationValidator) and self.minimum == other.minimum


@deconstructible
class JsonObjectTextValidator:
    """Attributes travel as JSON text and Twilio caps them in bytes, not characters."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes

    def __call__(self, value):
        _load_json_object(value, example='{"order_id": "A123"}')
        size = len(value.encode("utf-8"))
        if size > self.max_bytes:
            _fail(
                "This JSON is %(size)d bytes; the limit is %(limit)d bytes (%(kb)d KB).",
                "json_too_large",
                size=size,
                limit=self.max_bytes,
                kb=self.max_bytes // 1024,
            )

    def __eq__(self, other):
        return isinstance(other, JsonObjectTextValidator) and self.max_bytes == other.max_bytes


@deconstructible
class WebhookFilterValidator:
    def __init__(self, allowed):
        self.allowed = tuple(sorted(allowed))

    def __call__(self, value):
        validate_string_list(value)
        unknown = [name for name in value if name not in self.allowed]
        if unknown:
            _fail(
                "Unknown event name(s): %(unknown)s. Allowed: %(allowed)s.",
                "invalid_webhook_filter",
                unknown=", ".join(unknown),
                allowed=", ".join(self.allowed),
            )

    def __eq__(self, other):
        return isinstance(other, WebhookFilterValidator) and self.allowed == other.allowed


def _load_json_object(text, *, example):
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        data = None
    if not isinstance(data, dict):
        _fail("Must be a JSON object, e.g. %(example)s.", "not_json_object", example=example)
    return data


def validate_content_variables(value):
    data = _load_json_object(value, example='{"1": "Ana"}')
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        _fail('Content variables must map names to text, e.g. {"1": "Ana", "2": "10:30"}.', "invalid_content_variables")


def validate_content_types(value):
    """Content `types` is keyed by content type, each holding that type's own object."""
    if not isinstance(value, dict) or not all(isinstance(v, dict) and "/" in k for k, v in value.items()):
        _fail(
            'Must be an object keyed by content type, e.g. {"twilio/text": {"body": "Hello {{1}}"}}.',
            "invalid_content_types",
        )


def validate_string_list(value):
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        _fail('Must be a list of words, e.g. ["start", "help"].', "not_string_list")
