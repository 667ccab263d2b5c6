from django.core.exceptions import ValidationError
from django.db import models

from conversations_ops import validators as v
from conversations_ops.masking import mask_numbers_in

from .base import LIVE_ON_TWILIO, TwilioMirror


class AddressType(models.TextChoices):
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    MESSENGER = "messenger", "Messenger"
    GBM = "gbm", "Google Business Messages"
    EMAIL = "email", "Email"
    RCS = "rcs", "RCS"
    APPLE = "apple", "Apple Messages"
    CHAT = "chat", "Chat"


class AutoCreationType(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    STUDIO = "studio", "Studio flow"
    DEFAULT = "default", "Default"


class WebhookMethod(models.TextChoices):
    # Twilio's request enum is lowercase here, although responses show uppercase.
    GET = "get", "GET"
    POST = "post", "POST"


class AddressConfiguration(TwilioMirror):
    type = models.CharField(
        max_length=16,
        choices=AddressType.choices,
        default=AddressType.WHATSAPP,
        help_text="The channel of this business address.",
    )
    address = models.CharField(
        max_length=256,
        help_text="The business address, e.g. whatsapp:+14155550100 or +14155550100 for SMS.",
    )
    friendly_name = models.CharField(max_length=256, blank=True, help_text="A name staff recognise.")
    auto_creation_enabled = models.BooleanField(
        default=False, help_text="Start a conversation automatically when someone writes to this address."
    )
    auto_creation_type = models.CharField(
        max_length=16,
        choices=AutoCreationType.choices,
        blank=True,
        help_text="What handles new conversations: a webhook, a Studio flow, or Twilio's default.",
    )
    auto_creation_conversation_service_sid = models.CharField(
        max_length=34,
        blank=True,
        validators=[v.sid_validator(v.CHAT_SERVICE_PREFIX)],
        help_text="Conversation service for new conversations (IS...); empty uses the default.",
    )
    auto_creation_webhook_url = models.URLField(
        max_length=512, blank=True, help_text="Where Twilio sends events (needed for the webhook type)."
    )
    auto_creation_webhook_method = models.CharField(
        max_length=4, choices=WebhookMethod.choices, blank=True, help_text="HTTP method of the webhook."
    )
    auto_creation_webhook_filters = models.JSONField(
        default=list,
        blank=True,
        validators=[v.validate_webhook_filters(v.AUTO_CREATION_WEBHOOK_FILTERS)],
        help_text='Events sent to the webhook, e.g. ["onMessageAdded", "onParticipantAdded"].',
    )
    auto_creation_studio_flow_sid = models.CharField(
        max_length=34,
        blank=True,
        validators=[v.sid_validator(v.STUDIO_FLOW_PREFIX)],
        help_text="Studio flow for new conversations (FW...; needed for the studio type).",
    )
    auto_creation_studio_retry_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How often Twilio retries the Studio flow (studio type only)."
    )
    address_country = models.CharField(
        max_length=2,
        blank=True,
        validators=[v.validate_country_code],
        help_text="Two-letter country code of the address, e.g. US. Set when creating only.",
    )

    class Meta(TwilioMirror.Meta):
        verbose_name = "address configuration"
        constraints = [
            *TwilioMirror.Meta.constraints,
            # A row Twilio deleted keeps its history but no longer holds the
            # address: Twilio lets it be configured again, and so must we.
            models.UniqueConstraint(
                fields=["address"],
                condition=LIVE_ON_TWILIO,
                name="%(app_label)s_address_unique_live",
                violation_error_message="Another address configuration already uses this address.",
                violation_error_code="unique",  # with one field: reported on the address field
            ),
        ]

    def __str__(self):
        # A name is printed in titles, breadcrumbs, links, logs and the admin log: never a whole number.
        return mask_numbers_in(self.friendly_name) or self.address  # the address is the business's own

    def clean(self):
        errors = {}
        address_check = {AddressType.WHATSAPP: v.validate_whatsapp_address, AddressType.SMS: v.validate_e164}
        if self.type in address_check and self.address:
            try:
                address_check[self.type](self.address)
            except ValidationError as exc:
                errors["address"] = exc.messages
        errors.update(self._auto_creation_errors())
        if errors:
            raise ValidationError(errors)

    def full_clean(self, *args, **kwargs):
        # Before any check, so a leftover value of another type is neither validated nor saved:
        # the admin form and every service validate through here.
        self.clear_other_type_fields()
        super().full_clean(*args, **kwargs)

    def clear_other_type_fields(self) -> list[str]:
        """Empties the fields of the auto-creation types not chosen; returns their names.

        Twilio reads the webhook fields only for the webhook type and the Studio fields only
        for the studio type (AutoCreation.WebhookUrl: "For type `webhook`, ...";
        https://www.twilio.com/docs/conversations/api/address-configuration-resource). The form
        shows every type's fields when its script does not run, so a value typed for another
        type is dropped here, once, rather than refused or sent. The Conversation Service is
        not a type's field: any type may name one.
        """
        cleared = []
        for kind, empties in TYPE_FIELDS.items():
            if self.auto_creation_type == kind:
                continue
            for name, empty in empties.items():
                if getattr(self, name) not in (empty, None, "", []):
                    cleared.append(name)
                setattr(self, name, empty() if callable(empty) else empty)
        return cleared

    def _auto_creation_errors(self):
        errors = {}
        if self.auto_creation_type == AutoCreationType.WEBHOOK and not self.auto_creation_webhook_url:
            errors["auto_creation_webhook_url"] = "A webhook URL is needed when auto-creation uses a webhook."
        if self.auto_creation_type == AutoCreationType.STUDIO and not self.auto_creation_studio_flow_sid:
            errors["auto_creation_studio_flow_sid"] = (
                "The studio type needs a Studio flow: pick one of the account's flows (FW...)."
            )
        return errors


# The fields only one auto-creation type reads, with their empty values (`list` for a fresh []).
TYPE_FIELDS = {
    AutoCreationType.WEBHOOK: {
        "auto_creation_webhook_url": "",
        "auto_creation_webhook_method": "",
        "auto_creation_webhook_filters": list,
    },
    AutoCreationType.STUDIO: {
        "auto_creation_studio_flow_sid": "",
        "auto_creation_studio_retry_count": None,
    },
}
