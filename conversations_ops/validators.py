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

MAX_BODY_LENGTH = 1600
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
