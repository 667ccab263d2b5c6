from django.conf import settings
from django.db import models

from conversations_ops import validators as v
from conversations_ops.masking import mask_numbers_in

from .base import TwilioMirror


class Template(TwilioMirror):
    """A Content API template; `sid` is its HX... SID."""

    friendly_name = models.CharField(
        max_length=256, blank=True, db_index=True, help_text="A name staff recognise, e.g. courier_invite."
    )
    language = models.CharField(max_length=16, help_text="Language code of the text, e.g. en or pt_BR.")
    variables = models.JSONField(
        default=dict,
        blank=True,
        help_text='Placeholder numbers with sample values, e.g. {"1": "Ana"}.',
    )
    types = models.JSONField(
        default=dict,
        validators=[v.validate_content_types],
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
        max_length=32,
        blank=True,
        db_index=True,
        help_text="WhatsApp approval status as Twilio reports it, e.g. approved, pending, rejected.",
    )
    approval_rejection_reason = models.TextField(blank=True, help_text="Why WhatsApp rejected it, if it did.")
    approval_allow_category_change = models.BooleanField(
        null=True, blank=True, help_text="Whether WhatsApp may move it to another category."
    )
    # Twilio takes one approval request per Content SID (error 92009): a corrected
    # template is a new one, and this link says which it replaces. The console's own.
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        help_text="The template this one was copied from (“Copy as a new template”); empty for an original.",
    )

    def __str__(self):
        # A name is printed in titles, breadcrumbs, links, logs and the admin log: never a whole number.
        return mask_numbers_in(self.friendly_name) or self.sid_or_placeholder

    @property
    def body_text(self) -> str:
        """The text staff would read: twilio/text first, else the first type that has a body."""
        types = self.types if isinstance(self.types, dict) else {}
        ordered = [types.get("twilio/text"), *types.values()]
        for content in ordered:
            if isinstance(content, dict) and isinstance(content.get("body"), str):
                return content["body"]
        return ""


# Statuses that stop WhatsApp from delivering the template: staff must hear about them.
ALERTING_STATUSES = ("rejected", "paused", "disabled")
# Submitted and not yet decided: Twilio reports "received" first, then "pending" while WhatsApp reviews.
AWAITING_APPROVAL_STATUSES = ("received", "pending")


class TemplateStatusChange(models.Model):
    """One change of a template's WhatsApp approval status, as a sync first saw it.

    Rows chain through `previous` (unique), so two syncs running at once record a
    change once. A change to an alerting status of a template in use is an alert
    until a staff member acknowledges it.
    """

    template = models.ForeignKey(
        Template,
        on_delete=models.CASCADE,
        related_name="status_changes",
        help_text="The template whose status changed.",
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_change",
        help_text="The change before this one; empty for the first status seen.",
    )
    old_status = models.CharField(max_length=32, blank=True, help_text="Status before; empty when first seen.")
    new_status = models.CharField(max_length=32, blank=True, help_text="Status Twilio reported.")
    # Meta re-categorises templates (e.g. UTILITY -> MARKETING), during review or after
    # approval; Twilio only reports the current category, so the history keeps both.
    old_category = models.CharField(
        max_length=64, blank=True, help_text="WhatsApp category before; empty when first seen."
    )
    new_category = models.CharField(max_length=64, blank=True, help_text="WhatsApp category Twilio reported.")
    rejection_reason = models.TextField(blank=True, help_text="Why WhatsApp rejected it, if it did.")
    seen_at = models.DateTimeField(db_index=True, help_text="When a sync first saw the new status.")
    in_use = models.BooleanField(default=False, help_text="Whether the template was in use when this was seen.")
    alert = models.BooleanField(
        default=False,
        help_text="Raised because a template in use became rejected, paused or disabled, or changed category.",
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff member who acknowledged the alert.",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True, help_text="When the alert was acknowledged.")

    class Meta:
        ordering = ["-seen_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template"],
                condition=models.Q(previous__isnull=True),
                name="%(app_label)s_template_first_status_change",
            ),
        ]
        indexes = [models.Index(fields=["alert", "acknowledged_at"], name="template_alert_open_idx")]

    def __str__(self):
        text = f"{self.template}: {self.old_status or '(none)'} -> {self.new_status or '(none)'}"
        if self.recategorised:
            text += f", category {self.old_category} -> {self.new_category}"
        return text

    @property
    def recategorised(self) -> bool:
        """WhatsApp moved the template to another category (a first category seen is not a move)."""
        return bool(self.old_category) and self.old_category != self.new_category

    @property
    def status_changed(self) -> bool:
        return self.old_status != self.new_status

    @property
    def open_alert(self) -> bool:
        return self.alert and self.acknowledged_at is None
