"""The audit trail: one row per staff action that reached (or was queued for) Twilio.

Written only by `audit/entries.py::audit_record`; the admin shows it read-only.
Rows never hold a full phone number, a message body or a token: `target_repr`,
`detail` and `twilio_error` are masked when written, so the table is safe to
show to every staff group and to keep for as long as an audit needs.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from conversations_ops.masking import mask_numbers_in

from .sync import SyncOperation


class AuditSource(models.TextChoices):
    ADMIN = "admin", "Admin"
    SHELL = "shell", "Shell command"
    WORKER = "worker", "Worker / code"
    WEBHOOK = "webhook", "Twilio webhook"


class AuditResult(models.TextChoices):
    QUEUED = "queued", "Queued (waiting for Twilio)"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled (never sent)"


class AuditEntry(models.Model):
    created_at = models.DateTimeField(
        "when",
        default=timezone.now,
        editable=False,
        help_text="When the action was taken.",
    )
    # SET_NULL plus actor_name: deleting a staff account must not erase what they did.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        help_text="Staff member who acted; empty for a shell command run without --as.",
    )
    actor_name = models.CharField(
        "who",
        max_length=150,
        blank=True,
        help_text="Who acted, as a name kept even if the account is deleted.",
    )
    source = models.CharField(
        max_length=16,
        choices=AuditSource.choices,
        help_text="Where the action came from.",
    )
    action = models.CharField(
        max_length=64,
        help_text="What was done, e.g. conversation.create, pairing.start, template.submit.",
    )
    # PROTECT, as on SyncOperation: the record of what was done outlives model changes.
    content_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Kind of record acted on.",
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="Id of the record acted on.")
    target_repr = models.CharField(
        "target",
        max_length=200,
        blank=True,
        help_text="The record acted on, as it was named then (numbers masked).",
    )
    target_sid = models.CharField(
        "target SID",
        max_length=34,
        blank=True,
        help_text="Twilio SID of the record acted on when the action was taken, if any.",
    )
    detail = models.JSONField(
        default=dict,
        blank=True,
        help_text="What was asked (e.g. changed field names); never message bodies, full numbers or tokens.",
    )
    result_state = models.CharField(
        "Twilio result",
        max_length=16,
        choices=AuditResult.choices,
        default=AuditResult.SUCCEEDED,
        help_text="How Twilio answered; queued until the push carrying it settles.",
    )
    twilio_sid = models.CharField(
        "Twilio SID",
        max_length=34,
        blank=True,
        help_text="SID Twilio answered with, if any.",
    )
    twilio_error_code = models.IntegerField(
        "Twilio error code",
        null=True,
        blank=True,
        help_text="Twilio's error code when it refused, e.g. 50416.",
    )
    twilio_http_status = models.IntegerField(
        "HTTP status",
        null=True,
        blank=True,
        help_text="HTTP status of the refusal; empty when Twilio did not answer.",
    )
    twilio_error = models.TextField(
        "Twilio's message",
        blank=True,
        help_text="Twilio's message when it refused (numbers masked).",
    )
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When Twilio's result was known.")
    # SET_NULL: pruning old outbox rows must not take the audit trail with them.
    operation = models.ForeignKey(
        SyncOperation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        help_text="The outbox operation that carried this action to Twilio, if any.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="auditentry_created_idx"),
            models.Index(fields=["content_type", "object_id"], name="auditentry_target_idx"),
            # The admin's exact searches by SID.
            models.Index(fields=["twilio_sid"], name="auditentry_twilio_sid_idx"),
            models.Index(fields=["target_sid"], name="auditentry_target_sid_idx"),
        ]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"

    def __str__(self):
        who = self.actor_name or self.get_source_display()
        return mask_numbers_in(f"{self.action} by {who} ({self.get_result_state_display()})")
