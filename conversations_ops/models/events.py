from django.db import models


class EventSource(models.TextChoices):
    CONVERSATIONS = "conversations", "Conversations webhook"
    MESSAGING = "messaging", "Messaging webhook"
    STATUS = "status", "Status callback"


class ProcessingState(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    UNHANDLED = "unhandled", "Unhandled (unknown event, kept)"
    FAILED = "failed", "Failed"


class WebhookEvent(models.Model):
    """One webhook delivery from Twilio, stored raw before anything is applied."""

    source = models.CharField(
        max_length=16, choices=EventSource.choices, help_text="Which Twilio webhook sent it."
    )
    event_type = models.CharField(
        max_length=64, db_index=True, help_text="Twilio's event name, e.g. onMessageAdded."
    )
    dedup_key = models.CharField(
        max_length=255, unique=True, help_text="Identifies the event so a repeated delivery is stored once."
    )
    # Kept exactly as received (repeated keys, order) so the signature can be re-checked.
    params = models.JSONField(default=list, help_text="The form fields exactly as Twilio sent them.")
    headers = models.JSONField(default=dict, blank=True, help_text="The request headers that matter.")
    signature_valid = models.BooleanField(default=False, help_text="Whether Twilio's signature checked out.")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True, help_text="When it arrived.")
    conversation_sid = models.CharField(
        max_length=34, blank=True, db_index=True, help_text="Conversation it is about (CH...)."
    )
    message_sid = models.CharField(
        max_length=34, blank=True, db_index=True, help_text="Message it is about (IM..., SM... or WA...)."
    )
    participant_sid = models.CharField(
        max_length=34, blank=True, db_index=True, help_text="Participant it is about (MB...)."
    )
    processing_state = models.CharField(
        max_length=16, choices=ProcessingState.choices, default=ProcessingState.PENDING, db_index=True,
        help_text="Whether the console has applied it yet.",
    )
    processed_at = models.DateTimeField(null=True, blank=True, help_text="When it was applied.")
    processing_error = models.TextField(blank=True, help_text="Why applying it failed.")
    attempts = models.PositiveIntegerField(default=0, help_text="How often applying it was tried.")

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "webhook event"

    def __str__(self):
        if self.received_at is None:
            return self.event_type
        return f"{self.event_type} at {self.received_at:%Y-%m-%d %H:%M:%S}"
