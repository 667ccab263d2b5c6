"""What every mirror of a Twilio resource carries: its SID and how far it is in sync."""

import uuid

from django.db import models
from django.db.models import Q


class SyncState(models.TextChoices):
    PENDING = "pending", "Pending (local change not yet on Twilio)"
    SYNCED = "synced", "Synced"
    FAILED = "failed", "Failed"
    DELETED_REMOTELY = "deleted_remotely", "Deleted on Twilio"


# Natural keys (address, unique name, binding) are unique among rows Twilio
# still has: once Twilio deletes a resource, the key may be used again there.
LIVE_ON_TWILIO = ~Q(sync_state=SyncState.DELETED_REMOTELY)


class TwilioMirror(models.Model):
    # Blank until Twilio assigns it, so uniqueness can only hold for real SIDs.
    sid = models.CharField(
        "Twilio SID",
        max_length=34,
        blank=True,
        default="",
        db_index=True,
        editable=False,
        help_text="Twilio's id for this record; empty until it exists on Twilio.",
    )
    # Sent to Twilio (unique_name or an attribute) so a retried create finds
    # the first attempt instead of making a second resource.
    local_id = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="This console's own id for the record.",
    )
    sync_state = models.CharField(
        max_length=16,
        choices=SyncState.choices,
        default=SyncState.PENDING,
        db_index=True,
        help_text="Whether Twilio has the latest version of this record.",
    )
    last_synced_at = models.DateTimeField(null=True, blank=True, help_text="When this record last matched Twilio.")
    last_sync_error = models.TextField(blank=True, help_text="Why the last push or pull failed, in plain words.")
    last_sync_error_code = models.PositiveIntegerField(
        null=True, blank=True, help_text="Twilio's error code for the last failure, e.g. 50416."
    )
    # Mark-and-sweep for pulls: a complete listing that did not touch a row
    # means Twilio no longer has it, without holding every SID in memory.
    last_seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When a pull from Twilio last saw this record."
    )
    date_created = models.DateTimeField(null=True, blank=True, help_text="When Twilio created it (Twilio's clock).")
    date_updated = models.DateTimeField(
        null=True, blank=True, help_text="When Twilio last changed it (Twilio's clock)."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When this console first stored it.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When this console last saved it.")

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["sid"],
                condition=~Q(sid=""),
                name="%(app_label)s_%(class)s_unique_sid",
                violation_error_message="Another record already has this Twilio SID.",
            ),
        ]

    @property
    def sid_or_placeholder(self) -> str:
        return self.sid or "(not on Twilio yet)"
