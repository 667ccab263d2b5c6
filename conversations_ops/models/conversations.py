from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from conversations_ops import validators as v
from conversations_ops.masking import mask_numbers_in

from .addresses import WebhookMethod
from .base import LIVE_ON_TWILIO, TwilioMirror

CONVERSATION_ATTRIBUTES_MAX_BYTES = 16 * 1024


class ConversationState(models.TextChoices):
    INITIALIZING = "initializing", "Initializing"
    INACTIVE = "inactive", "Inactive"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Conversation(TwilioMirror):
    unique_name = models.CharField(
        max_length=256,
        blank=True,
        db_index=True,
        help_text="Optional unique name; Twilio accepts it in place of the SID, so it must not look like one "
        "(CH followed by 32 hex characters).",
    )
    friendly_name = models.CharField(max_length=256, blank=True, help_text="A name staff recognise.")
    attributes = models.TextField(
        default="{}",
        validators=[v.validate_json_object_text(CONVERSATION_ATTRIBUTES_MAX_BYTES)],
        help_text='Extra data as a JSON object, at most 16 KB, e.g. {"order_id": "A123"}.',
    )
    state = models.CharField(
        max_length=16,
        choices=ConversationState.choices,
        default=ConversationState.ACTIVE,
        db_index=True,
        help_text="A new conversation starts active or inactive; closed ones take no new messages.",
    )
    timers_inactive = models.CharField(
        max_length=32,
        blank=True,
        validators=[v.validate_iso8601_duration(timedelta(minutes=1))],
        help_text="Idle time before Twilio marks it inactive, e.g. PT30M (at least 1 minute).",
    )
    timers_closed = models.CharField(
        max_length=32,
        blank=True,
        validators=[v.validate_iso8601_duration(timedelta(minutes=10))],
        help_text="Idle time before Twilio closes it, e.g. P1D (at least 10 minutes).",
    )
    date_inactive = models.DateTimeField(null=True, blank=True, help_text="When Twilio's timer will make it inactive.")
    date_closed = models.DateTimeField(null=True, blank=True, help_text="When Twilio's timer will close it.")
    messaging_service_sid = models.CharField(
        max_length=34,
        blank=True,
        validators=[v.sid_validator(v.MESSAGING_SERVICE_PREFIX)],
        help_text="Messaging service used for SMS/WhatsApp (MG...); empty uses the default.",
    )
    chat_service_sid = models.CharField(
        max_length=34,
        blank=True,
        validators=[v.sid_validator(v.CHAT_SERVICE_PREFIX)],
        help_text="Conversation service it belongs to (IS...).",
    )

    class Meta(TwilioMirror.Meta):
        constraints = [
            *TwilioMirror.Meta.constraints,
            models.UniqueConstraint(
                fields=["unique_name"],
                condition=~Q(unique_name="") & LIVE_ON_TWILIO,
                name="%(app_label)s_conv_unique_name",
                violation_error_message="Another conversation already uses this unique name.",
            ),
        ]

    def __str__(self):
        # A name is printed in titles, breadcrumbs, links, logs and the admin log: never a whole number.
        return mask_numbers_in(self.friendly_name or self.unique_name) or self.sid_or_placeholder

    def reaches_phones(self) -> bool:
        """Whether an SMS or WhatsApp participant takes part: their channels carry at most 1,600
        characters a message, where chat alone takes 32 KB (validators.message_body_problem)."""
        return self.participants.filter(LIVE_ON_TWILIO, messaging_binding_type__in=("sms", "whatsapp")).exists()


class WebhookTarget(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    TRIGGER = "trigger", "Trigger (keywords)"
    STUDIO = "studio", "Studio flow"


class ConversationWebhook(TwilioMirror):
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="webhooks",
        help_text="The conversation whose events this webhook receives.",
    )
    target = models.CharField(
        max_length=16,
        choices=WebhookTarget.choices,
        help_text="Where events go: a URL, a keyword trigger, or a Studio flow.",
    )
    url = models.URLField(max_length=512, blank=True, help_text="Where Twilio sends events.")
    method = models.CharField(
        max_length=4, choices=WebhookMethod.choices, blank=True, help_text="HTTP method of the webhook."
    )
    filters = models.JSONField(
        default=list,
        blank=True,
        validators=[v.validate_webhook_filters(v.CONVERSATION_WEBHOOK_FILTERS)],
        help_text='Events to send, e.g. ["onMessageAdded"].',
    )
    triggers = models.JSONField(
        default=list,
        blank=True,
        validators=[v.validate_string_list],
        help_text='Keywords that fire a trigger webhook, e.g. ["help"].',
    )
    flow_sid = models.CharField(
        max_length=34,
        blank=True,
        validators=[v.sid_validator(v.STUDIO_FLOW_PREFIX)],
        help_text="Studio flow to run (FW...; studio target only).",
    )
    replay_after = models.IntegerField(
        null=True, blank=True, help_text="Replay messages after this index to a new flow (set at creation only)."
    )

    class Meta(TwilioMirror.Meta):
        verbose_name = "conversation webhook"

    def __str__(self):
        return f"{self.get_target_display()} webhook {self.sid_or_placeholder}"

    def clean(self):
        required = {
            WebhookTarget.WEBHOOK: ("url", "A webhook target needs a URL."),
            WebhookTarget.STUDIO: ("flow_sid", "A studio target needs a Studio flow SID (FW...)."),
            WebhookTarget.TRIGGER: ("triggers", 'A trigger target needs keywords, e.g. ["help"].'),
        }
        field, message = required.get(self.target, (None, None))
        if field and not getattr(self, field):
            raise ValidationError({field: message})
