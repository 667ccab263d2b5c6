from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class OperationState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class SyncOperation(models.Model):
    """The outbox: one Twilio call to make, written with the change it carries."""

    # PROTECT: the outbox is the record of what was sent; removing a model's
    # content type must not silently erase that history.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, help_text="Kind of record this operation is for."
    )
    object_id = models.PositiveBigIntegerField(help_text="Id of the record this operation is for.")
    target = GenericForeignKey("content_type", "object_id")
    operation = models.CharField(
        max_length=64, help_text="What to do on Twilio, e.g. conversation.create or message.send."
    )
    payload = models.JSONField(default=dict, blank=True, help_text="The values to send.")
    state = models.CharField(
        max_length=16,
        choices=OperationState.choices,
        default=OperationState.PENDING,
        help_text="Where this operation stands.",
    )
    attempts = models.PositiveIntegerField(default=0, help_text="How often it has been tried.")
    max_attempts = models.PositiveIntegerField(default=8, help_text="Tries before it is marked failed.")
    next_attempt_at = models.DateTimeField(default=timezone.now, help_text="Earliest time of the next try.")
    ordering_key = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Operations sharing this key run one after another, oldest first.",
    )
    # A running operation holds its lease until this time; past it, the sweep
    # treats the worker as dead and runs the operation again.
    locked_until = models.DateTimeField(
        null=True, blank=True, help_text="While running: when the worker's claim on it expires."
    )
    # Set when a try may have reached Twilio without us hearing back (timeout,
    # 5xx, dead worker): the next try looks the resource up before creating it.
    outcome_unknown = models.BooleanField(
        default=False, help_text="The last try may have succeeded on Twilio; look before creating again."
    )
    result_sid = models.CharField(max_length=34, blank=True, help_text="SID Twilio returned, if any.")
    last_error_status = models.IntegerField(
        null=True, blank=True, help_text="HTTP status of the last failure, e.g. 429."
    )
    last_error_code = models.IntegerField(
        null=True, blank=True, help_text="Twilio error code of the last failure, e.g. 50416."
    )
    last_error_message = models.TextField(blank=True, help_text="What went wrong last time, in plain words.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sync_operations",
        help_text="Staff member whose change queued it.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was queued.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When it last changed.")
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When it finished.")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="syncop_due_idx"),
            models.Index(fields=["content_type", "object_id"], name="syncop_target_idx"),
        ]
        verbose_name = "sync operation"

    def __str__(self):
        return f"{self.operation} #{self.pk} ({self.get_state_display()})"


class PacingBucket(models.Model):
    """A token bucket shared by every worker through the database.

    Twilio allows 30 actions/s per conversation and per service; each key
    ("conversation:CH..." or "service:IS...") gets one row.
    """

    key = models.CharField(max_length=80, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    def __str__(self):
        return self.key
