from django.db import models

from conversations_ops import validators as v

from .base import TwilioMirror


class Template(TwilioMirror):
    """A Content API template; `sid` is its HX... SID."""

    friendly_name = models.CharField(
        max_length=256, blank=True, db_index=True, help_text="A name staff recognise, e.g. courier_invite."
    )
    language = models.CharField(max_length=16, help_text="Language code of the text, e.g. en or pt_BR.")
    variables = models.JSONField(
        default=dict, blank=True,
        help_text='Placeholder numbers with sample values, e.g. {"1": "Ana"}.',
    )
    types = models.JSONField(
        default=dict, validators=[v.validate_content_types],
        help_text='The content by type, e.g. {"twilio/text": {"body": "Hello {{1}}"}}.',
    )
    approval_name = models.CharField(
        max_length=256, blank=True, help_text="Name sent to WhatsApp for approval, e.g. courier_invite."
    )
    # Category and status stay free text: Twilio documents more values than its spec lists.
    approval_category = models.CharField(
        max_length=64, blank=True, help_text="WhatsApp category, e.g. UTILITY, MARKETING or AUTHENTICATION."
    )
    approval_status = models.CharField(
        max_length=32, blank=True, db_index=True,
        help_text="WhatsApp approval status as Twilio reports it, e.g. approved, pending, rejected.",
    )
    approval_rejection_reason = models.TextField(blank=True, help_text="Why WhatsApp rejected it, if it did.")
    approval_allow_category_change = models.BooleanField(
        null=True, blank=True, help_text="Whether WhatsApp may move it to another category."
    )

    def __str__(self):
        return self.friendly_name or self.sid_or_placeholder

    @property
    def body_text(self) -> str:
        """The text staff would read: twilio/text first, else the first type that has a body."""
        types = self.types if isinstance(self.types, dict) else {}
        ordered = [types.get("twilio/text"), *types.values()]
        for content in ordered:
            if isinstance(content, dict) and isinstance(content.get("body"), str):
                return content["body"]
        return ""
