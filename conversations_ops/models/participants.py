from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from conversations_ops import validators as v
from conversations_ops.masking import mask_numbers_in, shown

from .base import LIVE_ON_TWILIO, TwilioMirror
from .conversations import Conversation

PARTICIPANT_ATTRIBUTES_MAX_BYTES = 4 * 1024


class BindingType(models.TextChoices):
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    CHAT = "chat", "Chat"


class ParticipantRole(models.TextChoices):
    """Who the person is to the business; Twilio knows nothing of it."""

    CUSTOMER = "customer", "Customer"
    COURIER = "courier", "Courier"
    AGENT = "agent", "Agent"
    OTHER = "other", "Other"


class Participant(TwilioMirror):
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="participants",
        help_text="The conversation this person is in.",
    )
    identity = models.CharField(
        max_length=256, blank=True, help_text="Chat user name; leave empty for SMS or WhatsApp people."
    )
    messaging_binding_type = models.CharField(
        max_length=16, choices=BindingType.choices, blank=True, help_text="The person's channel."
    )
    messaging_binding_address = models.CharField(
        max_length=256,
        blank=True,
        db_index=True,
        validators=[v.validate_messaging_address],
        help_text="The person's phone, e.g. whatsapp:+14155550100 or +14155550100 for SMS.",
    )
    messaging_binding_proxy_address = models.CharField(
        max_length=256,
        blank=True,
        validators=[v.validate_messaging_address],
        help_text="Our business number they talk to, on the same channel, e.g. whatsapp:+14155550199.",
    )
    messaging_binding_projected_address = models.CharField(
        max_length=256,
        blank=True,
        validators=[v.validate_e164],
        help_text="Number a chat user appears as in group texts (rarely used).",
    )
    attributes = models.TextField(
        default="{}",
        validators=[v.validate_json_object_text(PARTICIPANT_ATTRIBUTES_MAX_BYTES)],
        help_text='Extra data as a JSON object, at most 4 KB, e.g. {"name": "Ana"}.',
    )
    role_sid = models.CharField(
        max_length=34,
        blank=True,
        validators=[v.sid_validator(v.ROLE_PREFIX)],
        help_text="Twilio role (RL...); empty uses the default role.",
    )
    role = models.CharField(
        max_length=16,
        choices=ParticipantRole.choices,
        blank=True,
        help_text="Who this person is for the business.",
    )
    last_read_message_index = models.IntegerField(
        null=True, blank=True, help_text="Index of the last message this person has read."
    )
    last_read_timestamp = models.DateTimeField(
        null=True, blank=True, help_text="When this person last read the conversation."
    )

    class Meta(TwilioMirror.Meta):
        constraints = [
            *TwilioMirror.Meta.constraints,
            models.UniqueConstraint(
                fields=["conversation", "messaging_binding_address", "messaging_binding_proxy_address"],
                condition=~Q(messaging_binding_address="") & LIVE_ON_TWILIO,
                name="%(app_label)s_participant_unique_binding",
                violation_error_message="This address already talks to that business number here.",
            ),
            models.UniqueConstraint(
                fields=["conversation", "identity"],
                condition=~Q(identity="") & LIVE_ON_TWILIO,
                name="%(app_label)s_participant_unique_identity",
                violation_error_message="This chat identity is already in the conversation.",
            ),
        ]

    def __str__(self):
        # A row an admin loaded for someone without "view full numbers" names the person masked
        # (page titles, breadcrumbs, inline rows and delete pages all print str()).
        return mask_numbers_in(self.identity) or shown(self, self.messaging_binding_address) or self.sid_or_placeholder

    def clean(self):
        if self.identity and self.messaging_binding_address:
            raise ValidationError({"identity": "Give a chat identity or a phone address, not both."})
        if not self.identity and not self.messaging_binding_address:
            message = "Give a chat identity or a phone address (SMS or WhatsApp)."
            raise ValidationError({"identity": message, "messaging_binding_address": message})
        if self.messaging_binding_address:
            self._clean_binding()

    def _clean_binding(self):
        # Twilio routes replies by the (address, proxy) pair, so both sides must
        # be on one channel: whatsapp: with whatsapp:, bare number with bare number.
        channel = v.channel_for_address(self.messaging_binding_address)
        proxy = self.messaging_binding_proxy_address
        if not proxy or v.channel_for_address(proxy) != channel:
            example = "whatsapp:+14155550199" if channel == "whatsapp" else "+14155550199"
            raise ValidationError(
                {"messaging_binding_proxy_address": f"Needs our {channel} business address, e.g. {example}."}
            )
        if self.messaging_binding_type and self.messaging_binding_type != channel:
            raise ValidationError({"messaging_binding_type": f"The address is a {channel} address."})
